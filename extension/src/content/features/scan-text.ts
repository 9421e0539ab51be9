// Addresses in the page's text. A TreeWalker collects the text nodes of each run of inline
// content inside one block ("<b>alice</b>@acme.test" is one string to the reader, so it is
// one string here); offsets in the joined string map back to the text node where each
// address ends, and its badge goes right after that node (or after the enclosing link).

import { findAddresses } from '../../../../native-host/src/engine/find-addresses.js';
import { blockOf, isInlineElement, isInsideSkipped, isOurs, isSkippedElement, linkAround } from '../core/dom.js';

export interface TextScanHost {
  /** Places a badge after `anchor` unless one for the address is there; the badge or null. */
  placeAfter(anchor: Node, address: string): unknown;
  /** An open shadow root met on the way (scanned by the caller afterwards). */
  foundShadowRoot(root: ShadowRoot): void;
}

interface Piece {
  node: Text;
  /** Offset of the node's first character in the run's text. */
  start: number;
}

interface Run {
  block: Node;
  pieces: Piece[];
  text: string;
}

/** After an address, at most this much may stay in its text node without splitting it. */
const QUIET_TAIL = /^\s*[.,;:!?)\]}'"»”’。，；：！？）]{0,3}\s*$/u;

/** Scans `root` and everything inside it; returns how many badges were placed. */
export function scanText(root: Node, host: TextScanHost): number {
  const start = root.nodeType === Node.TEXT_NODE ? blockOf(root) : root;
  if (isInsideSkipped(start)) return 0;
  let placed = 0;
  for (const run of collectRuns(start, host)) placed += placeRun(run, host);
  return placed;
}

/** Walks first, writes afterwards: badges and split text never disturb the walk. */
function collectRuns(root: Node, host: TextScanHost): Run[] {
  const doc = root.nodeType === Node.DOCUMENT_NODE ? (root as Document) : root.ownerDocument;
  if (!doc) return [];
  if (root.nodeType === Node.ELEMENT_NODE) {
    const shadow = (root as Element).shadowRoot;
    if (shadow) host.foundShadowRoot(shadow);
  }
  const runs: Run[] = [];
  let run: Run | null = null;
  let boundary = false;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
    acceptNode(node: Node): number {
      if (node.nodeType !== Node.ELEMENT_NODE) return NodeFilter.FILTER_ACCEPT;
      const element = node as Element;
      // Our badges sit inside runs; they neither break one nor get read.
      if (isOurs(element)) return NodeFilter.FILTER_REJECT;
      if (isSkippedElement(element)) {
        boundary = true;
        return NodeFilter.FILTER_REJECT;
      }
      if (element.shadowRoot) host.foundShadowRoot(element.shadowRoot);
      if (!isInlineElement(element)) boundary = true;
      return NodeFilter.FILTER_SKIP;
    },
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node as Text;
    if (text.data === '') continue;
    const block = blockOf(text);
    if (boundary || !run || run.block !== block) {
      if (run?.text.includes('@')) runs.push(run);
      run = { block, pieces: [], text: '' };
      boundary = false;
    }
    run.pieces.push({ node: text, start: run.text.length });
    run.text += text.data;
  }
  if (run?.text.includes('@')) runs.push(run);
  return runs;
}

function placeRun(run: Run, host: TextScanHost): number {
  const found = findAddresses(run.text);
  let placed = 0;
  // Last address first: splitting a text node keeps the offsets before the split valid.
  for (let i = found.length - 1; i >= 0; i--) {
    const match = found[i];
    if (!match) continue;
    const piece = pieceAt(run.pieces, match.end - 1);
    if (!piece?.node.parentNode) continue;
    const anchor = anchorAfter(piece.node, match.end - piece.start, run.block);
    if (host.placeAfter(anchor, match.address)) placed++;
  }
  return placed;
}

/** The piece holding the character at `offset` (binary search: runs can be long). */
function pieceAt(pieces: Piece[], offset: number): Piece | undefined {
  let low = 0;
  let high = pieces.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const piece = pieces[middle];
    if (!piece) return undefined;
    if (offset < piece.start) high = middle - 1;
    else if (offset >= piece.start + piece.node.data.length) low = middle + 1;
    else return piece;
  }
  return undefined;
}

/**
 * The node the badge follows: the link around the address, or the text node (split after the
 * address when real text follows), or the inline elements that end with it ("<b>a@b.test</b>").
 */
function anchorAfter(node: Text, offset: number, block: Node): Node {
  const link = linkAround(node, block);
  if (link) return link;
  const rest = node.data.slice(offset);
  if (rest !== '' && !QUIET_TAIL.test(rest)) {
    node.splitText(offset);
    return node;
  }
  let anchor: Node = node;
  while (anchor.nextSibling === null) {
    const parent = anchor.parentNode;
    if (!parent || parent === block || !isInlineElement(parent)) break;
    anchor = parent;
  }
  return anchor;
}
