import { isIP } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';

// Mailbox syntax of RFC 5321 (section 4.1.2), with UTF-8 local parts from RFC 6531.
// Addresses come from web pages and end up inside SMTP command lines, so anything that
// could end or extend such a line (control characters, angle brackets, spaces outside a
// quoted string) is rejected, not cleaned up.

export interface ParsedAddress {
  ok: true;
  /** As written, including the quotes of a quoted local part; case is kept. */
  localPart: string;
  /** Lower-case ASCII host name (IDNs as A-labels), or the bracketed domain literal. */
  domain: string;
  /** The host name with IDN labels shown in Unicode; equals domain for literals. */
  unicodeDomain: string;
  /** localPart@domain */
  normalized: string;
  domainLiteral: boolean;
  /** The IP address inside a domain literal, or null for a host name. */
  literalIp: string | null;
  /** false when the local part has non-ASCII characters, so delivery needs SMTPUTF8. */
  asciiLocalPart: boolean;
}

export interface InvalidAddress {
  ok: false;
  /** Plain words, for people. */
  problem: string;
}

export type AddressParseResult = ParsedAddress | InvalidAddress;

const MAX_LOCAL_PART_OCTETS = 64;
const MAX_ADDRESS_OCTETS = 254;
const MAX_DOMAIN_OCTETS = 253;
const MAX_LABEL_OCTETS = 63;

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
// With the u flag, \p{Cs} matches only unpaired surrogates: strings that are not Unicode.
const LONE_SURROGATE = /\p{Cs}/u;
const UNICODE_SPACE = /^\p{White_Space}$/u;
const ATEXT_ASCII = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]$/;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const RAW_DOMAIN_CHARACTER = /^[A-Za-z0-9.-]$/;

export function parseAddress(input: string): AddressParseResult {
  const address = input.replace(/^[ \t]+|[ \t]+$/g, '');
  if (address === '') return invalid('the address is empty');
  if (CONTROL_CHARACTER.test(address)) {
    return invalid('the address contains a control character (such as a line break, tab or NUL)');
  }
  if (LONE_SURROGATE.test(address)) return invalid('the address is not valid Unicode text');

  const split = splitAtSign(address);
  if (!split.ok) return split;
  const { localPart, rawDomain } = split;

  const localProblem = checkLocalPart(localPart);
  if (localProblem !== null) return invalid(localProblem);

  const domain = rawDomain.startsWith('[')
    ? parseDomainLiteral(rawDomain)
    : parseHostName(rawDomain);
  if (!domain.ok) return domain;

  const normalized = `${localPart}@${domain.ascii}`;
  if (octets(normalized) > MAX_ADDRESS_OCTETS) {
    return invalid(`the address is longer than ${MAX_ADDRESS_OCTETS} octets`);
  }
  return {
    ok: true,
    localPart,
    domain: domain.ascii,
    unicodeDomain: domain.unicode,
    normalized,
    domainLiteral: domain.literalIp !== null,
    literalIp: domain.literalIp,
    asciiLocalPart: isAscii(localPart),
  };
}

function invalid(problem: string): InvalidAddress {
  return { ok: false, problem };
}

function octets(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function isAscii(text: string): boolean {
  return /^[\u0000-\u007f]*$/.test(text);
}

function describeCharacter(char: string): string {
  return UNICODE_SPACE.test(char) ? 'a space' : `"${char}"`;
}

type SplitResult = { ok: true; localPart: string; rawDomain: string } | InvalidAddress;

function splitAtSign(address: string): SplitResult {
  if (address.startsWith('"')) return splitAfterQuotedLocalPart(address);
  const at = address.indexOf('@');
  if (at === -1) return invalid('the address has no "@"');
  if (address.indexOf('@', at + 1) !== -1) {
    return invalid('the address has more than one "@" outside quotes');
  }
  return { ok: true, localPart: address.slice(0, at), rawDomain: address.slice(at + 1) };
}

function splitAfterQuotedLocalPart(address: string): SplitResult {
  const closingQuote = findClosingQuote(address);
  if (closingQuote === -1) return invalid('the quoted local part has no closing quote');
  const end = closingQuote + 1;
  if (address[end] !== '@') {
    return invalid('a quoted local part must be followed directly by "@"');
  }
  const rawDomain = address.slice(end + 1);
  if (rawDomain.includes('@')) return invalid('the address has more than one "@" outside quotes');
  return { ok: true, localPart: address.slice(0, end), rawDomain };
}

/** Index of the quote that closes the string opened at index 0, or -1. */
function findClosingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function checkLocalPart(localPart: string): string | null {
  if (localPart === '') return 'the local part (before "@") is empty';
  const problem = localPart.startsWith('"')
    ? checkQuotedLocalPart(localPart)
    : checkDotString(localPart);
  if (problem !== null) return problem;
  if (octets(localPart) > MAX_LOCAL_PART_OCTETS) {
    return `the local part is longer than ${MAX_LOCAL_PART_OCTETS} octets`;
  }
  return null;
}

function checkDotString(localPart: string): string | null {
  if (localPart.startsWith('.') || localPart.endsWith('.')) {
    return 'the local part starts or ends with a dot';
  }
  if (localPart.includes('..')) return 'the local part has two dots in a row';
  for (const char of localPart) {
    if (char !== '.' && !isAtomCharacter(char)) {
      return `the local part contains ${describeCharacter(char)} outside quotes`;
    }
  }
  return null;
}

function isAtomCharacter(char: string): boolean {
  if (isAscii(char)) return ATEXT_ASCII.test(char);
  // Non-ASCII is allowed (RFC 6531), but a Unicode space outside quotes is still a space.
  return !UNICODE_SPACE.test(char);
}

/** localPart runs from the opening quote to the closing quote, both included. */
function checkQuotedLocalPart(localPart: string): string | null {
  const content = localPart.slice(1, -1);
  for (let i = 0; i < content.length; i++) {
    const char = content[i] ?? '';
    if (char === '\\') {
      i++;
      const escaped = content[i] ?? '';
      if (!isPrintableAscii(escaped)) {
        return 'a backslash in the quoted local part must escape a printable ASCII character';
      }
    } else if (!isQuotedTextCharacter(char)) {
      return `the quoted local part contains ${describeCharacter(char)} without a backslash`;
    }
  }
  return null;
}

function isPrintableAscii(char: string): boolean {
  return /^[\u0020-\u007e]$/.test(char);
}

function isQuotedTextCharacter(char: string): boolean {
  if (!isAscii(char)) return true;
  return isPrintableAscii(char) && char !== '"' && char !== '\\';
}

type DomainResult =
  | { ok: true; ascii: string; unicode: string; literalIp: string | null }
  | InvalidAddress;

function parseDomainLiteral(rawDomain: string): DomainResult {
  if (!rawDomain.endsWith(']')) return invalid('the domain literal has no closing "]"');
  const content = rawDomain.slice(1, -1);
  const ipv6 = /^IPv6:(.*)$/i.exec(content);
  if (ipv6) return ipv6Literal(ipv6[1] ?? '');
  if (content.includes(':')) {
    return invalid('only IPv4 and IPv6 addresses are supported inside "[...]"');
  }
  if (isIP(content) !== 4) return invalid('the domain literal is not a valid IPv4 address');
  const literal = `[${content}]`;
  return { ok: true, ascii: literal, unicode: literal, literalIp: content };
}

function ipv6Literal(ip: string): DomainResult {
  // isIP accepts zone ids ("fe80::1%eth0"), which only mean something on this machine.
  if (ip.includes('%') || isIP(ip) !== 6) {
    return invalid('the domain literal is not a valid IPv6 address');
  }
  const lowered = ip.toLowerCase();
  const literal = `[IPv6:${lowered}]`;
  return { ok: true, ascii: literal, unicode: literal, literalIp: lowered };
}

function parseHostName(rawDomain: string): DomainResult {
  const rawProblem = checkRawHostName(rawDomain);
  if (rawProblem !== null) return invalid(rawProblem);
  const ascii = domainToASCII(rawDomain);
  if (ascii === '') return invalid('the domain is not a valid host name');
  const asciiProblem = checkAsciiHostName(ascii);
  if (asciiProblem !== null) return invalid(asciiProblem);
  return { ok: true, ascii, unicode: domainToUnicode(ascii), literalIp: null };
}

/** Checks made before UTS-46 processing, so the message can name what the user typed. */
function checkRawHostName(rawDomain: string): string | null {
  if (rawDomain === '') return 'the domain (after "@") is empty';
  for (const char of rawDomain) {
    if (isAscii(char) && !RAW_DOMAIN_CHARACTER.test(char)) {
      return `the domain contains ${describeCharacter(char)}`;
    }
  }
  return checkDots(rawDomain);
}

function checkDots(domain: string): string | null {
  if (domain.endsWith('.')) return 'the domain ends with a dot';
  if (domain.startsWith('.')) return 'the domain starts with a dot';
  if (domain.includes('..')) return 'the domain has two dots in a row';
  return null;
}

/** UTS-46 can map characters (e.g. "。" to "."), so the result is checked again. */
function checkAsciiHostName(ascii: string): string | null {
  const dotProblem = checkDots(ascii);
  if (dotProblem !== null) return dotProblem;
  if (ascii.length > MAX_DOMAIN_OCTETS) {
    return `the domain is longer than ${MAX_DOMAIN_OCTETS} octets`;
  }
  const labels = ascii.split('.');
  if (labels.length < 2) return 'the domain needs at least one dot (like example.com)';
  for (const label of labels) {
    const problem = checkLabel(label);
    if (problem !== null) return problem;
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) {
    return 'the top-level domain cannot be all digits';
  }
  return null;
}

function checkLabel(label: string): string | null {
  if (label.length > MAX_LABEL_OCTETS) {
    return `a domain label is longer than ${MAX_LABEL_OCTETS} octets`;
  }
  if (label.startsWith('-') || label.endsWith('-')) {
    return 'a domain label starts or ends with a hyphen';
  }
  if (!LDH_LABEL.test(label)) {
    return 'the domain may only contain letters, digits, hyphens and dots';
  }
  return null;
}
