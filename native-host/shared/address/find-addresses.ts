// Pure: where are the email addresses in a string? No DOM, no Node: the page scanner and the
// context menu find addresses with it, and it is tested on strings.
// Three sieves, cheapest first: is there an "@" at all, does a strict pattern match, does the
// engine's own RFC 5321 parser (the same rules the host applies) accept it. Then the things
// that look like addresses but are not: asset names, versions, handles, URL parts.

import { parseAddress } from './syntax.js';

export interface FoundAddress {
  /** The engine's normalized form: local part as written, domain lower-case ASCII. */
  address: string;
  /** Offsets in the input string, end exclusive. */
  start: number;
  end: number;
}

// Letters, marks and digits of any script; the ASCII symbols people really put in addresses.
const LOCAL_CHAR = String.raw`[\p{L}\p{M}\p{N}_+\-]`;
const LOCAL = String.raw`${LOCAL_CHAR}+(?:[.']${LOCAL_CHAR}+)*`;
const LABEL_CHAR = String.raw`[\p{L}\p{M}\p{N}]`;
const LABEL = String.raw`${LABEL_CHAR}(?:[\p{L}\p{M}\p{N}\-]{0,61}${LABEL_CHAR})?`;
// An ASCII top-level domain is letters only (so "pkg@1.2.3" never matches), an A-label, or a
// non-ASCII one (".广告"). An ASCII one may touch non-ASCII text: CJK prose has no spaces.
const TLD = String.raw`(?:xn--[a-z0-9\-]{1,59}|[a-z]{2,63}(?![a-z0-9_\-])|[^\p{ASCII}\s\p{P}\p{S}]{2,63})`;
const ADDRESS_PATTERN = new RegExp(
  String.raw`(?<![\p{L}\p{M}\p{N}_+\-.'@/\\])(${LOCAL})@((?:${LABEL}\.)+${TLD})(?![@\p{N}_\-]|\.[\p{L}\p{N}])`,
  'giu',
);

/** Extensions of files that pages name "name@2x.png" and the like; none is a real TLD. */
const ASSET_EXTENSIONS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'webp',
  'avif',
  'ico',
  'bmp',
  'tif',
  'tiff',
  'heic',
  'css',
  'scss',
  'less',
  'js',
  'mjs',
  'cjs',
  'ts',
  'map',
  'json',
  'wasm',
  'xml',
  'txt',
  'html',
  'htm',
  'php',
  'woff',
  'woff2',
  'ttf',
  'otf',
  'eot',
  'mp3',
  'mp4',
  'webm',
  'ogg',
  'wav',
  'pdf',
  'gz',
  'tgz',
]);

/** Retina asset names: the first domain label is "2x", "3x", … */
const RETINA_LABEL = /^\d+x$/i;
const DIGITS = /^\d+$/;
/** Han, kana and Hangul: scripts written without spaces between words. */
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const ASCII_ALNUM = /[A-Za-z0-9]/;

export function findAddresses(text: string): FoundAddress[] {
  if (!text.includes('@')) return [];
  const found: FoundAddress[] = [];
  for (const match of text.matchAll(ADDRESS_PATTERN)) {
    let start = match.index;
    let local = match[1] ?? '';
    const domain = match[2] ?? '';
    // "请发邮件到alice@acme.test": the words before an ASCII local part are not part of it.
    if (ASCII_ALNUM.test(local) && UNSPACED_SCRIPT.test(local)) {
      const trimmed = trimLeadingUnspaced(local);
      start += local.length - trimmed.length;
      local = trimmed;
    }
    const end = match.index + match[0].length;
    if (local === '' || insideUrl(text, start) || followedByPath(text, end)) continue;
    const address = acceptAddress(`${local}@${domain}`);
    if (address !== null) found.push({ address, start, end });
  }
  return found;
}

/**
 * The normalized address when `candidate` (one address, nothing around it) is a real-looking
 * address, or null. Used for mailto: links and form fields, which need no pattern.
 */
export function acceptAddress(candidate: string): string | null {
  const parsed = parseAddress(candidate);
  if (!parsed.ok || parsed.domainLiteral) return null;
  const labels = parsed.domain.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (ASSET_EXTENSIONS.has(tld)) return null;
  if (RETINA_LABEL.test(labels[0] ?? '')) return null;
  // "lib@1.2.beta": leading numeric labels are a version, not a host name.
  if (labels.length > 2 && DIGITS.test(labels[0] ?? '') && DIGITS.test(labels[1] ?? '')) return null;
  return parsed.normalized;
}

function trimLeadingUnspaced(local: string): string {
  let index = 0;
  for (const char of local) {
    if (!UNSPACED_SCRIPT.test(char)) break;
    index += char.length;
  }
  return local.slice(index).replace(/^[.'_+-]+/, '');
}

/** "https://host/x?u=a@b.test", "ftp://user@host.test": part of a URL, not an address. */
function insideUrl(text: string, start: number): boolean {
  const tokenStart = Math.max(
    text.lastIndexOf(' ', start),
    text.lastIndexOf('\n', start),
    text.lastIndexOf('\t', start),
  );
  const before = text.slice(tokenStart + 1, start);
  return before.includes('://') || /(?:^|[^\p{L}\p{N}])www\.[^\s]*\/[^\s]*$/u.test(before);
}

/** "git@host.test:repo" and "user@host.test/path" are locations, not addresses. */
function followedByPath(text: string, end: number): boolean {
  const next = text[end];
  if (next === '/') return true;
  return next === ':' && /\S/.test(text[end + 1] ?? ' ');
}
