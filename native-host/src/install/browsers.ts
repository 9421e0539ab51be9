import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import type { BrowserFamily, BrowserId } from '../../shared/browsers.js';

export type { BrowserFamily, BrowserId };

// The ONE table of supported browsers: where each looks for native messaging host manifests
// (per user and system-wide on Linux and macOS; registry keys on Windows) and how to tell that
// it is installed.
//
// Sources, and where browsers differ from what one would guess:
// - Chrome, Chromium, Edge, Firefox: their own documentation (developer.chrome.com native
//   messaging, learn.microsoft.com Edge native messaging, MDN native manifests).
// - Chromium-family user folders live in the browser's user data folder, which on Linux follows
//   $XDG_CONFIG_HOME (default ~/.config).
// - Brave (brave-core app/brave_main_delegate.cc) points its native messaging folders at
//   Chrome's on purpose: system-wide /etc/opt/chrome/native-messaging-hosts (Linux) and
//   /Library/Google/Chrome/NativeMessagingHosts (macOS); per user, Chrome's folder on macOS and
//   its own user data folder (~/.config/BraveSoftware/Brave-Browser) on Linux.
// - Vivaldi and Brave on Windows read Chrome's registry key (reported by KeePassXC and others);
//   their own keys are written too, which is harmless if unread.
// - Vivaldi's system folder on Linux is not documented by Vivaldi: /etc/opt/vivaldi/… is what
//   packagers use; Chromium's default /etc/chromium/… is added where that folder exists.
// - Firefox on 64-bit RPM distributions also reads /usr/lib64/mozilla/native-messaging-hosts.

export type Scope = 'user' | 'system';

/**
 * A folder, as a template: {home}; {config} = $XDG_CONFIG_HOME or ~/.config (Linux);
 * on Windows %NAME% = an environment variable. `optional`: written only where the folder's
 * parent already exists (a location only some builds or distributions use).
 */
interface FolderTemplate {
  path: string;
  optional?: boolean;
}

interface PosixPlaces {
  user: FolderTemplate[];
  system: FolderTemplate[];
  /** Folders whose existence shows the browser is (or was) used. */
  profiles: string[];
  /** Commands looked up on PATH, or absolute paths of the usual install locations. */
  programs: string[];
}

interface WindowsPlaces {
  /** Registry keys under HKCU (per user) or HKLM (system-wide), without the host name. */
  keys: string[];
  profiles: string[];
  programs: string[];
}

export interface Browser {
  id: BrowserId;
  name: string;
  family: BrowserFamily;
  linux: PosixPlaces;
  darwin: PosixPlaces;
  windows: WindowsPlaces;
}

const MAC_SUPPORT = '{home}/Library/Application Support';
const CHROME_KEY = 'Software\\Google\\Chrome\\NativeMessagingHosts';

export const BROWSERS: readonly Browser[] = [
  {
    id: 'chrome',
    name: 'Chrome',
    family: 'chromium',
    linux: {
      user: [{ path: '{config}/google-chrome/NativeMessagingHosts' }],
      system: [{ path: '/etc/opt/chrome/native-messaging-hosts' }],
      profiles: ['{config}/google-chrome'],
      programs: ['google-chrome', 'google-chrome-stable', '/opt/google/chrome/chrome'],
    },
    darwin: {
      user: [{ path: `${MAC_SUPPORT}/Google/Chrome/NativeMessagingHosts` }],
      system: [{ path: '/Library/Google/Chrome/NativeMessagingHosts' }],
      profiles: [`${MAC_SUPPORT}/Google/Chrome`],
      programs: ['/Applications/Google Chrome.app', '{home}/Applications/Google Chrome.app'],
    },
    windows: {
      keys: [CHROME_KEY],
      profiles: ['%LOCALAPPDATA%\\Google\\Chrome\\User Data'],
      programs: [
        '%ProgramFiles%\\Google\\Chrome\\Application\\chrome.exe',
        '%ProgramFiles(x86)%\\Google\\Chrome\\Application\\chrome.exe',
        '%LOCALAPPDATA%\\Google\\Chrome\\Application\\chrome.exe',
      ],
    },
  },
  {
    id: 'chromium',
    name: 'Chromium',
    family: 'chromium',
    linux: {
      user: [{ path: '{config}/chromium/NativeMessagingHosts' }],
      system: [{ path: '/etc/chromium/native-messaging-hosts' }],
      profiles: ['{config}/chromium'],
      programs: ['chromium', 'chromium-browser', '/usr/lib/chromium/chromium'],
    },
    darwin: {
      user: [{ path: `${MAC_SUPPORT}/Chromium/NativeMessagingHosts` }],
      system: [{ path: '/Library/Application Support/Chromium/NativeMessagingHosts' }],
      profiles: [`${MAC_SUPPORT}/Chromium`],
      programs: ['/Applications/Chromium.app', '{home}/Applications/Chromium.app'],
    },
    windows: {
      keys: ['Software\\Chromium\\NativeMessagingHosts', CHROME_KEY],
      profiles: ['%LOCALAPPDATA%\\Chromium\\User Data'],
      programs: ['%LOCALAPPDATA%\\Chromium\\Application\\chrome.exe'],
    },
  },
  {
    id: 'edge',
    name: 'Edge',
    family: 'chromium',
    linux: {
      user: [{ path: '{config}/microsoft-edge/NativeMessagingHosts' }],
      system: [{ path: '/etc/opt/edge/native-messaging-hosts' }],
      profiles: ['{config}/microsoft-edge'],
      programs: ['microsoft-edge', 'microsoft-edge-stable', '/opt/microsoft/msedge/msedge'],
    },
    darwin: {
      user: [{ path: `${MAC_SUPPORT}/Microsoft Edge/NativeMessagingHosts` }],
      system: [{ path: '/Library/Microsoft/Edge/NativeMessagingHosts' }],
      profiles: [`${MAC_SUPPORT}/Microsoft Edge`],
      programs: ['/Applications/Microsoft Edge.app', '{home}/Applications/Microsoft Edge.app'],
    },
    windows: {
      keys: ['Software\\Microsoft\\Edge\\NativeMessagingHosts'],
      profiles: ['%LOCALAPPDATA%\\Microsoft\\Edge\\User Data'],
      programs: [
        '%ProgramFiles(x86)%\\Microsoft\\Edge\\Application\\msedge.exe',
        '%ProgramFiles%\\Microsoft\\Edge\\Application\\msedge.exe',
      ],
    },
  },
  {
    id: 'brave',
    name: 'Brave',
    family: 'chromium',
    linux: {
      user: [{ path: '{config}/BraveSoftware/Brave-Browser/NativeMessagingHosts' }],
      system: [{ path: '/etc/opt/chrome/native-messaging-hosts' }],
      profiles: ['{config}/BraveSoftware/Brave-Browser'],
      programs: ['brave-browser', 'brave', '/opt/brave.com/brave/brave'],
    },
    darwin: {
      user: [
        { path: `${MAC_SUPPORT}/Google/Chrome/NativeMessagingHosts` },
        // Older Brave releases read their own folder.
        { path: `${MAC_SUPPORT}/BraveSoftware/Brave-Browser/NativeMessagingHosts`, optional: true },
      ],
      system: [{ path: '/Library/Google/Chrome/NativeMessagingHosts' }],
      profiles: [`${MAC_SUPPORT}/BraveSoftware/Brave-Browser`],
      programs: ['/Applications/Brave Browser.app', '{home}/Applications/Brave Browser.app'],
    },
    windows: {
      keys: [CHROME_KEY, 'Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts'],
      profiles: ['%LOCALAPPDATA%\\BraveSoftware\\Brave-Browser\\User Data'],
      programs: [
        '%ProgramFiles%\\BraveSoftware\\Brave-Browser\\Application\\brave.exe',
        '%ProgramFiles(x86)%\\BraveSoftware\\Brave-Browser\\Application\\brave.exe',
        '%LOCALAPPDATA%\\BraveSoftware\\Brave-Browser\\Application\\brave.exe',
      ],
    },
  },
  {
    id: 'vivaldi',
    name: 'Vivaldi',
    family: 'chromium',
    linux: {
      user: [{ path: '{config}/vivaldi/NativeMessagingHosts' }],
      system: [
        { path: '/etc/opt/vivaldi/native-messaging-hosts' },
        { path: '/etc/chromium/native-messaging-hosts', optional: true },
      ],
      profiles: ['{config}/vivaldi'],
      programs: ['vivaldi', 'vivaldi-stable', '/opt/vivaldi/vivaldi'],
    },
    darwin: {
      user: [{ path: `${MAC_SUPPORT}/Vivaldi/NativeMessagingHosts` }],
      system: [{ path: '/Library/Application Support/Vivaldi/NativeMessagingHosts' }],
      profiles: [`${MAC_SUPPORT}/Vivaldi`],
      programs: ['/Applications/Vivaldi.app', '{home}/Applications/Vivaldi.app'],
    },
    windows: {
      keys: [CHROME_KEY, 'Software\\Vivaldi\\NativeMessagingHosts'],
      profiles: ['%LOCALAPPDATA%\\Vivaldi\\User Data'],
      programs: [
        '%LOCALAPPDATA%\\Vivaldi\\Application\\vivaldi.exe',
        '%ProgramFiles%\\Vivaldi\\Application\\vivaldi.exe',
      ],
    },
  },
  {
    id: 'firefox',
    name: 'Firefox',
    family: 'firefox',
    linux: {
      user: [{ path: '{home}/.mozilla/native-messaging-hosts' }],
      system: [
        { path: '/usr/lib/mozilla/native-messaging-hosts' },
        { path: '/usr/lib64/mozilla/native-messaging-hosts', optional: true },
      ],
      profiles: ['{home}/.mozilla/firefox', '{home}/snap/firefox/common/.mozilla/firefox'],
      programs: ['firefox', 'firefox-esr', '/usr/lib/firefox/firefox', '/opt/firefox/firefox'],
    },
    darwin: {
      user: [{ path: `${MAC_SUPPORT}/Mozilla/NativeMessagingHosts` }],
      system: [{ path: '/Library/Application Support/Mozilla/NativeMessagingHosts' }],
      profiles: [`${MAC_SUPPORT}/Firefox`],
      programs: ['/Applications/Firefox.app', '{home}/Applications/Firefox.app'],
    },
    windows: {
      keys: ['Software\\Mozilla\\NativeMessagingHosts'],
      profiles: ['%APPDATA%\\Mozilla\\Firefox'],
      programs: ['%ProgramFiles%\\Mozilla Firefox\\firefox.exe', '%ProgramFiles(x86)%\\Mozilla Firefox\\firefox.exe'],
    },
  },
];

export const BROWSER_IDS: readonly BrowserId[] = BROWSERS.map((browser) => browser.id);

export function browserById(id: BrowserId): Browser {
  return BROWSERS.find((browser) => browser.id === id)!;
}

/** "chrome", "Chrome", "google-chrome", "msedge" ... -> the browser id, or null. */
export function parseBrowserName(text: string): BrowserId | null {
  const word = text
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  const aliases: Record<string, BrowserId> = {
    'google-chrome': 'chrome',
    'chromium-browser': 'chromium',
    'microsoft-edge': 'edge',
    msedge: 'edge',
    'brave-browser': 'brave',
    mozilla: 'firefox',
    'firefox-esr': 'firefox',
  };
  return BROWSER_IDS.find((id) => id === word) ?? aliases[word] ?? null;
}

// ------------------------------------------------------------------------ the machine

/** What the table is resolved against; injectable so tests can fake another system. */
export interface SystemContext {
  platform: NodeJS.Platform;
  home: string;
  env: NodeJS.ProcessEnv;
  /** Defaults to fs.existsSync. */
  exists?: (file: string) => boolean;
  /** Defaults to "is an executable file". */
  isExecutable?: (file: string) => boolean;
}

type SystemKind = 'linux' | 'darwin' | 'windows';

/** Windows, macOS, or Linux (and every other Unix, which lays out folders the Linux way). */
function systemKind(platform: NodeJS.Platform): SystemKind {
  return platform === 'win32' ? 'windows' : platform === 'darwin' ? 'darwin' : 'linux';
}

export function pathsFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

export function existsIn(ctx: SystemContext): (file: string) => boolean {
  return ctx.exists ?? existsSync;
}

function isExecutableIn(ctx: SystemContext): (file: string) => boolean {
  if (ctx.isExecutable) return ctx.isExecutable;
  return (file) => {
    try {
      accessSync(file, ctx.platform === 'win32' ? constants.F_OK : constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
}

/** Fills in {home}, {config} and %VAR% (Windows defaults for the usual variables). */
export function expandTemplate(template: string, ctx: SystemContext): string {
  const p = pathsFor(ctx.platform);
  if (ctx.platform === 'win32') {
    const defaults: Record<string, string> = {
      LOCALAPPDATA: p.join(ctx.home, 'AppData', 'Local'),
      APPDATA: p.join(ctx.home, 'AppData', 'Roaming'),
      ProgramFiles: 'C:\\Program Files',
      'ProgramFiles(x86)': 'C:\\Program Files (x86)',
      ProgramData: 'C:\\ProgramData',
    };
    const expanded = template.replace(
      /%([^%]+)%/g,
      (_, name: string) => envValue(ctx.env, name) ?? defaults[name] ?? `%${name}%`,
    );
    return p.normalize(expanded.replace(/\{home\}/g, ctx.home));
  }
  const xdg = ctx.env.XDG_CONFIG_HOME;
  const config = xdg && p.isAbsolute(xdg) ? xdg : p.join(ctx.home, '.config');
  return p.normalize(template.replace(/\{home\}/g, ctx.home).replace(/\{config\}/g, config));
}

/** Windows environment variable names are case-insensitive. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const key = Object.keys(env).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : env[key] || undefined;
}

export interface ResolvedFolder {
  path: string;
  optional: boolean;
}

/** The folders `browser` reads host manifests from, on Linux and macOS. */
export function manifestFolders(browser: Browser, scope: Scope, ctx: SystemContext): ResolvedFolder[] {
  const kind = systemKind(ctx.platform);
  if (kind === 'windows') return [];
  return browser[kind][scope].map((folder) => ({
    path: expandTemplate(folder.path, ctx),
    optional: folder.optional ?? false,
  }));
}

/** The registry keys (full, with the host name) `browser` reads on Windows. */
export function registryKeys(browser: Browser, scope: Scope, hostName: string): string[] {
  const root = scope === 'user' ? 'HKCU' : 'HKLM';
  return browser.windows.keys.map((key) => `${root}\\${key}\\${hostName}`);
}

export interface DetectedBrowser {
  browser: Browser;
  /** What showed it is there: a folder or a program. */
  evidence: string;
}

/** Browsers that look installed: their user data folder exists, or their program is found. */
export function detectBrowsers(ctx: SystemContext): DetectedBrowser[] {
  const kind = systemKind(ctx.platform);
  const exists = existsIn(ctx);
  const isExecutable = isExecutableIn(ctx);
  const p = pathsFor(ctx.platform);
  const searchPath = (ctx.env.PATH ?? '')
    .split(ctx.platform === 'win32' ? ';' : ':')
    .filter((dir) => p.isAbsolute(dir));

  const found: DetectedBrowser[] = [];
  for (const browser of BROWSERS) {
    const places = browser[kind];
    const profile = places.profiles.map((template) => expandTemplate(template, ctx)).find(exists);
    if (profile) {
      found.push({ browser, evidence: profile });
      continue;
    }
    let program: string | undefined;
    for (const candidate of places.programs) {
      const expanded = expandTemplate(candidate, ctx);
      if (p.isAbsolute(expanded)) {
        // macOS .app bundles are folders; elsewhere an executable file.
        if (kind === 'darwin' ? exists(expanded) : isExecutable(expanded)) program = expanded;
      } else {
        program = searchPath.map((dir) => p.join(dir, expanded)).find(isExecutable);
      }
      if (program) break;
    }
    if (program) found.push({ browser, evidence: program });
  }
  return found;
}
