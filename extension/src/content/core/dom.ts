// What the scanners may look at, and what is ours. Shared by every feature.

/** Every element MX Lens adds to a page (badges, the card, field overlays). */
const OURS = new WeakSet<Node>();

/** The attribute that marks our elements for selectors; identity comes from OURS, not from it. */
const OURS_ATTRIBUTE = 'data-mxlens';

export function markOurs(element: HTMLElement, kind: string): void {
  OURS.add(element);
  element.setAttribute(OURS_ATTRIBUTE, kind);
}

export function isOurs(node: Node | null | undefined): boolean {
  return node !== null && node !== undefined && OURS.has(node);
}

/** Elements whose text is not prose shown to the reader, or belongs to an editor. */
const SKIPPED_TAGS = new Set([
  'SCRIPT',
  'STYLE',
  'NOSCRIPT',
  'TEXTAREA',
  'TEMPLATE',
  'INPUT',
  'SELECT',
  'OPTION',
  'OPTGROUP',
  'BUTTON',
  'IFRAME',
  'FRAME',
  'OBJECT',
  'EMBED',
  'CANVAS',
  'HEAD',
  'TITLE',
  'META',
  'LINK',
]);
/** CodeMirror 6, CodeMirror 5, Monaco, Ace. */
const EDITOR_CLASSES = ['cm-editor', 'CodeMirror', 'monaco-editor', 'ace_editor'];
const HTML_NAMESPACE = 'http://www.w3.org/1999/xhtml';

/** Elements that flow inside a line: their text joins their neighbours' into one string. */
const INLINE_TAGS = new Set([
  'A',
  'ABBR',
  'B',
  'BDI',
  'BDO',
  'BIG',
  'CITE',
  'CODE',
  'DATA',
  'DEL',
  'DFN',
  'EM',
  'FONT',
  'I',
  'INS',
  'KBD',
  'LABEL',
  'MARK',
  'NOBR',
  'Q',
  'S',
  'SAMP',
  'SMALL',
  'SPAN',
  'STRIKE',
  'STRONG',
  'SUB',
  'SUP',
  'TIME',
  'TT',
  'U',
  'VAR',
  'WBR',
]);

/** This element and everything inside it is never scanned. */
export function isSkippedElement(element: Element): boolean {
  if (OURS.has(element)) return true;
  if (SKIPPED_TAGS.has(element.tagName)) return true;
  if (element.namespaceURI !== HTML_NAMESPACE) return true; // SVG and MathML text
  const editable = element.getAttribute('contenteditable');
  if (editable !== null && editable.toLowerCase() !== 'false') return true;
  // Most elements have no class: one read instead of a classList lookup per editor.
  if (!element.getAttribute('class')) return false;
  const classes = element.classList;
  return EDITOR_CLASSES.some((name) => classes.contains(name));
}

/** True when `node` or one of its ancestors (up to its root) is skipped. */
export function isInsideSkipped(node: Node): boolean {
  if (node.ownerDocument?.designMode === 'on') return true;
  for (let current: Node | null = node; current; current = current.parentNode) {
    if (current.nodeType === Node.ELEMENT_NODE && isSkippedElement(current as Element)) return true;
  }
  return false;
}

export function isInlineElement(node: Node): node is HTMLElement {
  return node.nodeType === Node.ELEMENT_NODE && INLINE_TAGS.has((node as Element).tagName);
}

/** The nearest ancestor that is not inline (or the root: a document or shadow root). */
export function blockOf(node: Node): Node {
  let current: Node = node;
  for (let parent = current.parentNode; parent; parent = current.parentNode) {
    if (!isInlineElement(parent)) return parent;
    current = parent;
  }
  return current;
}

/** The nearest <a> between `node` and `block` (both excluded), or null. */
export function linkAround(node: Node, block: Node): HTMLAnchorElement | null {
  for (let current = node.parentNode; current && current !== block; current = current.parentNode) {
    if (current.nodeType === Node.ELEMENT_NODE && (current as Element).tagName === 'A') {
      return current as HTMLAnchorElement;
    }
  }
  return null;
}

/**
 * Where our elements that belong to no place in the text go (the card, field badges): the root
 * element, whose box starts at the document's origin whatever the body's position or margins.
 */
export function overlayParent(doc: Document = document): HTMLElement {
  return doc.documentElement;
}

/** One constructed stylesheet per document and text, shared by every shadow root that uses it. */
const SHEETS = new WeakMap<Document, Map<string, CSSStyleSheet | null>>();

/**
 * Styles a shadow root with `css`: the document's one shared constructable stylesheet for it
 * (no <style> element and no parsing per badge), or a <style> element where a stylesheet cannot
 * be adopted (Firefox content scripts before adoptedStyleSheets worked through Xray wrappers).
 */
export function adoptStyle(shadow: ShadowRoot, css: string): void {
  const doc = shadow.ownerDocument;
  let sheets = SHEETS.get(doc);
  if (!sheets) SHEETS.set(doc, (sheets = new Map()));
  let sheet = sheets.get(css);
  if (sheet === undefined) {
    sheet = constructSheet(doc, css);
    sheets.set(css, sheet);
  }
  if (sheet) {
    try {
      shadow.adoptedStyleSheets = [sheet];
      if (shadow.adoptedStyleSheets.length === 1) return;
    } catch {
      // not adoptable here: a <style> element below
    }
    sheets.set(css, null);
  }
  const style = doc.createElement('style');
  style.textContent = css;
  shadow.prepend(style);
}

function constructSheet(doc: Document, css: string): CSSStyleSheet | null {
  const Sheet = doc.defaultView?.CSSStyleSheet;
  if (typeof Sheet !== 'function' || typeof Sheet.prototype.replaceSync !== 'function') return null;
  try {
    const sheet = new Sheet();
    sheet.replaceSync(css);
    return sheet;
  } catch {
    return null;
  }
}
