import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
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
  /** The host's log file; "" = no file (stderr only), when MXLENS_LOG or "logFile" is set to "". */
  logFile: string;
  /** Where the config file is looked for (it need not exist). */
  configFile: string;
  problems: SettingsProblem[];
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
] as const;
type ConfigKey = (typeof CONFIG_KEYS)[number];

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
function applyConfigValue(settings: Settings, key: ConfigKey, value: unknown): string | null {
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
  }
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
