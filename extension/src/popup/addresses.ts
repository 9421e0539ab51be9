// Splitting what the user pasted into addresses. Pure: no browser, no DOM.
// Separators: newlines, commas, semicolons, whitespace. "mailto:" and <…> around an address
// are dropped, and so is a display name before <…> (`Jane Doe <jane@x.test>`, `"Doe, Jane"
// <jane@x.test>`, as mail programs copy them); duplicates (same local part, domain in any case)
// are kept once. Tokens that cannot be an address are returned apart, to be shown as such; the
// host checks the rest fully.

export interface SplitAddresses {
  /** To check, first occurrence of each, with the domain in lower case. */
  addresses: string[];
  /** Tokens that are not email addresses, as typed (deduplicated). */
  invalid: string[];
  /** How many repeated addresses were dropped. */
  duplicates: number;
}

import { isMailto, mailtoRecipients } from '../../../native-host/shared/address/mailto.js';

const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function clean(token: string): string {
  let text = token.trim();
  if (isMailto(text)) return mailtoRecipients(text)[0] ?? text;
  // Quotes, brackets and sentence punctuation around an address, as copied from mail or prose.
  for (let previous = ''; previous !== text;) {
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
  return labels.every(
    (label) =>
      label.length > 0 &&
      label.length <= 63 &&
      !/[\s<>@,;:()[\]\\"]/.test(label) &&
      !label.startsWith('-') &&
      !label.endsWith('-'),
  );
}

/** local@domain with the domain in lower case: the form checked, shown and deduplicated. */
export function normalizeAddress(text: string): string {
  const at = text.lastIndexOf('@');
  return `${text.slice(0, at)}@${text.slice(at + 1).toLowerCase()}`;
}

/** `Name <a@b.test>` and `"Doe, Jane" <a@b.test>` become `a@b.test`; the rest is left alone. */
function dropDisplayNames(input: string): string {
  return input.replace(/(?:"(?:[^"\\\n]|\\.)*"|[^,;\n<>"])*<([^<>\s]+@[^<>\s]+)>/g, ' $1 ');
}

/**
 * The addresses in an imported CSV or text file: every cell of every row is read as pasted text,
 * and words that are not addresses (headers, names, phone numbers) are skipped silently; only
 * words with an "@" that still are no address are reported as invalid.
 */
export function addressesInFile(text: string): SplitAddresses {
  const cells = csvCells(text.replace(/^\uFEFF/, ''));
  const found = splitAddresses(cells.join('\n'));
  return { ...found, invalid: found.invalid.filter((token) => token.includes('@')) };
}

/** The cells of CSV (comma, semicolon or tab separated, RFC 4180 quotes) or of plain lines. */
function csvCells(text: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
    } else if (c === ',' || c === ';' || c === '\t' || c === '\n' || c === '\r') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells.filter((value) => value.trim() !== '');
}

export function splitAddresses(pasted: string): SplitAddresses {
  const input = dropDisplayNames(pasted);
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
