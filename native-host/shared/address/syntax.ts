import type { VerificationResult } from '../result.js';
import { verdictOf } from '../verdicts.js';

// Mailbox syntax of RFC 5321 (section 4.1.2), with UTF-8 local parts from RFC 6531.
// Addresses come from web pages and end up inside SMTP command lines, so anything that
// could end or extend such a line (control characters, angle brackets, spaces outside a
// quoted string) is rejected, not cleaned up.
// Platform-neutral: the engine (Node) and the extension's content script (browser) apply
// these same rules, so nothing here imports Node modules.

export interface ParsedAddress {
  ok: true;
  /** As written, including the quotes of a quoted local part; case is kept. */
  localPart: string;
  /** Lower-case ASCII host name (IDNs as A-labels), or the bracketed domain literal. */
  domain: string;
  /** localPart@domain */
  normalized: string;
  domainLiteral: boolean;
  /** The IP address inside a domain literal, or null for a host name. */
  literalIp: string | null;
  /** false when the local part has non-ASCII characters, so delivery needs SMTPUTF8. */
  asciiLocalPart: boolean;
}

interface InvalidAddress {
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
/** An ASCII dot-atom (RFC 5322 §3.2.3), the local part of nearly every address: valid as it is. */
const ASCII_DOT_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;

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

  const domain = rawDomain.startsWith('[') ? parseDomainLiteral(rawDomain) : parsedHostName(rawDomain);
  if (!domain.ok) return domain;

  const normalized = `${localPart}@${domain.ascii}`;
  if (octets(normalized) > MAX_ADDRESS_OCTETS) {
    return invalid(`the address is longer than ${MAX_ADDRESS_OCTETS} octets`);
  }
  return {
    ok: true,
    localPart,
    domain: domain.ascii,
    normalized,
    domainLiteral: domain.literalIp !== null,
    literalIp: domain.literalIp,
    asciiLocalPart: isAscii(localPart),
  };
}

function invalid(problem: string): InvalidAddress {
  return { ok: false, problem };
}

const UTF8 = new TextEncoder();

function octets(text: string): number {
  return isAscii(text) ? text.length : UTF8.encode(text).length;
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
  const problem = localPart.startsWith('"') ? checkQuotedLocalPart(localPart) : checkDotString(localPart);
  if (problem !== null) return problem;
  if (octets(localPart) > MAX_LOCAL_PART_OCTETS) {
    return `the local part is longer than ${MAX_LOCAL_PART_OCTETS} octets`;
  }
  return null;
}

function checkDotString(localPart: string): string | null {
  if (ASCII_DOT_ATOM.test(localPart)) return null;
  // Otherwise walked character by character, to name what is wrong.
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

type DomainResult = { ok: true; ascii: string; literalIp: string | null } | InvalidAddress;

function parseDomainLiteral(rawDomain: string): DomainResult {
  if (!rawDomain.endsWith(']')) return invalid('the domain literal has no closing "]"');
  const content = rawDomain.slice(1, -1);
  const ipv6 = /^IPv6:(.*)$/i.exec(content);
  if (ipv6) return ipv6Literal(ipv6[1] ?? '');
  if (content.includes(':')) {
    return invalid('only IPv4 and IPv6 addresses are supported inside "[...]"');
  }
  if (!isIPv4(content)) return invalid('the domain literal is not a valid IPv4 address');
  const literal = `[${content}]`;
  return { ok: true, ascii: literal, literalIp: content };
}

function ipv6Literal(ip: string): DomainResult {
  // Zone ids ("fe80::1%eth0") only mean something on one machine: isIPv6 refuses them.
  if (!isIPv6(ip)) {
    return invalid('the domain literal is not a valid IPv6 address');
  }
  const lowered = ip.toLowerCase();
  const literal = `[IPv6:${lowered}]`;
  return { ok: true, ascii: literal, literalIp: lowered };
}

// Lists hold many addresses per domain, and the host name checks (UTS-46 through the URL
// parser, punycode, label rules) cost more than the rest of parsing: each domain is parsed
// once. Bounded: past this many distinct domains the memory starts over.
const MAX_REMEMBERED_DOMAINS = 10_000;
const hostNames = new Map<string, DomainResult>();

function parsedHostName(rawDomain: string): DomainResult {
  let result = hostNames.get(rawDomain);
  if (result) return result;
  result = parseHostName(rawDomain);
  if (hostNames.size >= MAX_REMEMBERED_DOMAINS) hostNames.clear();
  hostNames.set(rawDomain, result);
  return result;
}

function parseHostName(rawDomain: string): DomainResult {
  const rawProblem = checkRawHostName(rawDomain);
  if (rawProblem !== null) return invalid(rawProblem);
  const ascii = domainToAscii(rawDomain);
  if (ascii === '') return invalid('the domain is not a valid host name');
  const asciiProblem = checkAsciiHostName(ascii);
  if (asciiProblem !== null) return invalid(asciiProblem);
  return { ok: true, ascii, literalIp: null };
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

// ---------------------------------------------------------------- platform-neutral helpers
// Node's node:net and node:url do not exist in a content script; these do the same jobs with
// what every JavaScript runtime has (the WHATWG URL parser) and a little code.

/** Characters that would end or reshape the host part of a URL; refused before parsing. */
const URL_STRUCTURE_CHARACTER = /[/?#@:[\]\\%\s]/;

/** UTS-46 ToASCII (as browsers apply it to URLs), or '' when the host is not valid. */
function domainToAscii(host: string): string {
  if (URL_STRUCTURE_CHARACTER.test(host)) return '';
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return '';
  }
}

const IPV4_PART = /^(?:0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP = /^[0-9a-f]{1,4}$/i;

/** Dotted-decimal IPv4 ("192.0.2.1"): four parts 0-255, no leading zeros. */
export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => IPV4_PART.test(part) && Number(part) <= 255);
}

/** An IPv6 address in RFC 4291 text form, with at most one "::" and an optional IPv4 tail. */
export function isIPv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  let count = 0;
  for (const [index, group] of groups.entries()) {
    const isLast = index === groups.length - 1;
    if (isLast && group.includes('.') && text.endsWith(group) && isIPv4(group)) count += 2;
    else if (IPV6_GROUP.test(group)) count += 1;
    else return false;
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

/**
 * The whole verdict for text that is not an address: there is nothing to ask a server. It is
 * the judge's decision 'syntax-invalid' (engine/judge.ts; a unit test holds the two together),
 * written out so that the content script does not load the judge's reply tables.
 */
export function invalidSyntaxResult(address: string, problem: string): VerificationResult {
  return {
    address,
    normalized: null,
    verdict: verdictOf('invalid_syntax'),
    reason: 'invalid_syntax',
    rule: 'syntax-invalid',
    mx: null,
    smtp: null,
    flags: { disposable: false, role: false, free: false, catchAll: null },
    suggestion: null,
    detail: `Not a valid address: ${problem}.`,
  };
}
