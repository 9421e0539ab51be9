// What `mxlens install` and `uninstall` depend on (the system, this Node, this MX Lens), in one
// value that tests replace.

import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SystemContext } from './browsers.js';
import type { StatOf } from './launcher-safety.js';

/** Everything install and uninstall depend on; injectable for tests. */
export interface InstallEnvironment extends SystemContext {
  /** The Node binary the launcher runs (default: the one running now). */
  nodePath: string;
  /** The bundled host, dist/host/mxlens.mjs. */
  hostScript: string;
  /** Runs reg.exe with these arguments (called only when platform is win32). */
  runReg?: (args: string[]) => void;
  /** Owner and mode of a path (default: the real file system); for the --system safety check. */
  statOf?: StatOf;
}

export function currentEnvironment(): InstallEnvironment {
  return {
    platform: process.platform,
    home: homedir(),
    env: process.env,
    nodePath: process.execPath,
    hostScript: bundledHostScript(),
    runReg: (args) => void execFileSync('reg.exe', args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true }),
  };
}

/**
 * dist/host/mxlens.mjs, the bundle's entry. Bundled, this module is a chunk in dist/host/chunks/
 * (native-host/vite.config.ts); from the sources, it is native-host/src/install/.
 */
export function bundledHostScript(): string {
  const bundled = import.meta.url.endsWith('.mjs');
  const script = fileURLToPath(new URL(bundled ? '../mxlens.mjs' : '../../../dist/host/mxlens.mjs', import.meta.url));
  try {
    return realpathSync(script);
  } catch {
    return script;
  }
}
