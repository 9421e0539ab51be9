// mailto: links. The address is in the href, which may differ from the link's text: decoded
// (percent-encoding, several addresses separated by commas), the query (?subject=…) dropped.
// The badge goes after the link, unless the link's text already got one for that address.

import { acceptAddress, findAddresses } from '../../../../native-host/shared/address/find-addresses.js';
import { isInsideSkipped } from '../core/dom.js';

const MAILTO_SELECTOR = 'a[href^="mailto:" i]';
const MAILTO_PREFIX = /^\s*mailto:/i;

export interface LinkScanHost {
  placeAfter(anchor: Node, address: string): unknown;
  /** Runs `place` once `element` is on screen; `addresses` says what it would place. */
  placeWhenSeen(element: Element, place: () => void, addresses: () => string[]): void;
}

export function scanLinks(root: Node, host: LinkScanHost): void {
  for (const link of mailtoLinks(root)) {
    if (isInsideSkipped(link)) continue;
    const addresses = (): string[] => mailtoAddresses(link.getAttribute('href') ?? '');
    host.placeWhenSeen(link, () => placeAfterLink(link, addresses(), host), addresses);
  }
}

/** Placed last to first: each goes right after the link, so they end up in href order. */
function placeAfterLink(link: Element, addresses: string[], host: LinkScanHost): void {
  for (let i = addresses.length - 1; i >= 0; i--) {
    const address = addresses[i];
    if (address !== undefined) host.placeAfter(link, address);
  }
}

function mailtoLinks(root: Node): Element[] {
  const links: Element[] = [];
  if (root.nodeType === Node.ELEMENT_NODE && (root as Element).matches(MAILTO_SELECTOR)) links.push(root as Element);
  if ('querySelectorAll' in root) links.push(...Array.from((root as ParentNode).querySelectorAll(MAILTO_SELECTOR)));
  return links;
}

/** The normalized addresses of a mailto: URL (RFC 6068), in order, without duplicates. */
export function mailtoAddresses(href: string): string[] {
  const prefix = MAILTO_PREFIX.exec(href);
  if (!prefix) return [];
  let to = href.slice(prefix[0].length);
  const end = to.search(/[?#]/);
  if (end !== -1) to = to.slice(0, end);
  const out: string[] = [];
  for (const part of percentDecode(to).split(/[,;]/)) {
    const candidate = part.trim();
    if (candidate === '') continue;
    // "Name <a@b.test>" happens too: then find the address inside.
    const address = acceptAddress(candidate) ?? findAddresses(candidate)[0]?.address ?? null;
    if (address !== null && !out.includes(address)) out.push(address);
  }
  return out;
}

/** decodeURIComponent, but a stray "%" keeps the rest decodable. */
function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9a-f]{2})+/gi, (sequence) => {
      try {
        return decodeURIComponent(sequence);
      } catch {
        return sequence;
      }
    });
  }
}
