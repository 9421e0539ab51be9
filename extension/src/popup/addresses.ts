// Splitting what the user pasted into addresses. Pure: no browser, no DOM.
// Separators: newlines, commas, semicolons, whitespace. "mailto:" and <…> around an address
// are dropped; duplicates (same local part, domain in any case) are kept once. Tokens that
// cannot be an address are returned apart, to be shown as such; the host checks the rest fully.

export interface SplitAddresses {
  /** To check, first occurrence of each, with the domain in lower case. */
  addresses: string[];
  /** Tokens that are not email addresses, as typed (deduplicated). */
  invalid: string[];
  /** How many repeated addresses were dropped. */
  duplicates: number;
}

const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function clean(token: string): string {
  let text = token.trim();
  if (/^mailto:/i.test(text)) text = text.slice('mailto:'.length).replace(/\?.*$/, '');
  // Quotes, brackets and sentence punctuation around an address, as copied from mail or prose.
  for (let previous = ''; previous !== text; ) {
    previous = text;
    text = text.replace(/^[<("']+/, '').replace(/[>)"'.:!]+$/, '');
  }
  return text;
}

/** A shape check: one local part, "@", a domain with a dot (or an address literal). */
export function looksLikeAddress(text: string): boolean {
  if (text.length === 0 || text.length > MAX_ADDRESS_LENGTH || CONTROL.test(text)) return false;
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return false;
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (new TextEncoder().encode(local).length > MAX_LOCAL_LENGTH) return false;
  if (local.includes('@') && !(local.startsWith('"') && local.endsWith('"'))) return false;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    if (!local.startsWith('"')) return false;
  }
  if (/^\[.+\]$/.test(domain)) return true;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  return labels.every((label) => label.length > 0 && label.length <= 63 && !/[\s<>@,;:()[\]\\"]/.test(label) && !label.startsWith('-') && !label.endsWith('-'));
}

/** local@domain with the domain in lower case: the form checked, shown and deduplicated. */
export function normalizeAddress(text: string): string {
  const at = text.lastIndexOf('@');
  return `${text.slice(0, at)}@${text.slice(at + 1).toLowerCase()}`;
}

export function splitAddresses(input: string): SplitAddresses {
  const addresses: string[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  const seenInvalid = new Set<string>();
  let duplicates = 0;
  for (const token of input.split(/[\s,;]+/u)) {
    if (token.trim() === '') continue;
    const candidate = clean(token);
    if (!looksLikeAddress(candidate)) {
      const shown = token.trim();
      if (!seenInvalid.has(shown)) {
        seenInvalid.add(shown);
        invalid.push(shown);
      } else {
        duplicates += 1;
      }
      continue;
    }
    const address = normalizeAddress(candidate);
    if (seen.has(address)) {
      duplicates += 1;
      continue;
    }
    seen.add(address);
    addresses.push(address);
  }
  return { addresses, invalid, duplicates };
}
