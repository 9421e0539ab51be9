// Addresses in the page's text. A TreeWalker collects the text nodes of each run of inline
// content inside one block ("<b>alice</b>@acme.test" is one string to the reader, so it is
// one string here); offsets in the joined string map back to the text node where each
// address ends, and its badge goes right after that node (or after the enclosing link).
//
// The walk over a whole page is a job the core runs in slices (it yields as it goes). It only
// notes the blocks whose text holds an "@"; a block's addresses are found and its badges
// made once the block is on screen (or at once where nothing can tell: no layout).

import { findAddresses } from '../../../../native-host/shared/address/find-addresses.js';
import { blockOf, isInlineElement, isInsideSkipped, isOurs, isSkippedElement, linkAround } from '../core/dom.js';
import type { Placer } from '../core/unseen.js';

export interface TextScanHost {
  /** Places a badge after `anchor` unless one for the address is there; the badge or null. */
  placeAfter(anchor: Node, address: string): unknown;
  /** An open shadow root met on the way (the host scans it). */
  foundShadowRoot(root: ShadowRoot): void;
  /** `placer` places the element's badges once it is on screen. */
  placeWhenSeen(element: Element, placer: Placer): void;
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
/** Nodes walked between two chances to yield (a page of text with no "@" is walked too). */
const NODES_PER_STEP = 200;

/**
 * Walks `root` and everything inside it, a step at a time (for the core's slices). Only text
 * nodes are visited, with no filter (a filter calls into script for every node: ~6× slower
 * on a page of 50,000 paragraphs); the few that hold an "@" are then checked for a skipped
 * ancestor, and their block is noted. Open shadow roots are looked for in a walk of the
 * elements alone.
 */
export function* scanTextJob(root: Node, host: TextScanHost): Generator<void> {
  const start = root.nodeType === Node.TEXT_NODE ? blockOf(root) : root;
  if (isInsideSkipped(start)) return;
  const doc = start.nodeType === Node.DOCUMENT_NODE ? (start as Document) : start.ownerDocument;
  if (!doc) return;
  yield* findShadowRoots(doc, start, host);
  const skipped = new Map<Node, boolean>();
  const noted = new Set<Node>();
  const placer: Placer = {
    place: (block) => placeBlock(block, host),
    addresses: (block) => blockRuns(block).flatMap((each) => findAddresses(each.text).map((found) => found.address)),
  };
  const walker = doc.createTreeWalker(start, NodeFilter.SHOW_TEXT);
  let walked = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (++walked % NODES_PER_STEP === 0) yield;
    if (!(node as Text).data.includes('@')) continue;
    const parent = node.parentNode;
    if (!parent || isSkippedBelow(parent, start, skipped)) continue;
    const block = blockOf(node);
    if (noted.has(block)) continue;
    noted.add(block);
    if (block.nodeType !== Node.ELEMENT_NODE) {
      placeBlock(block, host); // a document or shadow root: nothing to watch, place now
      continue;
    }
    host.placeWhenSeen(block as Element, placer);
  }
}

/** The open shadow roots under `start` (not inside skipped elements), for the host to scan. */
function* findShadowRoots(doc: Document, start: Node, host: TextScanHost): Generator<void> {
  const check = (element: Element): void => {
    const shadow = element.shadowRoot;
    if (shadow && !isInsideSkipped(element)) host.foundShadowRoot(shadow);
  };
  if (start.nodeType === Node.ELEMENT_NODE) check(start as Element);
  const walker = doc.createTreeWalker(start, NodeFilter.SHOW_ELEMENT);
  let walked = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (++walked % (NODES_PER_STEP * 4) === 0) yield;
    check(node as Element);
  }
}

/**
 * Whether `parent` (a text node's) or an ancestor below `top` is skipped (`top` itself was
 * checked). `known` remembers the answer for the ancestors above `parent`, so the text of a
 * thousand paragraphs in one container costs one walk up; `parent` itself is asked directly
 * (a map entry per paragraph cost more than the question).
 */
function isSkippedBelow(parent: Node, top: Node, known: Map<Node, boolean>): boolean {
  if (parent === top) return false;
  if (parent.nodeType === Node.ELEMENT_NODE && isSkippedElement(parent as Element)) return true;
  const path: Node[] = [];
  let skipped = false;
  for (let current = parent.parentNode; current && current !== top; current = current.parentNode) {
    const answer = known.get(current);
    if (answer !== undefined) {
      skipped = answer;
      break;
    }
    if (current.nodeType === Node.ELEMENT_NODE && isSkippedElement(current as Element)) {
      skipped = true; // and so is everything on the path below it
      known.set(current, true);
      break;
    }
    path.push(current);
  }
  for (const each of path) known.set(each, skipped);
  return skipped;
}

/** Places the badges of one block's own text (not of the blocks inside it); how many. */
function placeBlock(block: Node, host: TextScanHost): number {
  let placed = 0;
  for (const run of blockRuns(block)) placed += placeRun(run, host);
  return placed;
}

/**
 * The runs of one block's own text (not of the blocks inside it) that hold an "@", in
 * document order. Walks first, writes afterwards: badges and split text never disturb a run
 * being read.
 */
function blockRuns(block: Node): Run[] {
  const doc = block.nodeType === Node.DOCUMENT_NODE ? (block as Document) : block.ownerDocument;
  if (!doc) return [];
  const runs: Run[] = [];
  let run: Run | null = null;
  let boundary = false;
  const walker = doc.createTreeWalker(block, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
    acceptNode(node: Node): number {
      if (node.nodeType !== Node.ELEMENT_NODE) return NodeFilter.FILTER_ACCEPT;
      const element = node as Element;
      // Our badges sit inside runs; they neither break one nor get read.
      if (isOurs(element)) return NodeFilter.FILTER_REJECT;
      if (isSkippedElement(element) || !isInlineElement(element)) {
        boundary = true;
        return NodeFilter.FILTER_REJECT; // a block inside: its text belongs to it
      }
      return NodeFilter.FILTER_SKIP;
    },
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node as Text;
    if (text.data === '') continue;
    if (boundary || !run) {
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
