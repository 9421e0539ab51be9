import { existsSync } from 'node:fs';
import { defaultVerifyOptions, type VerifyOptions } from '../engine/options.js';
import type { Verdict } from '../../shared/verdicts.js';
import type { VerifyRequestOptions } from '../../shared/protocol/messages.js';
import {
  parseSettingText,
  SETTINGS,
  settingRow,
  writeVerifyOption,
  type SettingRow,
} from '../../shared/settings/table.js';
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

const FAIL_ON: readonly Verdict[] = ['undeliverable', 'risky', 'unknown'];

/** The settings `mxlens verify` takes as flags (settings/table.ts names each one's flag). */
const FLAG_ROWS = SETTINGS.filter((row) => row.flag !== null && row.key !== 'server');

/** Flags override `base` (the settings from config file and environment). */
export function parseVerifyArgs(argv: string[], base: VerifyOptions = defaultVerifyOptions()): VerifyCommand {
  const { values, positionals } = parseStrict(argv);
  // The settings' flags are built from the table, so their names are known only at run time.
  const given = values as Record<string, string | boolean | string[] | undefined>;
  const options = { ...base };
  const requested: Record<string, unknown> = {};
  for (const row of FLAG_ROWS) {
    const text = given[row.flag!];
    if (text === undefined) continue;
    const value = flagValue(row, text);
    writeVerifyOption(options, row, value);
    // A server chooses its own proxy (LOCAL_ONLY_FLAGS): the rest go with the request.
    if (row.protocolOption && row.key !== 'proxy') requested[row.key] = value;
  }
  if (values.verbose) options.verbose = true;

  // --server "" checks from here even when MXLENS_SERVER names a server.
  const server =
    given.server === undefined ? null : ((flagValue(settingRow('server'), given.server) as string | null) ?? '');
  const localOnly = LOCAL_ONLY_FLAGS.filter((flag) => given[flag] !== undefined).map((flag) => `--${flag}`);
  const inputs = values.input ?? [];
  const addresses: string[] = [];
  for (const positional of positionals) {
    if (positional === '-') inputs.push('-');
    else addresses.push(checkNotAFile(positional));
  }
  const failOn = values['fail-on'] === undefined ? [] : parseFailOn(values['fail-on']);
  return {
    options,
    addresses,
    json: values.json ?? false,
    server,
    requested: requested as VerifyRequestOptions,
    localOnly,
    inputs,
    failOn,
  };
}

/** A flag's value, checked by its row; a bad one is a one-line usage error naming the flag. */
export function flagValue(row: SettingRow, given: string | boolean | string[]): unknown {
  // A boolean flag says yes by being there; "--no-catch-all" says no.
  const parsed =
    typeof given === 'boolean'
      ? row.parse(!row.flag!.startsWith('no-'))
      : Array.isArray(given)
        ? row.parse(given)
        : parseSettingText(row, given);
  if (!parsed.ok) throw new UsageError(`--${row.flag} ${parsed.problem}`);
  return parsed.value;
}

/**
 * A word without "@" that names a file, or looks like a path, was meant as input: say how,
 * instead of reporting one invalid address called "list.txt".
 */
function checkNotAFile(text: string): string {
  if (text.includes('@')) return text;
  if (existsSync(text) || /[\\/]/.test(text) || /\.(txt|csv|tsv|lst)$/i.test(text)) {
    throw new UsageError(
      `"${text}" is not an email address; to read addresses from a file, use --input ${text} (or - for stdin)`,
    );
  }
  return text;
}

function parseFailOn(text: string): Verdict[] {
  const verdicts = text.split(',').map((word) => word.trim());
  const unknown = verdicts.find((word) => !FAIL_ON.includes(word as Verdict));
  if (unknown !== undefined || verdicts.length === 0) {
    throw new UsageError(`--fail-on takes ${FAIL_ON.join(', ')} (comma-separated), not "${text}"`);
  }
  return verdicts as Verdict[];
}

/** Each row's flag: a boolean row's is a switch, a list row's repeatable. */
const SETTING_FLAGS = Object.fromEntries(
  SETTINGS.filter((row) => row.flag !== null).map((row) => [
    row.flag!,
    row.text === 'boolean' ? { type: 'boolean' as const } : { type: 'string' as const, multiple: row.text === 'list' },
  ]),
);

function parseStrict(argv: string[]) {
  return parseStrictArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...SETTING_FLAGS,
      json: { type: 'boolean' },
      input: { type: 'string', multiple: true, short: 'i' },
      'fail-on': { type: 'string' },
      verbose: { type: 'boolean' },
    },
  });
}
