// The value parsers of every setting (the table that names where each one is given is
// table.ts). Each returns the value or what is wrong with it, in words that read after the
// setting's name, so a bad value gets the same words from the CLI, the config file, the
// environment, the protocol and the options page.
//
// Pure TypeScript, no Node and no DOM: the extension imports it.

import type { CheckLevel, SocksProxy } from '../protocol/messages.js';
import { isIPv4, isIPv6, parseAddress } from '../address/syntax.js';

/**
 * A checked value, or what is wrong with it. `problem` reads after the setting's name
 * ("--proxy takes ...", "MXLENS_PROXY takes ..."); `code` names the kind of problem for
 * translations (the options page) and the protocol's error codes (`type` = wrong_type).
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; code: ProblemCode; problem: string };
export type ProblemCode =
  'type' | 'range' | 'proxyFormat' | 'proxyScheme' | 'proxyHostPort' | 'proxyExtra' | 'helo' | 'sender' | 'value';

export const good = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(problem: string, code: ProblemCode = 'value'): Parsed<T> => ({ ok: false, code, problem });

export interface ServeKey {
  name: string;
  key: string;
}

export const RANGES = {
  timeoutMs: [100, 600_000],
  greylistWaitMs: [0, 3_600_000],
  concurrency: [1, 256],
  smtpPort: [1, 65_535],
  serveRatePerMinute: [1, 1_000_000],
  serveDailyQuota: [1, 1_000_000_000],
  workerStallMs: [1_000, 600_000],
} as const;

/** Highest accepted budget rate: above that, 0 (off) says what is meant. */
const MAX_BUDGET_RATE = 100_000;

const LEVELS: readonly CheckLevel[] = ['syntax', 'dns', 'smtp'];

function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

export function parseWholeNumber(value: unknown, min: number, max: number): Parsed<number> {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    return bad(
      `takes a whole number from ${min} to ${max}, not ${quote(value)}`,
      typeof value === 'number' ? 'range' : 'type',
    );
  }
  return good(value);
}

export function parseBoolean(value: unknown): Parsed<boolean> {
  return typeof value === 'boolean' ? good(value) : bad(`takes true or false, not ${quote(value)}`, 'type');
}

export function parseText(value: unknown, example: string): Parsed<string> {
  return typeof value === 'string' ? good(value) : bad(`takes ${example} in quotes, not ${quote(value)}`, 'type');
}

export function parseList<T>(value: unknown, example: string, item: (text: string) => Parsed<T>): Parsed<T[]> {
  if (!Array.isArray(value) || !value.every((entry): entry is string => typeof entry === 'string')) {
    return bad(`takes a list like ${example}, not ${quote(value)}`, 'type');
  }
  const items: T[] = [];
  for (const entry of value) {
    const parsed = item(entry);
    if (!parsed.ok) return parsed;
    items.push(parsed.value);
  }
  return good(items);
}

export function parseLevel(value: unknown): Parsed<CheckLevel> {
  const level = LEVELS.find((candidate) => candidate === value);
  return level
    ? good(level)
    : bad(`takes one of ${LEVELS.join(', ')}, not ${quote(value)}`, typeof value === 'string' ? 'value' : 'type');
}

/** "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353". */
export function parseDnsServer(text: string): Parsed<string> {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const hostPort = /^([^:]+)(?::(\d{1,5}))?$/.exec(text);
  const [host, port] = bracketed
    ? [bracketed[1]!, bracketed[2]]
    : hostPort
      ? [hostPort[1]!, hostPort[2]]
      : [text, undefined];
  const portOk = port === undefined || (Number(port) >= 1 && Number(port) <= 65_535);
  if (!(isIPv4(host) || isIPv6(host)) || !portOk)
    return bad(`takes an IP address with an optional port, like 1.1.1.1 or [::1]:5353, not ${quote(text)}`);
  return good(text);
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** A host name, or an address literal like [192.0.2.1] or [IPv6:2001:db8::1] (RFC 5321). */
export function parseHeloName(value: unknown): Parsed<string> {
  const text = parseText(value, 'a host name');
  if (!text.ok) return text;
  const literal = /^\[(?:IPv6:(.+)|(.+))\]$/i.exec(text.value);
  const valid = literal
    ? literal[1] !== undefined
      ? isIPv6(literal[1])
      : isIPv4(literal[2]!)
    : HOST_NAME.test(text.value);
  return valid
    ? text
    : bad(`takes a host name or an address literal like [192.0.2.1], not ${quote(text.value)}`, 'helo');
}

/** MAIL FROM: an address of yours, normalized; "" or "<>" is the null sender. */
export function parseSender(value: unknown): Parsed<string> {
  const text = parseText(value, 'an email address (or "" for the null sender <>)');
  if (!text.ok) return text;
  if (text.value === '' || text.value === '<>') return good('');
  const parsed = parseAddress(text.value);
  if (!parsed.ok)
    return bad(`takes an email address of yours (or "" for <>), not ${quote(text.value)}: ${parsed.problem}`, 'sender');
  return good(parsed.normalized);
}

/** The text as a URL; if it is none, a problem that shows an example and hides any password. */
function parseUrl(text: string, example: string, code: ProblemCode = 'value'): Parsed<URL> {
  try {
    return good(new URL(text));
  } catch {
    return bad(`takes a URL like ${example}, not ${quote(text.replace(/:[^:@/]*@/, ':***@'))}`, code);
  }
}

/** socks5://[user:pass@]host:port (or socks5h://); "" or null is no proxy. SOCKS5 only: it must carry raw TCP to port 25. */
export function parseProxy(value: unknown): Parsed<SocksProxy | null> {
  if (value === null || value === '') return good(null);
  const text = parseText(value, 'a URL like "socks5://127.0.0.1:1080" (or "" for none)');
  if (!text.ok) return text;
  const parsed = parseUrl(text.value, 'socks5://127.0.0.1:1080', 'proxyFormat');
  if (!parsed.ok) return parsed;
  const url = parsed.value;
  if (url.protocol !== 'socks5:' && url.protocol !== 'socks5h:')
    return bad(`supports socks5:// only, not ${quote(url.protocol)}`, 'proxyScheme');
  if (!url.hostname || !url.port || url.port === '0')
    return bad('needs a host and a port, as in socks5://127.0.0.1:1080', 'proxyHostPort');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    return bad(`takes a URL without path, query or fragment, not ${quote(text.value)}`, 'proxyExtra');
  }
  if (url.password && !url.username) return bad('has a password but no user name', 'proxyFormat');
  const proxy: SocksProxy = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) };
  try {
    if (url.username) proxy.userId = decodeURIComponent(url.username);
    if (url.password) proxy.password = decodeURIComponent(url.password);
  } catch {
    return bad('has a user name or password that is not valid percent-encoding (write % as %25)', 'proxyFormat');
  }
  return good(proxy);
}

/** socks5://host:port, without the password. */
export function describeProxy(proxy: SocksProxy | null): string {
  if (!proxy) return 'no proxy';
  const host = proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host;
  return `socks5://${proxy.userId ? `${proxy.userId}@` : ''}${host}:${proxy.port}`;
}

/** An absolute path on any system (the config file may be written on another). */
function isAbsolutePath(file: string): boolean {
  return file.startsWith('/') || /^[a-z]:[\\/]/i.test(file) || file.startsWith('\\\\');
}

export function parsePath(value: unknown, emptyIs: string | null): Parsed<string> {
  const text = parseText(value, `a file path${emptyIs ? ` (or "" for ${emptyIs})` : ''}`);
  if (!text.ok || (text.value === '' && emptyIs)) return text;
  return isAbsolutePath(text.value) ? text : bad(`takes an absolute path, not ${quote(text.value)}`);
}

/** "HOST:PORT" or "[IPv6]:PORT" → its parts. */
export function parseListen(value: unknown): Parsed<{ host: string; port: number }> {
  const match = typeof value === 'string' ? /^(?:\[([0-9a-f:.]+)\]|([^:\s]+)):(\d{1,5})$/i.exec(value) : null;
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65_535) return bad(`takes HOST:PORT like 127.0.0.1:8025, not ${quote(value)}`);
  return good({ host: match[1] ?? match[2]!, port });
}

/** http(s)://host[:port][/base] of an MX Lens server; "" (or null) is none. */
export function parseServerUrl(value: unknown): Parsed<string | null> {
  if (value === null || value === '') return good(null);
  const text = parseText(value, 'a URL like "https://mxlens.example.com"');
  if (!text.ok) return text;
  const parsed = parseUrl(text.value, 'https://mxlens.example.com');
  if (!parsed.ok) return parsed;
  const url = parsed.value;
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return bad(`takes an http:// or https:// URL, not ${quote(url.protocol)}`);
  if (url.search || url.hash || url.username)
    return bad(`takes a URL without query, fragment or user name, not ${quote(text.value)}`);
  return good(url.href.replace(/\/+$/, ''));
}

/** postgres://[user[:password]@]host[:port]/database[?...], as libpq and the pg module read it; "" is none. */
export function parsePostgresUrl(value: unknown): Parsed<string> {
  const text = parseText(value, 'a URL like "postgres://mxlens@db.example.com/mxlens"');
  if (!text.ok || text.value === '') return text;
  const parsed = parseUrl(text.value, 'postgres://mxlens@db.example.com/mxlens');
  if (!parsed.ok) return parsed;
  const url = parsed.value;
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    return bad(`takes a postgres:// URL, not ${quote(`${url.protocol}//...`)}`);
  if (url.pathname.length <= 1)
    return bad('names no database: add it after the host, like postgres://mxlens@db.example.com/mxlens');
  return text;
}

/** redis://[user:password@]host[:port][/db] or rediss://…; "" is none. */
export function parseRedisUrl(value: unknown): Parsed<string> {
  const text = parseText(value, 'a URL like "redis://127.0.0.1:6379"');
  if (!text.ok || text.value === '') return text;
  const parsed = parseUrl(text.value, 'redis://127.0.0.1:6379');
  if (!parsed.ok) return parsed;
  const url = parsed.value;
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    return bad(`takes a redis:// or rediss:// URL, not ${quote(url.protocol)}`);
  return text;
}

/** An IP address of this machine for outgoing connections; "" (or null) is the system's choice. */
export function parseSourceAddress(value: unknown): Parsed<string | null> {
  if (value === null || value === '') return good(null);
  const text = parseText(value, 'an IP address like 192.0.2.10');
  if (!text.ok) return text;
  return isIPv4(text.value) || isIPv6(text.value)
    ? good(text.value)
    : bad(`takes an IP address of this machine, like 192.0.2.10, not ${quote(text.value)}`);
}

/** An origin as browsers send it: scheme://host[:port], nothing more. */
export function parseOrigin(text: string): Parsed<string> {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s]+)$/i.exec(text.trim());
  if (!match) return bad(`takes origins like chrome-extension://ID or https://app.example.com, not ${quote(text)}`);
  return good(`${match[1]!.toLowerCase()}://${match[2]}`);
}

export function parseDomain(value: unknown): Parsed<string> {
  const text = parseText(value, 'a domain name');
  if (!text.ok) return text;
  if (!HOST_NAME.test(text.value) || !text.value.includes('.'))
    return bad(`takes a domain name that receives mail, like gmail.com, not ${quote(text.value)}`);
  return good(text.value.toLowerCase());
}

const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** The name of an API key (of MXLENS_SERVE_KEYS or `mxlens serve keys add NAME`). */
export function parseKeyName(text: string): Parsed<string> {
  if (KEY_NAME.test(text)) return good(text);
  return bad(`takes key names (letters, digits, . _ -), not ${quote(text)}`);
}

/** MXLENS_SERVE_KEYS: "name:key[,name:key...]". */
export function parseServeKeys(value: unknown): Parsed<ServeKey[]> {
  const text = parseText(value, 'name:key pairs');
  if (!text.ok) return text;
  const keys: ServeKey[] = [];
  for (const item of text.value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const colon = item.indexOf(':');
    const name = colon > 0 ? item.slice(0, colon) : '';
    const key = colon > 0 ? item.slice(colon + 1) : '';
    if (!KEY_NAME.test(name))
      return bad(`takes name:key pairs; "${item.slice(0, 20)}…" has no valid name (letters, digits, . _ -)`);
    if (key.length < 16) return bad(`has the key of "${name}" shorter than 16 characters: use a long random key`);
    if (keys.some((known) => known.name === name)) return bad(`names "${name}" twice`);
    keys.push({ name, key });
  }
  return good(keys);
}

/** An environment variable's or a flag's word for yes or no. */
export function parseBooleanWord(text: string): Parsed<boolean> {
  const word = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(word)) return good(true);
  if (['0', 'false', 'no', 'off'].includes(word)) return good(false);
  return bad(`takes 1 or 0 (also true/false, yes/no), not ${quote(text)}`, 'type');
}

/** A budget (engine/budgets.ts): a whole number per minute, 0 for no limit. */
export function parseBudgetRate(value: unknown): Parsed<number> {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_BUDGET_RATE)
    return good(value);
  return bad(`takes a whole number per minute from 0 (no limit) to ${MAX_BUDGET_RATE}, not ${quote(value)}`, 'range');
}

export function mapParsed<T, U>(parsed: Parsed<T>, map: (value: T) => U): Parsed<U> {
  return parsed.ok ? good(map(parsed.value)) : parsed;
}
