// mailto: links. The addresses are the href's recipients (RFC 6068), which may differ from the
// link's text. The badge goes after the link, unless the link's text already got one for that address.

import { mailtoRecipients } from '../../../../native-host/shared/address/mailto.js';
import { isInsideSkipped } from '../core/dom.js';

const MAILTO_SELECTOR = 'a[href^="mailto:" i]';

export interface LinkScanHost {
  placeAfter(anchor: Node, address: string): unknown;
  /** Runs `place` once `element` is on screen; `addresses` says what it would place. */
  placeWhenSeen(element: Element, place: () => void, addresses: () => string[]): void;
}

export function scanLinks(root: Node, host: LinkScanHost): void {
  for (const link of mailtoLinks(root)) {
    if (isInsideSkipped(link)) continue;
    const addresses = (): string[] => mailtoRecipients(link.getAttribute('href'));
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
