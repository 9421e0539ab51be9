// Pure: the recipients of a mailto: URL (RFC 6068). No DOM, no Node: the page scanner and the
// context menu read mailto: links with it.
//   mailtoURI = "mailto:" [ to ] [ hfields ]   to = addr-spec *("%2C" / "," addr-spec)
//   hfields   = "?" hfield *( "&" hfield )      hfield = hfname "=" hfvalue
// Recipients are the addresses before "?" and those of every "to" field (section 2); cc and
// bcc are not who the link is about. Unlike form encoding, "+" is a plus sign, not a space.

import { acceptAddress, findAddresses } from './find-addresses.js';

const MAILTO_PREFIX = /^\s*mailto:/i;

export function isMailto(url: string | null | undefined): url is string {
  return url != null && MAILTO_PREFIX.test(url);
}

/** The normalized recipients of a mailto: URL, in order, without duplicates; [] for other URLs. */
export function mailtoRecipients(url: string | null | undefined): string[] {
  if (!isMailto(url)) return [];
  const rest = url.replace(MAILTO_PREFIX, '').replace(/#.*$/s, '');
  const question = rest.indexOf('?');
  const lists = [question === -1 ? rest : rest.slice(0, question)];
  if (question !== -1) {
    for (const field of rest.slice(question + 1).split('&')) {
      const equals = field.indexOf('=');
      if (equals !== -1 && percentDecode(field.slice(0, equals)).toLowerCase() === 'to')
        lists.push(field.slice(equals + 1));
    }
  }
  const recipients: string[] = [];
  for (const list of lists) {
    for (const part of percentDecode(list).split(/[,;]/)) {
      const address = recipientAddress(part.trim());
      if (address !== null && !recipients.includes(address)) recipients.push(address);
    }
  }
  return recipients;
}

/** One recipient: a bare address, or "Name <a@b.test>" (links do carry those). */
function recipientAddress(candidate: string): string | null {
  if (candidate === '') return null;
  return acceptAddress(candidate) ?? findAddresses(candidate)[0]?.address ?? null;
}

/** Percent-decoding as UTF-8; a stray "%" leaves the rest still decodable. */
export function percentDecode(text: string): string {
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
