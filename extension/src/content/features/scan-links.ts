// mailto: links. The addresses are the href's recipients (RFC 6068), which may differ from the
// link's text. The badge goes after the link, unless the link's text already got one for that address.

import { mailtoRecipients } from '../../../../native-host/shared/address/mailto.js';
import { isInsideSkipped } from '../core/dom.js';
import type { Placer } from '../core/unseen.js';

const MAILTO_SELECTOR = 'a[href^="mailto:" i]';

export interface LinkScanHost {
  placeAfter(anchor: Node, address: string): unknown;
  /** `placer` places the element's badges once it is on screen. */
  placeWhenSeen(element: Element, placer: Placer): void;
}

export function scanLinks(root: Node, host: LinkScanHost): void {
  const placer: Placer = {
    addresses: (link) => mailtoRecipients(link.getAttribute('href')),
    place: (link) => placeAfterLink(link, placer.addresses(link), host),
  };
  for (const link of mailtoLinks(root)) {
    if (!isInsideSkipped(link)) host.placeWhenSeen(link, placer);
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
