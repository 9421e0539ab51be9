import { loadSettings, type Settings } from '../settings.js';
import { SETTINGS, type SettingRow } from '../../shared/settings/table.js';
import { terminalSafeJson } from './terminal-text.js';
import { UsageError } from './usage-error.js';

export const CONFIG_HELP = `Usage: mxlens config path | show

  path   print where the config file is looked for (it need not exist)
  show   print every setting in force (config file and MXLENS_* variables over the defaults)
         as JSON, with any problems found in them
`;

export async function runConfig(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (rest.length > 0) throw new UsageError(`config ${action ?? ''} takes no more arguments (got "${rest.join(' ')}")`);
  const settings = loadSettings();
  switch (action) {
    case 'path':
      process.stdout.write(`${settings.configFile}\n`);
      return 0;
    case 'show': {
      const shown = {
        configFile: settings.configFile,
        ...Object.fromEntries(SETTINGS.map((row) => [row.key, shownValue(row, settings)])),
        problems: settings.problems,
      };
      process.stdout.write(`${terminalSafeJson(shown, 2)}\n`);
      return settings.problems.length > 0 ? 1 : 0;
    }
    case undefined:
      throw new UsageError('config needs an action: mxlens config path | show');
    default:
      throw new UsageError(`unknown config action "${action}" (try: mxlens config path | show)`);
  }
}

/** A setting's value as JSON; values that are not plain data (a proxy) and secrets, in words. */
function shownValue(row: SettingRow, settings: Settings): unknown {
  const value = row.read(settings);
  const plain = value === null || typeof value !== 'object' || Array.isArray(value);
  return plain && !row.secret ? value : row.describe(value);
}
