import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { INTEGER_RANGES, parseDnsServer, parseHeloName, parseInteger, parseProxyUrl, parseSender } from './cli/verify-args.js';
import { BUDGET_NAMES, MAX_BUDGET_RATE, type BudgetName } from './engine/budgets.js';
import { defaultVerifyOptions, type SocksProxy, type VerifyOptions } from './engine/options.js';
import { defaultLogFile } from './host/log.js';

// The host's and the CLI's settings, from lowest to highest precedence:
//   defaults (defaultVerifyOptions) < config file < environment variables
//   < per-request options from the extension (applied by the host) < CLI flags (applied by the CLI).
// This module does the first three. A bad value is never silently dropped: it is listed in
// `problems` in plain words, and the value below it (config file or default) stays in force.

export interface SettingsProblem {
  /** Where the bad value is: an environment variable name, or `config.json "key"`. */
  setting: string;
  message: string;
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
  /** redis://… of the shared queue (serve puts work on it, workers take it); "" = checks run in process. */
  redis: string;
  /** A worker whose lock on a batch is this old (it died) loses the batch to another worker. */
  workerStallMs: number;
}

/** Bounds of the server's numeric settings. */
export const SERVE_RANGES = {
  serveRatePerMinute: [1, 1_000_000],
  serveDailyQuota: [1, 1_000_000_000],
  workerStallMs: [1_000, 600_000],
} as const;

/** Where `mxlens serve` keeps its data when the settings name no folder. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'win32') return path.win32.join(env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local'), 'mxlens', 'server');
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'mxlens', 'server');
  const data = env.XDG_DATA_HOME && path.posix.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.posix.join(home, '.local', 'share');
  return path.posix.join(data, 'mxlens', 'server');
}

function defaultServeSettings(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): ServeSettings {
  return {
    listen: '127.0.0.1:8025',
    dataDir: defaultDataDir(env, platform, home),
    keys: [],
    corsOrigins: [],
    ratePerMinute: 120,
    dailyQuota: 10_000,
    allowRequestSmtpPort: false,
    allowRequestProxy: false,
    logFile: '',
    probeDomain: 'gmail.com',
    redis: '',
    workerStallMs: 30_000,
  };
}

/** The config file keys: the CLI flags in camelCase. */
export const CONFIG_KEYS = [
  'dns',
  'allowPrivate',
  'proxy',
  'from',
  'helo',
  'timeoutMs',
  'catchAll',
  'greylistWaitMs',
  'concurrency',
  'logFile',
  ...BUDGET_NAMES,
  'server',
  'serverKey',
  'serveListen',
  'serveDataDir',
  'serveCorsOrigins',
  'serveRatePerMinute',
  'serveDailyQuota',
  'serveAllowSmtpPort',
  'serveAllowProxy',
  'serveLogFile',
  'serveProbeDomain',
  'redis',
  'sourceAddress',
  'workerStallMs',
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/**
 * The budgets (engine/budgets.ts): config key, environment variable. Per-minute rates, whole
 * numbers from 0 (off) to MAX_BUDGET_RATE. They apply to every caller; a request from the
 * extension cannot change them.
 */
export const BUDGET_VARIABLES: Readonly<Record<BudgetName, string>> = {
  mxSessionsPerMinute: 'MXLENS_MX_SESSIONS_PER_MINUTE',
  mxRcptsPerMinute: 'MXLENS_MX_RCPTS_PER_MINUTE',
  domainSessionsPerMinute: 'MXLENS_DOMAIN_SESSIONS_PER_MINUTE',
  domainRcptsPerMinute: 'MXLENS_DOMAIN_RCPTS_PER_MINUTE',
  siteChecksPerMinute: 'MXLENS_SITE_CHECKS_PER_MINUTE',
};

function isBudgetKey(key: ConfigKey): key is BudgetName {
  return (BUDGET_NAMES as readonly string[]).includes(key);
}

function budgetProblem(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_BUDGET_RATE) return null;
  return `must be a whole number per minute from 0 (no limit) to ${MAX_BUDGET_RATE}, not ${JSON.stringify(value)}`;
}

/** Where the config file lives on each system. */
export function configFilePath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'win32') {
    const base = env.APPDATA || path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(base, 'mxlens', 'config.json');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'mxlens', 'config.json');
  // XDG: a relative XDG_CONFIG_HOME is invalid and ignored.
  const base = env.XDG_CONFIG_HOME && path.posix.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.posix.join(home, '.config');
  return path.posix.join(base, 'mxlens', 'config.json');
}

export function loadSettings(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): Settings {
  const settings: Settings = {
    verify: defaultVerifyOptions(),
    serve: defaultServeSettings(env, platform, home),
    server: { url: null, key: null },
    logFile: defaultLogFile(env, platform, home),
    configFile: configFilePath(env, platform, home),
    problems: [],
  };
  applyConfigFile(settings, readFileText(settings.configFile));
  applyEnvironment(settings, env);
  return settings;
}

// ------------------------------------------------------------------------ the config file

export type FileRead = { kind: 'missing' } | { kind: 'text'; text: string } | { kind: 'error'; message: string };

/** A config file is a few hundred bytes; anything this big is not one. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Reads the config file without ever blocking: a FIFO or a device at that path would make a
 * plain read wait forever (and the host with it), so the file is opened non-blocking and must
 * be a regular file of sane size.
 */
export function readFileText(file: string): FileRead {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'error', message: `cannot read ${file} (${code ?? (error as Error).message})` };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { kind: 'error', message: `${file} is not a regular file (${fileKind(stat)})` };
    if (stat.size > MAX_CONFIG_BYTES) return { kind: 'error', message: `${file} is ${stat.size} bytes, more than a config file holds (at most ${MAX_CONFIG_BYTES})` };
    return { kind: 'text', text: readFileSync(fd, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { kind: 'error', message: `cannot read ${file} (${code ?? (error as Error).message})` };
  } finally {
    closeSync(fd);
  }
}

function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

/** Applies a config file's text (exported for tests). */
export function applyConfigFile(settings: Settings, read: FileRead): void {
  const file = settings.configFile;
  const fileProblem = (message: string): void => {
    settings.problems.push({ setting: 'config.json', message: `${message}; the whole file is ignored` });
  };
  if (read.kind === 'missing') return;
  if (read.kind === 'error') return fileProblem(read.message);

  let parsed: unknown;
  try {
    parsed = JSON.parse(read.text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return fileProblem(`${file} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fileProblem(`${file} must hold one JSON object, like {"proxy": "socks5://127.0.0.1:1080"}`);
  }

  for (const [key, value] of Object.entries(parsed)) {
    const setting = `config.json "${key}"`;
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      const hint = suggestKey(key);
      settings.problems.push({
        setting,
        message: `unknown setting in ${file}${hint ? ` (did you mean "${hint}"?)` : ''}; known settings: ${CONFIG_KEYS.join(', ')}`,
      });
      continue;
    }
    const problem = applyConfigValue(settings, key as ConfigKey, value);
    if (problem) settings.problems.push({ setting, message: `${problem}; using ${describeCurrent(settings, key as ConfigKey)}` });
  }
}

/** Sets one config value; returns what is wrong with it, or null. */
export function applyConfigValue(settings: Settings, key: ConfigKey, value: unknown): string | null {
  const verify = settings.verify;
  if (isBudgetKey(key)) {
    const problem = budgetProblem(value);
    if (problem === null) verify.budgets = { ...verify.budgets, [key]: value as number };
    return problem;
  }
  switch (key) {
    case 'dns': {
      if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
        return 'must be a list of DNS server addresses, like ["1.1.1.1", "9.9.9.9:53"]';
      }
      const servers = validate(() => value.map(parseDnsServer));
      if (!servers.ok) return servers.problem;
      verify.dnsServers = servers.value;
      return null;
    }
    case 'allowPrivate':
      if (typeof value !== 'boolean') return 'must be true or false';
      verify.allowPrivate = value;
      return null;
    case 'catchAll':
      if (typeof value !== 'boolean') return 'must be true or false';
      verify.catchAllProbe = value;
      return null;
    case 'proxy': {
      if (value === null || value === '') {
        verify.proxy = null;
        return null;
      }
      if (typeof value !== 'string') return 'must be a URL like "socks5://127.0.0.1:1080" (or "" for none)';
      const proxy = validate(() => parseProxyUrl(value));
      if (!proxy.ok) return proxy.problem;
      verify.proxy = proxy.value;
      return null;
    }
    case 'from': {
      if (typeof value !== 'string') return 'must be an email address in quotes (or "" for the null sender <>)';
      const sender = validate(() => parseSender(value));
      if (!sender.ok) return sender.problem;
      verify.sender = sender.value;
      return null;
    }
    case 'helo': {
      if (typeof value !== 'string') return 'must be a host name in quotes, like "mail.example.com"';
      const helo = validate(() => parseHeloName(value));
      if (!helo.ok) return helo.problem;
      verify.heloName = helo.value;
      return null;
    }
    case 'timeoutMs':
    case 'greylistWaitMs':
    case 'concurrency': {
      const [min, max] = INTEGER_RANGES[key];
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
        return `must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`;
      }
      if (key === 'timeoutMs') verify.timeoutMs = value;
      else if (key === 'greylistWaitMs') verify.greylistWaitMs = value;
      else verify.concurrency = value;
      return null;
    }
    case 'logFile':
      if (typeof value !== 'string') return 'must be a file path in quotes (or "" for no log file)';
      if (value !== '' && !isAbsoluteAnywhere(value)) return `must be an absolute path, not "${value}"`;
      settings.logFile = value;
      return null;
    default:
      return applyServerValue(settings, key, value);
  }
}

/** The team server's rows (`mxlens serve`) and the client's (`mxlens verify --server`). */
function applyServerValue(settings: Settings, key: ServerKey, value: unknown): string | null {
  const serve = settings.serve;
  if (key === 'serveRatePerMinute' || key === 'serveDailyQuota' || key === 'workerStallMs') {
    const [min, max] = SERVE_RANGES[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      return `must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`;
    }
    if (key === 'serveRatePerMinute') serve.ratePerMinute = value;
    else if (key === 'serveDailyQuota') serve.dailyQuota = value;
    else serve.workerStallMs = value;
    return null;
  }
  if (key === 'serveAllowSmtpPort' || key === 'serveAllowProxy') {
    if (typeof value !== 'boolean') return 'must be true or false';
    if (key === 'serveAllowSmtpPort') serve.allowRequestSmtpPort = value;
    else serve.allowRequestProxy = value;
    return null;
  }
  if (key === 'serveCorsOrigins') {
    if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
      return 'must be a list of origins, like ["chrome-extension://abcdefghijklmnopabcdefghijklmnop"]';
    }
    const origins = validate(() => value.map(parseOrigin));
    if (!origins.ok) return origins.problem;
    serve.corsOrigins = origins.value;
    return null;
  }
  if (typeof value !== 'string') return 'must be a string in quotes';
  const checked = validate(() => parseServerText(key, value));
  if (!checked.ok) return checked.problem;
  setServerText(settings, key, checked.value);
  return null;
}

/** The server's and the client's config keys (the other keys are the engine's and the host's). */
type ServerKey = ServerTextKey | 'serveRatePerMinute' | 'serveDailyQuota' | 'serveAllowSmtpPort' | 'serveAllowProxy' | 'serveCorsOrigins' | 'workerStallMs';
type ServerTextKey = 'server' | 'serverKey' | 'serveListen' | 'serveDataDir' | 'serveLogFile' | 'serveProbeDomain' | 'redis' | 'sourceAddress';

/** Checks a text setting of the server or the client; throws a plain message. */
function parseServerText(key: ServerTextKey, value: string): string {
  switch (key) {
    case 'server':
      return value === '' ? '' : parseServerUrl(value);
    case 'serverKey':
      return value;
    case 'serveListen':
      parseListen(value);
      return value;
    case 'serveProbeDomain':
      if (!/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i.test(value)) {
        throw new Error(`takes a domain name that receives mail, like gmail.com, not "${value}"`);
      }
      return value.toLowerCase();
    case 'redis':
      return value === '' ? '' : parseRedisUrl(value);
    case 'sourceAddress':
      if (value !== '' && isIP(value) === 0) throw new Error(`takes an IP address of this machine, like 192.0.2.10, not "${value}"`);
      return value;
    case 'serveDataDir':
    case 'serveLogFile':
      if (key === 'serveLogFile' && value === '') return value;
      if (!isAbsoluteAnywhere(value)) throw new Error(`must be an absolute path, not "${value}"`);
      return value;
  }
}

function setServerText(settings: Settings, key: ServerTextKey, value: string): void {
  if (key === 'server') settings.server.url = value === '' ? null : value;
  else if (key === 'serverKey') settings.server.key = value === '' ? null : value;
  else if (key === 'serveListen') settings.serve.listen = value;
  else if (key === 'serveDataDir') settings.serve.dataDir = value;
  else if (key === 'serveProbeDomain') settings.serve.probeDomain = value;
  else if (key === 'redis') settings.serve.redis = value;
  else if (key === 'sourceAddress') settings.verify.sourceAddress = value === '' ? null : value;
  else settings.serve.logFile = value;
}

/** redis://[user:password@]host[:port][/db] or rediss://… */
export function parseRedisUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`takes a URL like redis://127.0.0.1:6379, not "${text}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error(`takes a redis:// or rediss:// URL, not "${url.protocol}"`);
  return text;
}

/** "HOST:PORT" or "[IPv6]:PORT" → its parts. */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:\s]+)):(\d{1,5})$/i.exec(text);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 0 || port > 65_535) throw new Error(`takes HOST:PORT like 127.0.0.1:8025, not "${text}"`);
  return { host: match[1] ?? match[2]!, port };
}

/** http(s)://host[:port][/base] of an MX Lens server. */
export function parseServerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`takes a URL like https://mxlens.example.com, not "${text}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`takes an http:// or https:// URL, not "${url.protocol}"`);
  if (url.search || url.hash || url.username) throw new Error(`takes a URL without query, fragment or user name: "${text}"`);
  return url.href.replace(/\/+$/, '');
}

/** An origin as browsers send it: scheme://host[:port], nothing more. */
export function parseOrigin(text: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s]+)$/i.exec(text.trim());
  if (!match) throw new Error(`takes origins like chrome-extension://ID or https://app.example.com, not "${text}"`);
  return `${match[1]!.toLowerCase()}://${match[2]}`;
}

/** MXLENS_SERVE_KEYS: "name:key[,name:key...]". */
export function parseServeKeys(text: string): ServeKey[] {
  const keys: ServeKey[] = [];
  for (const item of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const colon = item.indexOf(':');
    const name = colon > 0 ? item.slice(0, colon) : '';
    const key = colon > 0 ? item.slice(colon + 1) : '';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new Error(`takes name:key pairs; "${item.slice(0, 20)}…" has no valid name (letters, digits, . _ -)`);
    if (key.length < 16) throw new Error(`the key of "${name}" is shorter than 16 characters: use a long random key`);
    if (keys.some((known) => known.name === name)) throw new Error(`names "${name}" twice`);
    keys.push({ name, key });
  }
  return keys;
}

// ------------------------------------------------------------------------ environment

function applyEnvironment(settings: Settings, env: NodeJS.ProcessEnv): void {
  const verify = settings.verify;
  const fail = (name: string, problem: string, key: ConfigKey) =>
    settings.problems.push({ setting: name, message: `${problem}; using ${describeCurrent(settings, key)}` });

  // Set-but-empty means "none" where none is a meaningful value (DNS: the system resolvers,
  // proxy: direct, from: <>, log: no file); elsewhere an empty variable counts as unset.
  const dns = env.MXLENS_DNS;
  if (dns !== undefined) {
    const list = dns.split(',').map((item) => item.trim()).filter((item) => item !== '');
    const servers = validate(() => list.map(parseDnsServer));
    if (servers.ok) verify.dnsServers = servers.value;
    else fail('MXLENS_DNS', servers.problem, 'dns');
  }

  const allowPrivate = env.MXLENS_ALLOW_PRIVATE;
  if (allowPrivate !== undefined && allowPrivate.trim() !== '') {
    const flag = parseBooleanWord(allowPrivate);
    if (flag === null) fail('MXLENS_ALLOW_PRIVATE', `takes 1 or 0 (also true/false, yes/no), not "${allowPrivate}"`, 'allowPrivate');
    else verify.allowPrivate = flag;
  }

  const proxy = env.MXLENS_PROXY;
  if (proxy !== undefined) {
    if (proxy.trim() === '') verify.proxy = null;
    else {
      const parsed = validate(() => parseProxyUrl(proxy.trim()));
      if (parsed.ok) verify.proxy = parsed.value;
      else fail('MXLENS_PROXY', parsed.problem, 'proxy');
    }
  }

  const from = env.MXLENS_FROM;
  if (from !== undefined) {
    const sender = validate(() => parseSender(from.trim()));
    if (sender.ok) verify.sender = sender.value;
    else fail('MXLENS_FROM', sender.problem, 'from');
  }

  const helo = env.MXLENS_HELO;
  if (helo !== undefined && helo.trim() !== '') {
    const name = validate(() => parseHeloName(helo.trim()));
    if (name.ok) verify.heloName = name.value;
    else fail('MXLENS_HELO', name.problem, 'helo');
  }

  const timeout = env.MXLENS_TIMEOUT;
  if (timeout !== undefined && timeout.trim() !== '') {
    const value = validate(() => parseInteger('--timeout', timeout.trim(), ...INTEGER_RANGES.timeoutMs));
    if (value.ok) verify.timeoutMs = value.value;
    else fail('MXLENS_TIMEOUT', value.problem, 'timeoutMs');
  }

  for (const name of BUDGET_NAMES) {
    const variable = BUDGET_VARIABLES[name];
    const text = env[variable]?.trim();
    if (text === undefined || text === '') continue;
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    const problem = budgetProblem(value);
    if (problem === null) verify.budgets = { ...verify.budgets, [name]: value };
    else fail(variable, problem.replace(/not .*$/, `not "${text}"`), name);
  }

  const log = env.MXLENS_LOG;
  if (log !== undefined) {
    if (log === '' || isAbsoluteAnywhere(log)) settings.logFile = log;
    else fail('MXLENS_LOG', `takes an absolute file path, not "${log}"`, 'logFile');
  }
  applyServerEnvironment(settings, env);
}

/** The environment variable of each server or client setting. */
const SERVER_ENV: ReadonlyArray<[string, ServerKey]> = [
  ['MXLENS_SERVER', 'server'],
  ['MXLENS_SERVER_KEY', 'serverKey'],
  ['MXLENS_SERVE_LISTEN', 'serveListen'],
  ['MXLENS_SERVE_DATA', 'serveDataDir'],
  ['MXLENS_SERVE_CORS', 'serveCorsOrigins'],
  ['MXLENS_SERVE_RATE', 'serveRatePerMinute'],
  ['MXLENS_SERVE_QUOTA', 'serveDailyQuota'],
  ['MXLENS_SERVE_ALLOW_SMTP_PORT', 'serveAllowSmtpPort'],
  ['MXLENS_SERVE_ALLOW_PROXY', 'serveAllowProxy'],
  ['MXLENS_SERVE_LOG', 'serveLogFile'],
  ['MXLENS_SERVE_PROBE_DOMAIN', 'serveProbeDomain'],
  ['MXLENS_REDIS', 'redis'],
  ['MXLENS_SOURCE_ADDRESS', 'sourceAddress'],
  ['MXLENS_WORKER_STALL_MS', 'workerStallMs'],
];

function applyServerEnvironment(settings: Settings, env: NodeJS.ProcessEnv): void {
  for (const [name, key] of SERVER_ENV) {
    const text = env[name];
    if (text === undefined || (text.trim() === '' && key !== 'server' && key !== 'serveLogFile')) continue;
    const value = envValue(key, text.trim());
    const problem = value.ok ? applyServerValue(settings, key, value.value) : value.problem;
    if (problem) settings.problems.push({ setting: name, message: `${plainMessage(problem)}; using ${describeCurrent(settings, key)}` });
  }
  const keys = env.MXLENS_SERVE_KEYS;
  if (keys !== undefined && keys.trim() !== '') {
    const parsed = validate(() => parseServeKeys(keys));
    if (parsed.ok) settings.serve.keys = parsed.value;
    else settings.problems.push({ setting: 'MXLENS_SERVE_KEYS', message: `${parsed.problem}; no keys from the environment are used` });
  }
}

/** An environment variable's text as the JSON value the config file would hold. */
function envValue(key: ServerKey, text: string): Checked<unknown> {
  if (key === 'serveRatePerMinute' || key === 'serveDailyQuota' || key === 'workerStallMs') {
    return /^\d+$/.test(text) ? { ok: true, value: Number(text) } : { ok: false, problem: `takes a whole number, not "${text}"` };
  }
  if (key === 'serveAllowSmtpPort' || key === 'serveAllowProxy') {
    const flag = parseBooleanWord(text);
    return flag === null ? { ok: false, problem: `takes 1 or 0 (also true/false, yes/no), not "${text}"` } : { ok: true, value: flag };
  }
  if (key === 'serveCorsOrigins') return { ok: true, value: text.split(',').map((item) => item.trim()).filter((item) => item !== '') };
  return { ok: true, value: text };
}

// ------------------------------------------------------------------------ validators

type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Runs one of the CLI's validators; its "--flag says ..." message becomes a plain one. */
function validate<T>(run: () => T): Checked<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, problem: plainMessage((error as Error).message) };
  }
}

/** "--proxy supports socks5:// only" -> "supports socks5:// only": the setting's name is shown beside it. */
function plainMessage(message: string): string {
  return message.replace(/^--[a-z-]+ /, '');
}

function parseBooleanWord(text: string): boolean | null {
  const word = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(word)) return true;
  if (['0', 'false', 'no', 'off'].includes(word)) return false;
  return null;
}

function isAbsoluteAnywhere(file: string): boolean {
  return path.posix.isAbsolute(file) || path.win32.isAbsolute(file);
}

/** The value a setting falls back to, in words, for "...; using X". */
function describeCurrent(settings: Settings, key: ConfigKey): string {
  const verify = settings.verify;
  if (isBudgetKey(key)) return String(verify.budgets[key]);
  switch (key) {
    case 'dns':
      return verify.dnsServers.length ? verify.dnsServers.join(', ') : "the system's DNS servers";
    case 'allowPrivate':
      return String(verify.allowPrivate);
    case 'catchAll':
      return String(verify.catchAllProbe);
    case 'proxy':
      return verify.proxy ? describeProxy(verify.proxy) : 'no proxy';
    case 'from':
      return verify.sender ? verify.sender : 'the null sender <>';
    case 'helo':
      return verify.heloName;
    case 'timeoutMs':
      return String(verify.timeoutMs);
    case 'greylistWaitMs':
      return String(verify.greylistWaitMs);
    case 'concurrency':
      return String(verify.concurrency);
    case 'logFile':
      return settings.logFile || 'no log file';
    case 'server':
      return settings.server.url ?? 'no server (checks run on this machine)';
    case 'serverKey':
      return settings.server.key ? 'the key set before' : 'no key';
    case 'serveListen':
      return settings.serve.listen;
    case 'serveDataDir':
      return settings.serve.dataDir;
    case 'serveCorsOrigins':
      return settings.serve.corsOrigins.length ? settings.serve.corsOrigins.join(', ') : 'no origins (CORS off)';
    case 'serveRatePerMinute':
      return String(settings.serve.ratePerMinute);
    case 'serveDailyQuota':
      return String(settings.serve.dailyQuota);
    case 'serveAllowSmtpPort':
      return String(settings.serve.allowRequestSmtpPort);
    case 'serveAllowProxy':
      return String(settings.serve.allowRequestProxy);
    case 'serveLogFile':
      return settings.serve.logFile || 'stderr';
    case 'serveProbeDomain':
      return settings.serve.probeDomain;
    case 'redis':
      return settings.serve.redis || 'no Redis (checks run in process)';
    case 'sourceAddress':
      return settings.verify.sourceAddress ?? "the system's choice";
    case 'workerStallMs':
      return String(settings.serve.workerStallMs);
  }
}

/** socks5://host:port, without the password. */
export function describeProxy(proxy: SocksProxy): string {
  const host = proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host;
  return `socks5://${proxy.userId ? `${proxy.userId}@` : ''}${host}:${proxy.port}`;
}

function suggestKey(key: string): string | null {
  const lower = key.toLowerCase().replace(/[-_]/g, '');
  const alias: Record<string, ConfigKey> = {
    dnsservers: 'dns',
    sender: 'from',
    mailfrom: 'from',
    heloname: 'helo',
    ehlo: 'helo',
    timeout: 'timeoutMs',
    greylistwait: 'greylistWaitMs',
    catchallprobe: 'catchAll',
    nocatchall: 'catchAll',
    log: 'logFile',
    logfile: 'logFile',
  };
  return alias[lower] ?? CONFIG_KEYS.find((known) => known.toLowerCase() === lower) ?? null;
}
