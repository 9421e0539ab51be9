// Finding the address the user means in a context-menu click: the first one in the selected
// text, or the one a mailto: link points to. Pure: strings in, an address (or null) out. This is
// a finder, not a validator: the host checks the address fully.

/** The most of a selection kept as the card's `input`. */
export const MAX_INPUT_LENGTH = 256;

// Local part: RFC 5322 atext and dots, plus accented Latin letters (no quoted strings: rare in
// prose and ambiguous). Domain: labels of letters (Latin, Greek, Cyrillic), digits and hyphens,
// at least one dot, or an address literal. CJK text is left out on purpose: prose in Chinese or
// Japanese runs straight into an address ("邮箱：a@b.cn联系我们") without spaces.
const WORD = "A-Za-z0-9!#$%&'*+/=?^_`{|}~\\u00C0-\\u024F-";
const LOCAL = `[${WORD}]+(?:\\.[${WORD}]+)*`;
const LETTER = 'A-Za-z0-9\\u00C0-\\u024F\\u0370-\\u03FF\\u0400-\\u04FF';
const LABEL = `[${LETTER}](?:[${LETTER}-]*[${LETTER}])?`;
const DOMAIN = `(?:${LABEL}\\.)+${LABEL}|\\[[^\\]\\s]+\\]`;
const ADDRESS = new RegExp(`(?<![.${WORD}])(${LOCAL})@(${DOMAIN})`, 'u');

/** local@domain with the domain in lower case, as checked and shown. */
function normalized(local: string, domain: string): string {
  return `${local}@${domain.toLowerCase()}`;
}

/** The first address in a piece of text, or null. */
export function firstAddressIn(text: string | undefined | null): string | null {
  if (!text) return null;
  const match = ADDRESS.exec(text.normalize('NFC'));
  if (!match?.[1] || !match[2]) return null;
  const local = match[1];
  // A sentence's full stop or a label's trailing hyphen is not part of the domain.
  const domain = match[2].replace(/[.-]+$/u, '');
  if (!domain.includes('.') && !domain.startsWith('[')) return null;
  if (local.length > 64 || domain.length > 255) return null;
  return normalized(local, domain);
}

/**
 * The address of a mailto: link: "mailto:a@x.org?subject=Hi" → "a@x.org"; percent-escapes
 * decoded; several recipients → the first; "mailto:?to=a@x.org" → from the `to` field.
 */
export function addressFromMailto(url: string | undefined | null): string | null {
  if (!url || !/^mailto:/i.test(url)) return null;
  const rest = url.slice('mailto:'.length);
  const question = rest.indexOf('?');
  const path = question < 0 ? rest : rest.slice(0, question);
  const query = question < 0 ? '' : rest.slice(question + 1);
  const fromPath = firstAddressIn(decode(path).split(',')[0]);
  if (fromPath) return fromPath;
  for (const field of query.split('&')) {
    const [name, value] = field.split('=');
    if (name?.toLowerCase() === 'to' && value) {
      const found = firstAddressIn(decode(value.replace(/\+/g, ' ')).split(',')[0]);
      if (found) return found;
    }
  }
  return null;
}

/** What the user pointed at, for the card to show when no address was found in it. */
export function describeInput(selection: string | undefined, linkUrl: string | undefined): string {
  const text = linkUrl && /^mailto:/i.test(linkUrl) ? decode(linkUrl) : (selection ?? '');
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return trimmed.length > MAX_INPUT_LENGTH ? `${trimmed.slice(0, MAX_INPUT_LENGTH - 1)}…` : trimmed;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
