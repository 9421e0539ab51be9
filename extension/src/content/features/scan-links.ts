// mailto: links. The addresses are the href's recipients (RFC 6068), which may differ from the
// link's text. The badge goes after the link, unless the link's text already got one for that address.

import { mailtoRecipients } from '../../../../native-host/src/engine/mailto.js';
import { isInsideSkipped } from '../core/dom.js';

const MAILTO_SELECTOR = 'a[href^="mailto:" i]';

export type PlaceAfter = (anchor: Node, address: string) => unknown;

export function scanLinks(root: Node, placeAfter: PlaceAfter): void {
  for (const link of mailtoLinks(root)) {
    if (isInsideSkipped(link)) continue;
    const addresses = mailtoRecipients(link.getAttribute('href'));
    // Placed last to first: each goes right after the link, so they end up in href order.
    for (let i = addresses.length - 1; i >= 0; i--) {
      const address = addresses[i];
      if (address !== undefined) placeAfter(link, address);
    }
  }
}

function mailtoLinks(root: Node): Element[] {
  const links: Element[] = [];
  if (root.nodeType === Node.ELEMENT_NODE && (root as Element).matches(MAILTO_SELECTOR)) links.push(root as Element);
  if ('querySelectorAll' in root) links.push(...Array.from((root as ParentNode).querySelectorAll(MAILTO_SELECTOR)));
  return links;
}
