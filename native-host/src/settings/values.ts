// Every setting of MX Lens, once: its one name, where it may be given (CLI flag, environment
// variable, config file, a verify request's options), how its value is checked and how it is
// described. The CLI (cli/verify-args.ts), the settings loader (settings.ts, `mxlens config
// show`), the protocol (protocol/validate.ts), the server and the extension's options page all
// read this table, so one value gets the same verdict and the same words everywhere.
//
// Pure TypeScript, no Node and no DOM: the extension imports it (type-only imports aside).

import type { BudgetName, BudgetRates } from '../engine/budgets.js';
import type { CheckLevel, SocksProxy, VerifyOptions } from '../engine/options.js';
import { parseAddress } from '../engine/syntax.js';

/**
 * A checked value, or what is wrong with it. `problem` reads after the setting's name
 * ("--proxy takes ...", "MXLENS_PROXY takes ..."); `code` names the kind of problem for
 * translations (the options page) and the protocol's error codes (`type` = wrong_type).
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; code: ProblemCode; problem: string };
export type ProblemCode = 'type' | 'range' | 'proxyFormat' | 'proxyScheme' | 'proxyHostPort' | 'proxyExtra' | 'helo' | 'sender' | 'value';

const good = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(problem: string, code: ProblemCode = 'value'): Parsed<T> => ({ ok: false, code, problem });

// ---------------------------------------------------------------- the settings themselves

export interface SettingsProblem {
  /** Where the bad value is: an environment variable name, or `config.json "key"`. */
  setting: string;
  message: string;
}

export interface ServeKey {
  name: string;
  key: string;
}

export interface ServeSettings {
  /** HOST:PORT to listen on. */
  listen: string;
  /** Where the server keeps its database (API keys, bulk jobs, usage). */
  dataDir: string;
  /** API keys from MXLENS_SERVE_KEYS (environment only: secrets stay out of config files). */
  keys: ServeKey[];
  /** Browser origins allowed to call the server (CORS), e.g. chrome-extension://ID. */
  corsOrigins: string[];
  /** Requests per minute per API key. */
  ratePerMinute: number;
  /** Addresses checked per API key per UTC day. */
  dailyQuota: number;
  /** May a request choose the SMTP port (Reacher's `smtp_port`)? */
  allowRequestSmtpPort: boolean;
  /** May a request name its own SOCKS5 proxy (Reacher's `proxy`, the native `options.proxy`)? */
  allowRequestProxy: boolean;
  /** The server's structured log: "" = stderr. */
  logFile: string;
  /** Whose mail servers /v1/health connects to, to tell whether outbound port 25 works. */
  probeDomain: string;
}

export interface Settings {
  verify: VerifyOptions;
  /** `mxlens serve`: the team server's own settings. */
  serve: ServeSettings;
  /** Where `mxlens verify` sends the work: null = check from this machine. */
  server: { url: string | null; key: string | null };
  /** The host's log file; "" = no file (stderr only), when MXLENS_LOG or "logFile" is set to "". */
  logFile: string;
  /** Where the config file is looked for (it need not exist). */
  configFile: string;
  problems: SettingsProblem[];
}

// ---------------------------------------------------------------- value parsers

export const RANGES = {
  timeoutMs: [100, 600_000],
  greylistWaitMs: [0, 3_600_000],
  concurrency: [1, 256],
  smtpPort: [1, 65_535],
  serveRatePerMinute: [1, 1_000_000],
  serveDailyQuota: [1, 1_000_000_000],
} as const;

/** Highest accepted budget rate: above that, 0 (off) says what is meant. */
export const MAX_BUDGET_RATE = 100_000;

export const LEVELS: readonly CheckLevel[] = ['syntax', 'dns', 'smtp'];

function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

export function parseWholeNumber(value: unknown, min: number, max: number): Parsed<number> {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    return bad(`takes a whole number from ${min} to ${max}, not ${quote(value)}`, typeof value === 'number' ? 'range' : 'type');
  }
  return good(value);
}

export function parseBoolean(value: unknown): Parsed<boolean> {
  return typeof value === 'boolean' ? good(value) : bad(`takes true or false, not ${quote(value)}`, 'type');
}

function parseText(value: unknown, example: string): Parsed<string> {
  return typeof value === 'string' ? good(value) : bad(`takes ${example} in quotes, not ${quote(value)}`, 'type');
}

function parseList<T>(value: unknown, example: string, item: (text: string) => Parsed<T>): Parsed<T[]> {
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
  return level ? good(level) : bad(`takes one of ${LEVELS.join(', ')}, not ${quote(value)}`, typeof value === 'string' ? 'value' : 'type');
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

/** The WHATWG URL parser knows IPv6 (it is in every browser and in Node). */
export function isIPv6(text: string): boolean {
  if (!/^[0-9a-f:.]+$/i.test(text) || !text.includes(':')) return false;
  try {
    new URL(`http://[${text}]/`);
    return true;
  } catch {
    return false;
  }
}

/** "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353". */
export function parseDnsServer(text: string): Parsed<string> {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const hostPort = /^([^:]+)(?::(\d{1,5}))?$/.exec(text);
  const [host, port] = bracketed ? [bracketed[1]!, bracketed[2]] : hostPort ? [hostPort[1]!, hostPort[2]] : [text, undefined];
  const portOk = port === undefined || (Number(port) >= 1 && Number(port) <= 65_535);
  if (!(isIPv4(host) || isIPv6(host)) || !portOk) return bad(`takes an IP address with an optional port, like 1.1.1.1 or [::1]:5353, not ${quote(text)}`);
  return good(text);
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** A host name, or an address literal like [192.0.2.1] or [IPv6:2001:db8::1] (RFC 5321). */
export function parseHeloName(value: unknown): Parsed<string> {
  const text = parseText(value, 'a host name');
  if (!text.ok) return text;
  const literal = /^\[(?:IPv6:(.+)|(.+))\]$/i.exec(text.value);
  const valid = literal ? (literal[1] !== undefined ? isIPv6(literal[1]) : isIPv4(literal[2]!)) : HOST_NAME.test(text.value);
  return valid ? text : bad(`takes a host name or an address literal like [192.0.2.1], not ${quote(text.value)}`, 'helo');
}

/** MAIL FROM: an address of yours, normalized; "" or "<>" is the null sender. */
export function parseSender(value: unknown): Parsed<string> {
  const text = parseText(value, 'an email address (or "" for the null sender <>)');
  if (!text.ok) return text;
  if (text.value === '' || text.value === '<>') return good('');
  const parsed = parseAddress(text.value);
  if (!parsed.ok) return bad(`takes an email address of yours (or "" for <>), not ${quote(text.value)}: ${parsed.problem}`, 'sender');
  return good(parsed.normalized);
}

/** socks5://[user:pass@]host:port (or socks5h://); "" or null is no proxy. SOCKS5 only: it must carry raw TCP to port 25. */
export function parseProxy(value: unknown): Parsed<SocksProxy | null> {
  if (value === null || value === '') return good(null);
  const text = parseText(value, 'a URL like "socks5://127.0.0.1:1080" (or "" for none)');
  if (!text.ok) return text;
  let url: URL;
  try {
    url = new URL(text.value);
  } catch {
    return bad(`takes a URL like socks5://127.0.0.1:1080, not ${quote(text.value)}`, 'proxyFormat');
  }
  if (url.protocol !== 'socks5:' && url.protocol !== 'socks5h:') return bad(`supports socks5:// only, not ${quote(url.protocol)}`, 'proxyScheme');
  if (!url.hostname || !url.port) return bad('needs a host and a port, as in socks5://127.0.0.1:1080', 'proxyHostPort');
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
export function isAbsolutePath(file: string): boolean {
  return file.startsWith('/') || /^[a-z]:[\\/]/i.test(file) || file.startsWith('\\\\');
}

function parsePath(value: unknown, emptyIs: string | null): Parsed<string> {
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
  let url: URL;
  try {
    url = new URL(text.value);
  } catch {
    return bad(`takes a URL like https://mxlens.example.com, not ${quote(text.value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return bad(`takes an http:// or https:// URL, not ${quote(url.protocol)}`);
  if (url.search || url.hash || url.username) return bad(`takes a URL without query, fragment or user name, not ${quote(text.value)}`);
  return good(url.href.replace(/\/+$/, ''));
}

/** An origin as browsers send it: scheme://host[:port], nothing more. */
export function parseOrigin(text: string): Parsed<string> {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s]+)$/i.exec(text.trim());
  if (!match) return bad(`takes origins like chrome-extension://ID or https://app.example.com, not ${quote(text)}`);
  return good(`${match[1]!.toLowerCase()}://${match[2]}`);
}

function parseDomain(value: unknown): Parsed<string> {
  const text = parseText(value, 'a domain name');
  if (!text.ok) return text;
  if (!HOST_NAME.test(text.value) || !text.value.includes('.')) return bad(`takes a domain name that receives mail, like gmail.com, not ${quote(text.value)}`);
  return good(text.value.toLowerCase());
}

/** MXLENS_SERVE_KEYS: "name:key[,name:key...]". */
export function parseServeKeys(value: unknown): Parsed<ServeKey[]> {
  const text = parseText(value, 'name:key pairs');
  if (!text.ok) return text;
  const keys: ServeKey[] = [];
  for (const item of text.value.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const colon = item.indexOf(':');
    const name = colon > 0 ? item.slice(0, colon) : '';
    const key = colon > 0 ? item.slice(colon + 1) : '';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) return bad(`takes name:key pairs; "${item.slice(0, 20)}…" has no valid name (letters, digits, . _ -)`);
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

// ---------------------------------------------------------------- the table

/** How the text of a flag or an environment variable becomes the value a config file holds. */
export type TextForm = 'text' | 'integer' | 'boolean' | 'list';

export interface SettingRow<T = unknown> {
  /** The one name: the config file's key, `config show`'s, a verify request's option, the extension's. */
  key: string;
  /** `mxlens verify --flag` (without "--"), or null. A boolean flag named "no-..." sets false, others true. */
  flag: string | null;
  /** The environment variable, or null. */
  env: string | null;
  /** May the config file set it? (Secrets are environment-only.) */
  configKey: boolean;
  /** May a verify request's `options` set it (protocol/validate.ts)? */
  protocolOption: boolean;
  /** A secret: shown only in words (`describe`), never as its value. */
  secret?: true;
  text: TextForm;
  parse(value: unknown): Parsed<T>;
  /** The value in words, for "...; using X" and `config show`. */
  describe(value: T): string;
  read(settings: Settings): T;
  write(settings: Settings, value: T): void;
}

interface RowSpec<T> extends Partial<Pick<SettingRow<T>, 'flag' | 'env' | 'describe' | 'secret'>> {
  key: string;
  configKey?: boolean;
  protocolOption?: boolean;
  text?: TextForm;
  parse(value: unknown): Parsed<T>;
  read(settings: Settings): T;
  write(settings: Settings, value: T): void;
}

function row<T>(spec: RowSpec<T>): SettingRow<T> {
  return {
    flag: null,
    env: null,
    configKey: true,
    protocolOption: false,
    text: 'text',
    describe: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
    ...spec,
  };
}

function integerRow(key: keyof typeof RANGES, spec: Omit<RowSpec<number>, 'key' | 'parse'>): SettingRow<number> {
  const [min, max] = RANGES[key];
  return row({ key, text: 'integer', parse: (value) => parseWholeNumber(value, min, max), describe: String, ...spec });
}

function booleanRow(key: string, spec: Omit<RowSpec<boolean>, 'key' | 'parse'>): SettingRow<boolean> {
  return row({ key, text: 'boolean', parse: parseBoolean, describe: String, ...spec });
}

const BUDGET_ENV: Readonly<Record<BudgetName, string>> = {
  mxSessionsPerMinute: 'MXLENS_MX_SESSIONS_PER_MINUTE',
  mxRcptsPerMinute: 'MXLENS_MX_RCPTS_PER_MINUTE',
  domainSessionsPerMinute: 'MXLENS_DOMAIN_SESSIONS_PER_MINUTE',
  domainRcptsPerMinute: 'MXLENS_DOMAIN_RCPTS_PER_MINUTE',
  siteChecksPerMinute: 'MXLENS_SITE_CHECKS_PER_MINUTE',
};

/** The budgets (engine/budgets.ts): per-minute rates for every caller; a request cannot change them. */
function budgetRow(name: BudgetName): SettingRow<number> {
  return row({
    key: name,
    env: BUDGET_ENV[name],
    text: 'integer',
    parse: (value) =>
      typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_BUDGET_RATE
        ? good(value)
        : bad(`takes a whole number per minute from 0 (no limit) to ${MAX_BUDGET_RATE}, not ${quote(value)}`, 'range'),
    describe: String,
    read: (s) => s.verify.budgets[name],
    write: (s, value) => {
      s.verify.budgets = { ...s.verify.budgets, [name]: value } as BudgetRates;
    },
  });
}

export const SETTINGS: readonly SettingRow[] = [
  row({
    key: 'dns',
    flag: 'dns',
    env: 'MXLENS_DNS',
    text: 'list',
    parse: (value) => parseList(value, '["1.1.1.1", "9.9.9.9:53"]', parseDnsServer),
    describe: (servers) => (servers.length ? servers.join(', ') : "the system's DNS servers"),
    read: (s) => s.verify.dnsServers,
    write: (s, value) => void (s.verify.dnsServers = value),
  }),
  booleanRow('allowPrivate', { flag: 'allow-private', env: 'MXLENS_ALLOW_PRIVATE', read: (s) => s.verify.allowPrivate, write: (s, value) => void (s.verify.allowPrivate = value) }),
  row({
    key: 'proxy',
    flag: 'proxy',
    env: 'MXLENS_PROXY',
    protocolOption: true,
    parse: parseProxy,
    describe: describeProxy,
    read: (s) => s.verify.proxy,
    write: (s, value) => void (s.verify.proxy = value),
  }),
  row({
    key: 'sender',
    flag: 'from',
    env: 'MXLENS_FROM',
    protocolOption: true,
    parse: parseSender,
    describe: (sender) => sender || 'the null sender <>',
    read: (s) => s.verify.sender,
    write: (s, value) => void (s.verify.sender = value),
  }),
  row({ key: 'heloName', flag: 'helo', env: 'MXLENS_HELO', protocolOption: true, parse: parseHeloName, read: (s) => s.verify.heloName, write: (s, value) => void (s.verify.heloName = value) }),
  row({ key: 'level', flag: 'level', protocolOption: true, parse: parseLevel, read: (s) => s.verify.level, write: (s, value) => void (s.verify.level = value) }),
  integerRow('timeoutMs', { flag: 'timeout', env: 'MXLENS_TIMEOUT', protocolOption: true, read: (s) => s.verify.timeoutMs, write: (s, value) => void (s.verify.timeoutMs = value) }),
  booleanRow('catchAll', { flag: 'no-catch-all', protocolOption: true, read: (s) => s.verify.catchAllProbe, write: (s, value) => void (s.verify.catchAllProbe = value) }),
  integerRow('greylistWaitMs', { flag: 'greylist-wait', protocolOption: true, read: (s) => s.verify.greylistWaitMs, write: (s, value) => void (s.verify.greylistWaitMs = value) }),
  integerRow('concurrency', { flag: 'concurrency', read: (s) => s.verify.concurrency, write: (s, value) => void (s.verify.concurrency = value) }),
  integerRow('smtpPort', { flag: 'smtp-port', configKey: false, read: (s) => s.verify.smtpPort, write: (s, value) => void (s.verify.smtpPort = value) }),
  row({
    key: 'logFile',
    env: 'MXLENS_LOG',
    parse: (value) => parsePath(value, 'no log file'),
    describe: (file) => file || 'no log file',
    read: (s) => s.logFile,
    write: (s, value) => void (s.logFile = value),
  }),
  ...(Object.keys(BUDGET_ENV) as BudgetName[]).map(budgetRow),
  row({
    key: 'server',
    flag: 'server',
    env: 'MXLENS_SERVER',
    parse: parseServerUrl,
    describe: (url) => url ?? 'no server (checks run on this machine)',
    read: (s) => s.server.url,
    write: (s, value) => void (s.server.url = value),
  }),
  row({
    key: 'serverKey',
    env: 'MXLENS_SERVER_KEY',
    secret: true,
    parse: (value) => parseText(value, 'the API key'),
    describe: (key) => (key ? 'the key set before' : 'no key'),
    read: (s) => s.server.key ?? '',
    write: (s, value) => void (s.server.key = value === '' ? null : value),
  }),
  row({ key: 'serveListen', env: 'MXLENS_SERVE_LISTEN', parse: (value) => mapParsed(parseListen(value), () => value as string), read: (s) => s.serve.listen, write: (s, value) => void (s.serve.listen = value) }),
  row({ key: 'serveDataDir', env: 'MXLENS_SERVE_DATA', parse: (value) => parsePath(value, null), read: (s) => s.serve.dataDir, write: (s, value) => void (s.serve.dataDir = value) }),
  row({
    key: 'serveCorsOrigins',
    env: 'MXLENS_SERVE_CORS',
    text: 'list',
    parse: (value) => parseList(value, '["chrome-extension://abcdefghijklmnopabcdefghijklmnop"]', parseOrigin),
    describe: (origins) => (origins.length ? origins.join(', ') : 'no origins (CORS off)'),
    read: (s) => s.serve.corsOrigins,
    write: (s, value) => void (s.serve.corsOrigins = value),
  }),
  integerRow('serveRatePerMinute', { env: 'MXLENS_SERVE_RATE', read: (s) => s.serve.ratePerMinute, write: (s, value) => void (s.serve.ratePerMinute = value) }),
  integerRow('serveDailyQuota', { env: 'MXLENS_SERVE_QUOTA', read: (s) => s.serve.dailyQuota, write: (s, value) => void (s.serve.dailyQuota = value) }),
  booleanRow('serveAllowSmtpPort', { env: 'MXLENS_SERVE_ALLOW_SMTP_PORT', read: (s) => s.serve.allowRequestSmtpPort, write: (s, value) => void (s.serve.allowRequestSmtpPort = value) }),
  booleanRow('serveAllowProxy', { env: 'MXLENS_SERVE_ALLOW_PROXY', read: (s) => s.serve.allowRequestProxy, write: (s, value) => void (s.serve.allowRequestProxy = value) }),
  row({
    key: 'serveLogFile',
    env: 'MXLENS_SERVE_LOG',
    parse: (value) => parsePath(value, 'stderr'),
    describe: (file) => file || 'stderr',
    read: (s) => s.serve.logFile,
    write: (s, value) => void (s.serve.logFile = value),
  }),
  row({ key: 'serveProbeDomain', env: 'MXLENS_SERVE_PROBE_DOMAIN', parse: parseDomain, read: (s) => s.serve.probeDomain, write: (s, value) => void (s.serve.probeDomain = value) }),
  row({
    key: 'serveKeys',
    env: 'MXLENS_SERVE_KEYS',
    configKey: false,
    secret: true,
    parse: parseServeKeys,
    describe: (keys) => (keys.length ? keys.map((key) => key.name).join(', ') : 'no keys from the environment'),
    read: (s) => s.serve.keys,
    write: (s, value) => void (s.serve.keys = value),
  }),
];

/** The row of a setting, by its one name. */
export function settingRow(key: string): SettingRow {
  const found = SETTINGS.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`no setting named ${key}`);
  return found;
}

function mapParsed<T, U>(parsed: Parsed<T>, map: (value: T) => U): Parsed<U> {
  return parsed.ok ? good(map(parsed.value)) : parsed;
}

/** A flag's or an environment variable's text as the value a config file would hold. */
export function valueOfText(form: TextForm, text: string): Parsed<unknown> {
  switch (form) {
    case 'text':
      return good(text);
    case 'integer':
      // Not digits: the text itself goes to the row's parser, whose problem names the range.
      return good(/^\d+$/.test(text) ? Number(text) : text);
    case 'boolean':
      return parseBooleanWord(text);
    case 'list':
      return good(text.split(',').map((item) => item.trim()).filter((item) => item !== ''));
  }
}

/**
 * Writes a checked value into engine options alone (a flag of `mxlens verify`, a verify
 * request's option): those rows touch only the `verify` part of a Settings.
 */
export function writeVerifyOption(options: VerifyOptions, setting: SettingRow, value: unknown): void {
  setting.write({ verify: options } as Settings, value);
}

/** A setting given as text (a flag, an environment variable): converted, then checked. */
export function parseSettingText<T>(setting: SettingRow<T>, text: string): Parsed<T> {
  const value = valueOfText(setting.text, text);
  return value.ok ? setting.parse(value.value) : value;
}
