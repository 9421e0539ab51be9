import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { defaultVerifyOptions, type CheckLevel, type SocksProxy, type VerifyOptions } from '../engine/options.js';
import { parseAddress } from '../../shared/address/syntax.js';
import type { Verdict } from '../../shared/verdicts.js';
import type { VerifyRequestOptions } from '../../shared/protocol/messages.js';
import { parseServerUrl } from '../settings.js';
import { parseStrictArgs, UsageError } from './usage-error.js';

export interface VerifyCommand {
  options: VerifyOptions;
  addresses: string[];
  json: boolean;
  /** --server URL: send the work to an MX Lens server (null: not given; "": check from here). */
  server: string | null;
  /** What the flags asked for, as a server request's options (only flags a server takes). */
  requested: VerifyRequestOptions;
  /** Flags given that only make sense on this machine (the server decides them). */
  localOnly: string[];
  /** Files to read addresses from, one per line; "-" is stdin. */
  inputs: string[];
  /** Verdicts that make the run exit with EXIT_CODES.failOn (for scripts). */
  failOn: Verdict[];
}

/** Flags a server decides for itself: refused with --server rather than silently ignored. */
const LOCAL_ONLY_FLAGS = ['dns', 'smtp-port', 'allow-private', 'proxy', 'concurrency'] as const;

/** What `mxlens verify` exits with; README's "Exit codes" names the same. */
export const EXIT_CODES = { ok: 0, error: 1, usage: 2, failOn: 3 } as const;

const LEVELS: readonly CheckLevel[] = ['syntax', 'dns', 'smtp'];
const FAIL_ON: readonly Verdict[] = ['undeliverable', 'risky', 'unknown'];

/** Bounds of the numeric settings, shared with the config file and environment (settings.ts). */
export const INTEGER_RANGES = {
  timeoutMs: [100, 600_000],
  greylistWaitMs: [0, 3_600_000],
  concurrency: [1, 256],
} as const;

/** Flags override `base` (the settings from config file and environment). */
export function parseVerifyArgs(argv: string[], base: VerifyOptions = defaultVerifyOptions()): VerifyCommand {
  const { values, positionals } = parseStrict(argv);
  const options = { ...base };

  if (values.dns) options.dnsServers = values.dns.map(parseDnsServer);
  if (values['smtp-port'] !== undefined) options.smtpPort = parseInteger('--smtp-port', values['smtp-port'], 1, 65_535);
  if (values['allow-private']) options.allowPrivate = true;
  if (values.helo !== undefined) options.heloName = parseHeloName(values.helo);
  if (values.from !== undefined) options.sender = parseSender(values.from);
  if (values.timeout !== undefined) options.timeoutMs = parseInteger('--timeout', values.timeout, ...INTEGER_RANGES.timeoutMs);
  if (values.level !== undefined) options.level = parseLevel(values.level);
  if (values['no-catch-all']) options.catchAllProbe = false;
  if (values['greylist-wait'] !== undefined) {
    options.greylistWaitMs = parseInteger('--greylist-wait', values['greylist-wait'], ...INTEGER_RANGES.greylistWaitMs);
  }
  if (values.proxy !== undefined) options.proxy = parseProxyUrl(values.proxy);
  if (values.concurrency !== undefined) options.concurrency = parseInteger('--concurrency', values.concurrency, ...INTEGER_RANGES.concurrency);
  if (values.verbose) options.verbose = true;

  const requested: VerifyRequestOptions = {};
  if (values.level !== undefined) requested.level = options.level;
  if (values.from !== undefined) requested.sender = options.sender;
  if (values.helo !== undefined) requested.heloName = options.heloName;
  if (values.timeout !== undefined) requested.timeoutMs = options.timeoutMs;
  if (values['no-catch-all']) requested.catchAll = false;
  if (values['greylist-wait'] !== undefined) requested.greylistWaitMs = options.greylistWaitMs;
  // --server "" checks from here even when MXLENS_SERVER names a server.
  const server = values.server === undefined ? null : values.server === '' ? '' : parseServerFlag(values.server);
  const localOnly = LOCAL_ONLY_FLAGS.filter((flag) => values[flag] !== undefined).map((flag) => `--${flag}`);
  const inputs = values.input ?? [];
  const addresses: string[] = [];
  for (const positional of positionals) {
    if (positional === '-') inputs.push('-');
    else addresses.push(checkNotAFile(positional));
  }
  const failOn = values['fail-on'] === undefined ? [] : parseFailOn(values['fail-on']);
  return { options, addresses, json: values.json ?? false, server, requested, localOnly, inputs, failOn };
}

function parseServerFlag(text: string): string {
  try {
    return parseServerUrl(text);
  } catch (error) {
    throw new UsageError(`--server ${(error as Error).message}`);
  }
}

/**
 * A word without "@" that names a file, or looks like a path, was meant as input: say how,
 * instead of reporting one invalid address called "list.txt".
 */
function checkNotAFile(text: string): string {
  if (text.includes('@')) return text;
  if (existsSync(text) || /[\\/]/.test(text) || /\.(txt|csv|tsv|lst)$/i.test(text)) {
    throw new UsageError(`"${text}" is not an email address; to read addresses from a file, use --input ${text} (or - for stdin)`);
  }
  return text;
}

export function parseFailOn(text: string): Verdict[] {
  const verdicts = text.split(',').map((word) => word.trim());
  const unknown = verdicts.find((word) => !FAIL_ON.includes(word as Verdict));
  if (unknown !== undefined || verdicts.length === 0) {
    throw new UsageError(`--fail-on takes ${FAIL_ON.join(', ')} (comma-separated), not "${text}"`);
  }
  return verdicts as Verdict[];
}

function parseStrict(argv: string[]) {
  return parseStrictArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      input: { type: 'string', multiple: true, short: 'i' },
      'fail-on': { type: 'string' },
      dns: { type: 'string', multiple: true },
      'smtp-port': { type: 'string' },
      'allow-private': { type: 'boolean' },
      helo: { type: 'string' },
      from: { type: 'string' },
      timeout: { type: 'string' },
      level: { type: 'string' },
      'no-catch-all': { type: 'boolean' },
      'greylist-wait': { type: 'string' },
      proxy: { type: 'string' },
      concurrency: { type: 'string' },
      verbose: { type: 'boolean' },
      server: { type: 'string' },
    },
  });
}

export function parseInteger(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} takes a whole number from ${min} to ${max}, not "${text}"`);
  }
  return value;
}

function parseLevel(text: string): CheckLevel {
  const level = LEVELS.find((candidate) => candidate === text);
  if (!level) throw new UsageError(`--level takes one of ${LEVELS.join(', ')}, not "${text}"`);
  return level;
}

/** "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353". */
export function parseDnsServer(text: string): string {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const hostPort = /^([^:]+)(?::(\d+))?$/.exec(text);
  const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : hostPort ? [hostPort[1]!, hostPort[2]] : [text, undefined];
  if (!isIP(host)) throw new UsageError(`--dns takes an IP address with an optional port, not "${text}"`);
  if (port !== undefined) parseInteger('--dns port', port, 1, 65_535);
  return text;
}

export function parseHeloName(text: string): string {
  const isName = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(text);
  const isLiteral = /^\[(?:IPv6:)?[0-9a-f.:]+\]$/i.test(text) && isIP(text.slice(1, -1).replace(/^IPv6:/i, '')) !== 0;
  if (!isName && !isLiteral) throw new UsageError(`--helo takes a host name or an address literal like [192.0.2.1], not "${text}"`);
  return text;
}

export function parseSender(text: string): string {
  if (text === '' || text === '<>') return '';
  const parsed = parseAddress(text);
  if (!parsed.ok) throw new UsageError(`--from takes an email address of yours (or "" for <>): ${parsed.problem}`);
  return parsed.normalized;
}

/** socks5://[user:pass@]host:port — SOCKS5 only: the proxy must carry raw TCP to port 25. */
export function parseProxyUrl(text: string): SocksProxy {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--proxy takes a URL like socks5://127.0.0.1:1080, not "${text}"`);
  }
  if (url.protocol !== 'socks5:' && url.protocol !== 'socks5h:') {
    throw new UsageError(`--proxy supports socks5:// only, not "${url.protocol}"`);
  }
  if (!url.hostname || !url.port) throw new UsageError(`--proxy needs a host and a port, as in socks5://127.0.0.1:1080`);
  const proxy: SocksProxy = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) };
  if (url.username) proxy.userId = decodeURIComponent(url.username);
  if (url.password) proxy.password = decodeURIComponent(url.password);
  return proxy;
}
