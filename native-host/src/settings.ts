import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { UsageError } from './cli/usage-error.js';
import { defaultVerifyOptions } from './engine/options.js';
import { defaultLogFile } from './host/log.js';
import {
  parseSettingText,
  settingRow,
  SETTINGS,
  valueOfText,
  type ServeSettings,
  type Settings,
  type SettingRow,
} from '../shared/settings/table.js';

export type { ServeSettings, Settings } from '../shared/settings/table.js';
export { describeProxy } from '../shared/settings/values.js';

// The host's and the CLI's settings, from lowest to highest precedence:
//   defaults (defaultVerifyOptions) < config file < environment variables
//   < per-request options from the extension (applied by the host) < CLI flags (applied by the CLI).
// This module does the first three, row by row of the settings table (settings/table.ts). A bad
// value is never silently dropped: it is listed in `problems` in plain words, and the value below
// it (config file or default) stays in force.

/** Where `mxlens serve` keeps its data when the settings name no folder. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === 'win32')
    return path.win32.join(env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local'), 'mxlens', 'server');
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'mxlens', 'server');
  const data =
    env.XDG_DATA_HOME && path.posix.isAbsolute(env.XDG_DATA_HOME)
      ? env.XDG_DATA_HOME
      : path.posix.join(home, '.local', 'share');
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
    postgres: '',
    redis: '',
    boardKeys: [],
    workerStallMs: 30_000,
  };
}

/** The config file's keys: the settings' names. */
export const CONFIG_KEYS: readonly string[] = SETTINGS.filter((setting) => setting.configKey).map(
  (setting) => setting.key,
);

/** Config keys of earlier versions, still read so that no one's file stops working. */
const RENAMED_KEYS: Readonly<Record<string, string>> = { from: 'sender', helo: 'heloName' };

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
  const base =
    env.XDG_CONFIG_HOME && path.posix.isAbsolute(env.XDG_CONFIG_HOME)
      ? env.XDG_CONFIG_HOME
      : path.posix.join(home, '.config');
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
function readFileText(file: string): FileRead {
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
    if (stat.size > MAX_CONFIG_BYTES)
      return {
        kind: 'error',
        message: `${file} is ${stat.size} bytes, more than a config file holds (at most ${MAX_CONFIG_BYTES})`,
      };
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
    const name = RENAMED_KEYS[key] ?? key;
    const row = SETTINGS.find((candidate) => candidate.configKey && candidate.key === name);
    if (!row) {
      const hint = suggestKey(key);
      settings.problems.push({
        setting,
        message: `unknown setting in ${file}${hint ? ` (did you mean "${hint}"?)` : ''}; known settings: ${CONFIG_KEYS.join(', ')}`,
      });
      continue;
    }
    applyValue(settings, setting, row, row.parse(value));
  }
}

// ------------------------------------------------------------------------ environment

function applyEnvironment(settings: Settings, env: NodeJS.ProcessEnv): void {
  for (const row of SETTINGS) {
    const text = row.env === null ? undefined : env[row.env]?.trim();
    if (text === undefined) continue;
    // Set-but-empty means "none" where none is a meaningful value (DNS: the system resolvers,
    // proxy: direct, sender: <>, log: no file); elsewhere an empty variable counts as unset.
    if (text === '' && !isEmptyAccepted(row)) continue;
    applyValue(settings, row.env!, row, parseSettingText(row, text));
  }
}

function isEmptyAccepted(row: SettingRow): boolean {
  const empty = valueOfText(row.text, '');
  return empty.ok && row.parse(empty.value).ok;
}

function applyValue(
  settings: Settings,
  setting: string,
  row: SettingRow,
  parsed: ReturnType<SettingRow['parse']>,
): void {
  if (parsed.ok) row.write(settings, parsed.value);
  else settings.problems.push({ setting, message: `${parsed.problem}; using ${row.describe(row.read(settings))}` });
}

/**
 * A command's own flag for a setting that `mxlens verify` has no flag for (serve's --redis,
 * worker's --source-address), when given: checked by the setting's row, a UsageError naming
 * the flag when the row refuses it.
 */
export function applySettingFlag(settings: Settings, flag: string, key: string, text: string | undefined): void {
  if (text === undefined) return;
  const row = settingRow(key);
  const parsed = parseSettingText(row, text);
  if (!parsed.ok) throw new UsageError(`--${flag} ${parsed.problem}`);
  row.write(settings, parsed.value);
}

function suggestKey(key: string): string | null {
  const lower = key.toLowerCase().replace(/[-_]/g, '');
  const alias: Record<string, string> = {
    dnsservers: 'dns',
    mailfrom: 'sender',
    ehlo: 'heloName',
    timeout: 'timeoutMs',
    greylistwait: 'greylistWaitMs',
    catchallprobe: 'catchAll',
    nocatchall: 'catchAll',
    log: 'logFile',
  };
  return alias[lower] ?? CONFIG_KEYS.find((known) => known.toLowerCase() === lower) ?? null;
}
