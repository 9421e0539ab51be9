// Every setting of MX Lens, once: its one name, where it may be given (CLI flag, environment
// variable, config file, a verify request's options), how its value is checked (values.ts) and
// how it is described. The CLI (cli/verify-args.ts), the settings loader (settings.ts, `mxlens
// config show`), the protocol (protocol/validate.ts), the server and the extension all read
// this table, so one value gets the same verdict and the same words everywhere.
//
// Pure TypeScript, no Node and no DOM: the extension imports it.

import type { BudgetName, BudgetRates, VerifyOptions } from './verify-options.js';
import {
  describeProxy,
  good,
  mapParsed,
  parseBoolean,
  parseBooleanWord,
  parseBudgetRate,
  parseDnsServer,
  parseDomain,
  parseHeloName,
  parseKeyName,
  parseLevel,
  parseList,
  parseListen,
  parseOrigin,
  parsePath,
  parseProxy,
  parseSender,
  parsePostgresUrl,
  parseRedisUrl,
  parseSourceAddress,
  parseServerUrl,
  parseServeKeys,
  parseText,
  parseWholeNumber,
  RANGES,
  type Parsed,
  type ServeKey,
} from './values.js';

// ---------------------------------------------------------------- the settings themselves

interface SettingsProblem {
  /** Where the bad value is: an environment variable name, or `config.json "key"`. */
  setting: string;
  message: string;
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
  /** PostgreSQL URL for bulk jobs and results, shared by the server nodes; "" = the embedded SQLite. */
  postgres: string;
  /** redis://… of the shared queue (serve puts work on it, workers take it); "" = checks run in process. */
  redis: string;
  /** Names of the API keys that may open the queue dashboard (it shows every key's addresses). */
  boardKeys: string[];
  /** A worker whose lock on a batch is this old (it died) loses the batch to another worker. */
  workerStallMs: number;
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

// ---------------------------------------------------------------- the rows

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
    parse: parseBudgetRate,
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
  booleanRow('allowPrivate', {
    flag: 'allow-private',
    env: 'MXLENS_ALLOW_PRIVATE',
    read: (s) => s.verify.allowPrivate,
    write: (s, value) => void (s.verify.allowPrivate = value),
  }),
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
  row({
    key: 'heloName',
    flag: 'helo',
    env: 'MXLENS_HELO',
    protocolOption: true,
    parse: parseHeloName,
    read: (s) => s.verify.heloName,
    write: (s, value) => void (s.verify.heloName = value),
  }),
  row({
    key: 'level',
    flag: 'level',
    protocolOption: true,
    parse: parseLevel,
    read: (s) => s.verify.level,
    write: (s, value) => void (s.verify.level = value),
  }),
  integerRow('timeoutMs', {
    flag: 'timeout',
    env: 'MXLENS_TIMEOUT',
    protocolOption: true,
    read: (s) => s.verify.timeoutMs,
    write: (s, value) => void (s.verify.timeoutMs = value),
  }),
  booleanRow('catchAll', {
    flag: 'no-catch-all',
    protocolOption: true,
    read: (s) => s.verify.catchAllProbe,
    write: (s, value) => void (s.verify.catchAllProbe = value),
  }),
  integerRow('greylistWaitMs', {
    flag: 'greylist-wait',
    protocolOption: true,
    read: (s) => s.verify.greylistWaitMs,
    write: (s, value) => void (s.verify.greylistWaitMs = value),
  }),
  integerRow('concurrency', {
    flag: 'concurrency',
    read: (s) => s.verify.concurrency,
    write: (s, value) => void (s.verify.concurrency = value),
  }),
  integerRow('smtpPort', {
    flag: 'smtp-port',
    configKey: false,
    read: (s) => s.verify.smtpPort,
    write: (s, value) => void (s.verify.smtpPort = value),
  }),
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
  row({
    key: 'serveListen',
    env: 'MXLENS_SERVE_LISTEN',
    parse: (value) => mapParsed(parseListen(value), () => value as string),
    read: (s) => s.serve.listen,
    write: (s, value) => void (s.serve.listen = value),
  }),
  row({
    key: 'serveDataDir',
    env: 'MXLENS_SERVE_DATA',
    parse: (value) => parsePath(value, null),
    read: (s) => s.serve.dataDir,
    write: (s, value) => void (s.serve.dataDir = value),
  }),
  row({
    key: 'serveCorsOrigins',
    env: 'MXLENS_SERVE_CORS',
    text: 'list',
    parse: (value) => parseList(value, '["chrome-extension://abcdefghijklmnopabcdefghijklmnop"]', parseOrigin),
    describe: (origins) => (origins.length ? origins.join(', ') : 'no origins (CORS off)'),
    read: (s) => s.serve.corsOrigins,
    write: (s, value) => void (s.serve.corsOrigins = value),
  }),
  row({
    key: 'serveBoardKeys',
    env: 'MXLENS_SERVE_BOARD_KEYS',
    text: 'list',
    parse: (value) => parseList(value, '["ops"]', parseKeyName),
    describe: (names) => (names.length ? names.join(', ') : 'no key (the queue dashboard is closed)'),
    read: (s) => s.serve.boardKeys,
    write: (s, value) => void (s.serve.boardKeys = value),
  }),
  integerRow('serveRatePerMinute', {
    env: 'MXLENS_SERVE_RATE',
    read: (s) => s.serve.ratePerMinute,
    write: (s, value) => void (s.serve.ratePerMinute = value),
  }),
  integerRow('serveDailyQuota', {
    env: 'MXLENS_SERVE_QUOTA',
    read: (s) => s.serve.dailyQuota,
    write: (s, value) => void (s.serve.dailyQuota = value),
  }),
  booleanRow('serveAllowSmtpPort', {
    env: 'MXLENS_SERVE_ALLOW_SMTP_PORT',
    read: (s) => s.serve.allowRequestSmtpPort,
    write: (s, value) => void (s.serve.allowRequestSmtpPort = value),
  }),
  booleanRow('serveAllowProxy', {
    env: 'MXLENS_SERVE_ALLOW_PROXY',
    read: (s) => s.serve.allowRequestProxy,
    write: (s, value) => void (s.serve.allowRequestProxy = value),
  }),
  row({
    key: 'serveLogFile',
    env: 'MXLENS_SERVE_LOG',
    parse: (value) => parsePath(value, 'stderr'),
    describe: (file) => file || 'stderr',
    read: (s) => s.serve.logFile,
    write: (s, value) => void (s.serve.logFile = value),
  }),
  row({
    key: 'serveProbeDomain',
    env: 'MXLENS_SERVE_PROBE_DOMAIN',
    parse: parseDomain,
    read: (s) => s.serve.probeDomain,
    write: (s, value) => void (s.serve.probeDomain = value),
  }),
  row({
    key: 'postgres',
    env: 'MXLENS_POSTGRES',
    secret: true,
    parse: parsePostgresUrl,
    describe: (url) => (url ? 'the PostgreSQL URL set before' : 'the embedded SQLite database'),
    read: (s) => s.serve.postgres,
    write: (s, value) => void (s.serve.postgres = value),
  }),
  row({
    key: 'redis',
    env: 'MXLENS_REDIS',
    secret: true,
    parse: parseRedisUrl,
    describe: (url) => (url ? 'the Redis URL set before' : 'no Redis (checks run in process)'),
    read: (s) => s.serve.redis,
    write: (s, value) => void (s.serve.redis = value),
  }),
  row({
    key: 'sourceAddress',
    env: 'MXLENS_SOURCE_ADDRESS',
    parse: parseSourceAddress,
    describe: (address) => address ?? "the system's choice",
    read: (s) => s.verify.sourceAddress,
    write: (s, value) => void (s.verify.sourceAddress = value),
  }),
  integerRow('workerStallMs', {
    env: 'MXLENS_WORKER_STALL_MS',
    read: (s) => s.serve.workerStallMs,
    write: (s, value) => void (s.serve.workerStallMs = value),
  }),
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
      return good(
        text
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== ''),
      );
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
