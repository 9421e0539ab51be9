import type { Scope, SystemContext } from './browsers.js';
import { expandTemplate, pathsFor } from './browsers.js';

// The launcher: the program a host manifest names. Browsers start native hosts with a bare
// environment (no shell PATH, often no nvm/volta shims), so it runs the Node binary that ran
// `mxlens install` on the bundled host, both by absolute path, and passes the browser's
// arguments on. A shell script on Linux and macOS, a .bat file on Windows.

/** First comment line: how install and uninstall recognise a launcher of ours. */
const LAUNCHER_MARKER = 'MX Lens native messaging host launcher';

export function launcherFileName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? 'mxlens-host.bat' : 'mxlens-host';
}

/** Where MX Lens keeps its launcher (and on Windows its host manifests) when no --dir is given. */
export function mxlensFolder(scope: Scope, ctx: SystemContext): string {
  const p = pathsFor(ctx.platform);
  if (ctx.platform === 'win32') {
    return expandTemplate(scope === 'user' ? '%LOCALAPPDATA%\\mxlens' : '%ProgramData%\\mxlens', ctx);
  }
  if (ctx.platform === 'darwin') {
    return scope === 'user'
      ? p.join(ctx.home, 'Library', 'Application Support', 'mxlens')
      : '/Library/Application Support/mxlens';
  }
  if (scope === 'system') return '/usr/local/lib/mxlens';
  const xdg = ctx.env.XDG_DATA_HOME;
  return p.join(xdg && p.isAbsolute(xdg) ? xdg : p.join(ctx.home, '.local', 'share'), 'mxlens');
}

/** Single-quotes a word for sh: everything literal, ' written as '\''. */
export function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Double-quotes a word for cmd.exe; % is doubled so it is not expanded. */
export function batQuote(text: string): string {
  if (text.includes('"')) throw new Error(`a Windows path cannot contain a double quote: ${text}`);
  return `"${text.replace(/%/g, '%%')}"`;
}

export function launcherText(platform: NodeJS.Platform, nodePath: string, hostScript: string): string {
  const why = 'Browsers start native hosts without your PATH, so Node and MX Lens are named by absolute path.';
  if (platform === 'win32') {
    return [
      '@echo off',
      `rem ${LAUNCHER_MARKER} (written by "mxlens install"; "mxlens uninstall" removes it).`,
      `rem ${why}`,
      `${batQuote(nodePath)} ${batQuote(hostScript)} host %*`,
      '',
    ].join('\r\n');
  }
  return [
    '#!/bin/sh',
    `# ${LAUNCHER_MARKER} (written by "mxlens install"; "mxlens uninstall" removes it).`,
    `# ${why}`,
    `exec ${shQuote(nodePath)} ${shQuote(hostScript)} host "$@"`,
    '',
  ].join('\n');
}

export function isOurLauncher(text: string): boolean {
  return text.includes(LAUNCHER_MARKER);
}

/** The Node binary and host script a launcher of ours runs, read back from its text. */
export function launcherTargets(text: string): { nodePath: string; hostScript: string } | null {
  if (!isOurLauncher(text)) return null;
  const exec = /^exec ('(?:[^']|'\\'')*') ('(?:[^']|'\\'')*') host /m.exec(text);
  if (exec) {
    const unquote = (word: string) => word.slice(1, -1).replace(/'\\''/g, "'");
    return { nodePath: unquote(exec[1]!), hostScript: unquote(exec[2]!) };
  }
  const bat = /^"([^"]*)" "([^"]*)" host %\*\r?$/m.exec(text);
  if (bat) return { nodePath: bat[1]!.replace(/%%/g, '%'), hostScript: bat[2]!.replace(/%%/g, '%') };
  return null;
}
