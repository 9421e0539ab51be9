import { spawn, spawnSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import packageJson from '../../package.json';
import extensionManifest from '../../manifest.json';
import type { BrowserId } from '../../native-host/shared/browsers.js';
import { BROWSERS, detectBrowsers } from '../../native-host/src/install/browsers.js';
import {
  DEV_EXTENSION_ID,
  extensionIdFromKey,
  FIREFOX_EXTENSION_ID,
} from '../../native-host/src/install/extension-id.js';
import { applyInstall } from '../../native-host/src/install/apply-install.js';
import type { InstallEnvironment } from '../../native-host/src/install/environment.js';
import { planInstall, registryAddCommands, type InstallRequest } from '../../native-host/src/install/plan-install.js';
import { applyUninstall, planUninstall, registryDeleteCommands } from '../../native-host/src/install/uninstall.js';
import { batQuote, launcherTargets, launcherText, shQuote } from '../../native-host/src/install/launcher.js';
import { HOST_NAME, NO_EXTRA_EXTENSIONS, sortExtensionIds } from '../../native-host/src/install/manifest.js';
import { FrameReader, frameBytes } from '../../native-host/shared/protocol/frames.js';

const BUNDLE = fileURLToPath(new URL('../../dist/host/mxlens.mjs', import.meta.url));

let root: string;
/** A HOME with a space and a quote in its path, as real ones sometimes have. */
let home: string;
/** A stand-in for dist/host/mxlens.mjs that prints the arguments it got, as JSON. */
let fakeHost: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'mxlens-install-'));
  home = path.join(root, "home of O'Brien");
  mkdirSync(home);
  fakeHost = path.join(root, 'mx lens "dist"', 'fake host.mjs');
  mkdirSync(path.dirname(fakeHost));
  writeFileSync(fakeHost, 'process.stdout.write(JSON.stringify(process.argv.slice(2)));\n');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Only what is under the test's temporary folder exists: browsers installed on this machine stay out of it. */
const insideRoot = (file: string) => file.startsWith(root) && existsSync(file);
const executableInsideRoot = (file: string) =>
  insideRoot(file) && statSync(file).isFile() && (statSync(file).mode & 0o111) !== 0;

function system(platform: NodeJS.Platform = 'linux', env: NodeJS.ProcessEnv = {}): InstallEnvironment {
  return {
    platform,
    home,
    env: { PATH: '', ...env },
    nodePath: process.execPath,
    hostScript: fakeHost,
    exists: insideRoot,
    isExecutable: executableInsideRoot,
  };
}

function request(overrides: Partial<InstallRequest> = {}): InstallRequest {
  return { browsers: null, scope: 'user', dir: null, extra: NO_EXTRA_EXTENSIONS, ...overrides };
}

function install(env: InstallEnvironment, overrides: Partial<InstallRequest> = {}) {
  return applyInstall(planInstall(env, request(overrides)), env);
}

/** Every folder and file under `dir`: relative path -> "dir" or mode + content. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      const rel = path.relative(dir, full);
      if (statSync(full).isDirectory()) {
        out[rel] = 'dir';
        walk(full);
      } else {
        out[rel] = `${(statSync(full).mode & 0o777).toString(8)} ${readFileSync(full, 'utf8')}`;
      }
    }
  };
  walk(dir);
  return out;
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

const LINUX_USER: Record<BrowserId, string> = {
  chrome: '.config/google-chrome/NativeMessagingHosts',
  chromium: '.config/chromium/NativeMessagingHosts',
  edge: '.config/microsoft-edge/NativeMessagingHosts',
  brave: '.config/BraveSoftware/Brave-Browser/NativeMessagingHosts',
  vivaldi: '.config/vivaldi/NativeMessagingHosts',
  firefox: '.mozilla/native-messaging-hosts',
};

const MAC_USER: Record<BrowserId, string> = {
  chrome: 'Library/Application Support/Google/Chrome/NativeMessagingHosts',
  chromium: 'Library/Application Support/Chromium/NativeMessagingHosts',
  edge: 'Library/Application Support/Microsoft Edge/NativeMessagingHosts',
  // Brave reads Chrome's folder on macOS (brave-core app/brave_main_delegate.cc).
  brave: 'Library/Application Support/Google/Chrome/NativeMessagingHosts',
  vivaldi: 'Library/Application Support/Vivaldi/NativeMessagingHosts',
  firefox: 'Library/Application Support/Mozilla/NativeMessagingHosts',
};

describe('the extension ID', () => {
  it('is derived from manifest.json "key" the way Chromium does it', () => {
    const der = Buffer.from(extensionManifest.key, 'base64');
    const hex = createHash('sha256').update(der).digest('hex').slice(0, 32);
    const expected = hex.replace(/[0-9a-f]/g, (digit) => 'abcdefghijklmnop'[parseInt(digit, 16)]!);
    expect(DEV_EXTENSION_ID).toBe(expected);
    expect(DEV_EXTENSION_ID).toMatch(/^[a-p]{32}$/);
    expect(extensionIdFromKey(extensionManifest.key)).toBe(DEV_EXTENSION_ID);
  });

  it('the key is a real RSA-2048 public key; manifest.json is a minimal MV3 manifest', () => {
    const key = createPublicKey({ key: Buffer.from(extensionManifest.key, 'base64'), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(extensionManifest.manifest_version).toBe(3);
    expect(extensionManifest.version).toBe(packageJson.version);
    expect(extensionManifest.permissions).toEqual(expect.arrayContaining(['nativeMessaging']));
    expect(FIREFOX_EXTENSION_ID).toBe('mxlens@mxlens.io');
  });

  it('--extension-id takes Chrome IDs (also as origins) and Firefox add-on IDs', () => {
    const sorted = sortExtensionIds([
      'abcdefghijklmnopabcdefghijklmnop',
      'chrome-extension://pponmlkjihgfedcbaponmlkjihgfedcb/',
      'other@example.org',
    ]);
    expect(sorted).toEqual({
      ok: true,
      extra: {
        chromium: ['abcdefghijklmnopabcdefghijklmnop', 'pponmlkjihgfedcbaponmlkjihgfedcb'],
        firefox: ['other@example.org'],
      },
    });
    expect(sortExtensionIds(['not an id'])).toEqual({ ok: false, bad: 'not an id' });
  });
});

describe('Linux, per user', () => {
  it.each(BROWSERS.map((browser) => browser.id))('%s: manifest in its folder, naming the launcher', (id) => {
    const report = install(system(), { browsers: [id] });
    expect(report.ok).toBe(true);
    const launcher = path.join(home, '.local/share/mxlens/mxlens-host');
    const manifest = readJson(path.join(home, LINUX_USER[id], `${HOST_NAME}.json`));
    expect(manifest).toMatchObject({ name: HOST_NAME, path: launcher, type: 'stdio' });
    if (id === 'firefox') {
      expect(manifest.allowed_extensions).toEqual(['mxlens@mxlens.io']);
      expect(manifest).not.toHaveProperty('allowed_origins');
    } else {
      expect(manifest.allowed_origins).toEqual([`chrome-extension://${DEV_EXTENSION_ID}/`]);
      expect(manifest).not.toHaveProperty('allowed_extensions');
    }
    expect(statSync(launcher).mode & 0o777).toBe(0o755);
    // Nothing but the launcher, its record and the one manifest.
    const files = Object.entries(snapshot(home))
      .filter(([, what]) => what !== 'dir')
      .map(([file]) => file);
    expect(files.sort()).toEqual(
      [
        '.local/share/mxlens/install-record.json',
        '.local/share/mxlens/mxlens-host',
        `${LINUX_USER[id]}/${HOST_NAME}.json`,
      ].sort(),
    );
  });

  it('follows XDG_CONFIG_HOME and XDG_DATA_HOME', () => {
    const env = system('linux', { XDG_CONFIG_HOME: path.join(root, 'cfg'), XDG_DATA_HOME: path.join(root, 'data') });
    install(env, { browsers: ['chromium', 'firefox'] });
    expect(existsSync(path.join(root, 'cfg/chromium/NativeMessagingHosts', `${HOST_NAME}.json`))).toBe(true);
    expect(existsSync(path.join(home, '.mozilla/native-messaging-hosts', `${HOST_NAME}.json`))).toBe(true);
    expect(existsSync(path.join(root, 'data/mxlens/mxlens-host'))).toBe(true);
  });

  it('--extension-id adds store IDs to allowed_origins (and add-on IDs for Firefox)', () => {
    const sorted = sortExtensionIds(['abcdefghijklmnopabcdefghijklmnop', 'beta@mxlens.io']);
    if (!sorted.ok) throw new Error('unexpected');
    install(system(), { browsers: ['chrome', 'firefox'], extra: sorted.extra });
    expect(readJson(path.join(home, LINUX_USER.chrome, `${HOST_NAME}.json`)).allowed_origins).toEqual([
      `chrome-extension://${DEV_EXTENSION_ID}/`,
      'chrome-extension://abcdefghijklmnopabcdefghijklmnop/',
    ]);
    expect(readJson(path.join(home, LINUX_USER.firefox, `${HOST_NAME}.json`)).allowed_extensions).toEqual([
      'mxlens@mxlens.io',
      'beta@mxlens.io',
    ]);
  });

  it('system-wide: the documented system folders', () => {
    const folders = (id: BrowserId) =>
      planInstall(system(), request({ browsers: [id], scope: 'system' })).manifests.map((m) => path.dirname(m.path));
    expect(folders('chrome')).toEqual(['/etc/opt/chrome/native-messaging-hosts']);
    expect(folders('chromium')).toEqual(['/etc/chromium/native-messaging-hosts']);
    expect(folders('edge')).toEqual(['/etc/opt/edge/native-messaging-hosts']);
    expect(folders('brave')).toEqual(['/etc/opt/chrome/native-messaging-hosts']);
    expect(folders('vivaldi')[0]).toBe('/etc/opt/vivaldi/native-messaging-hosts');
    expect(folders('firefox')[0]).toBe('/usr/lib/mozilla/native-messaging-hosts');
    const plan = planInstall(system(), request({ browsers: ['chrome'], scope: 'system' }));
    expect(plan.launcher.path).toBe('/usr/local/lib/mxlens/mxlens-host');
    // Chrome and Brave share the system folder: one file, read by both.
    const shared = planInstall(system(), request({ browsers: ['chrome', 'brave'], scope: 'system' }));
    expect(shared.manifests).toHaveLength(1);
    expect(shared.manifests[0]!.browsers).toEqual(['chrome', 'brave']);
  });
});

describe('macOS (planned and written on this machine with a fake HOME)', () => {
  it.each(BROWSERS.map((browser) => browser.id))('%s: manifest in its Library folder', (id) => {
    const report = install(system('darwin'), { browsers: [id] });
    expect(report.ok).toBe(true);
    const manifest = readJson(path.join(home, MAC_USER[id], `${HOST_NAME}.json`));
    expect(manifest.path).toBe(path.join(home, 'Library/Application Support/mxlens/mxlens-host'));
    expect(existsSync(path.join(home, 'Library/Application Support/mxlens/mxlens-host'))).toBe(true);
  });

  it("Brave's own folder is added where Brave has its profile", () => {
    mkdirSync(path.join(home, 'Library/Application Support/BraveSoftware/Brave-Browser'), { recursive: true });
    install(system('darwin'), { browsers: ['brave'] });
    expect(
      existsSync(
        path.join(
          home,
          'Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts',
          `${HOST_NAME}.json`,
        ),
      ),
    ).toBe(true);
    expect(existsSync(path.join(home, MAC_USER.brave, `${HOST_NAME}.json`))).toBe(true);
  });

  it('system-wide folders', () => {
    const folders = (id: BrowserId) =>
      planInstall(system('darwin'), request({ browsers: [id], scope: 'system' })).manifests.map((m) =>
        path.dirname(m.path),
      );
    expect(folders('chrome')).toEqual(['/Library/Google/Chrome/NativeMessagingHosts']);
    expect(folders('chromium')).toEqual(['/Library/Application Support/Chromium/NativeMessagingHosts']);
    expect(folders('edge')).toEqual(['/Library/Microsoft/Edge/NativeMessagingHosts']);
    expect(folders('brave')).toEqual(['/Library/Google/Chrome/NativeMessagingHosts']);
    expect(folders('vivaldi')).toEqual(['/Library/Application Support/Vivaldi/NativeMessagingHosts']);
    expect(folders('firefox')).toEqual(['/Library/Application Support/Mozilla/NativeMessagingHosts']);
  });
});

describe('finding browsers', () => {
  it('by their user data folder or their program on PATH', () => {
    mkdirSync(path.join(home, '.config/google-chrome'), { recursive: true });
    mkdirSync(path.join(home, '.mozilla/firefox'), { recursive: true });
    const bin = path.join(root, 'bin dir');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'vivaldi-stable'), '#!/bin/sh\n');
    chmodSync(path.join(bin, 'vivaldi-stable'), 0o755);
    writeFileSync(path.join(bin, 'brave-browser'), 'not executable');
    const found = detectBrowsers({
      platform: 'linux',
      home,
      env: { PATH: bin },
      exists: insideRoot,
      isExecutable: executableInsideRoot,
    });
    expect(found.map((f) => f.browser.id)).toEqual(['chrome', 'vivaldi', 'firefox']);
    expect(found[1]!.evidence).toBe(path.join(bin, 'vivaldi-stable'));
  });

  it('install without --browser registers the browsers found, and refuses when there are none', () => {
    expect(() => planInstall(system(), request())).toThrow(/no supported browser found/);
    mkdirSync(path.join(home, 'Library/Application Support/Microsoft Edge'), { recursive: true });
    const plan = planInstall(system('darwin'), request());
    expect(plan.browsers.map((b) => b.id)).toEqual(['edge']);
    expect(planInstall(system(), request({ browsers: 'all' })).manifests).toHaveLength(6);
  });
});

describe('--dir', () => {
  it('writes the manifest and the launcher into DIR only', () => {
    const dir = path.join(root, 'test profile', 'NativeMessagingHosts');
    const report = install(system(), { dir });
    expect(report.ok).toBe(true);
    expect(snapshot(home)).toEqual({});
    expect(Object.keys(snapshot(dir)).sort()).toEqual([`${HOST_NAME}.json`, 'mxlens-host']);
    expect(readJson(path.join(dir, `${HOST_NAME}.json`))).toMatchObject({
      path: path.join(dir, 'mxlens-host'),
      allowed_origins: [`chrome-extension://${DEV_EXTENSION_ID}/`],
    });
    applyUninstall(planUninstall(system(), { browsers: null, scope: 'user', dir }), system());
    expect(snapshot(dir)).toEqual({});
  });

  it('a Firefox manifest when Firefox is named; not both kinds at once', () => {
    const dir = path.join(root, 'ff');
    install(system(), { dir, browsers: ['firefox'] });
    expect(readJson(path.join(dir, `${HOST_NAME}.json`)).allowed_extensions).toEqual(['mxlens@mxlens.io']);
    expect(() => planInstall(system(), request({ dir, browsers: ['firefox', 'chrome'] }))).toThrow(/one manifest/);
  });
});

describe('installing twice, and uninstalling', () => {
  it('the second install changes nothing: same bytes, same times, reported as unchanged', () => {
    install(system(), { browsers: 'all' });
    const before = snapshot(home);
    const times = Object.keys(before).map((file) => statSync(path.join(home, file)).mtimeMs);
    const again = install(system(), { browsers: 'all' });
    expect(again.steps.every((step) => step.outcome === 'unchanged')).toBe(true);
    expect(snapshot(home)).toEqual(before);
    expect(Object.keys(before).map((file) => statSync(path.join(home, file)).mtimeMs)).toEqual(times);
  });

  it('a moved Node or host is an update of the same files', () => {
    install(system(), { browsers: ['chrome'] });
    const moved = { ...system(), nodePath: '/opt/node 22/bin/node' };
    const report = install(moved, { browsers: ['chrome'] });
    expect(report.steps.map((step) => step.outcome)).toEqual(['updated', 'unchanged']);
    expect(readFileSync(path.join(home, '.local/share/mxlens/mxlens-host'), 'utf8')).toContain(
      `'/opt/node 22/bin/node'`,
    );
  });

  it.each(['linux', 'darwin'] as const)('%s: uninstall leaves exactly what was there before', (platform) => {
    // Things of the user's own that must survive: a browser profile, another host's manifest.
    const own = platform === 'linux' ? LINUX_USER.chrome : MAC_USER.chrome;
    mkdirSync(path.join(home, own), { recursive: true });
    writeFileSync(path.join(home, own, 'com.example.other.json'), '{"name":"com.example.other"}');
    const before = snapshot(home);
    install(system(platform), { browsers: 'all' });
    expect(snapshot(home)).not.toEqual(before);
    const report = applyUninstall(
      planUninstall(system(platform), { browsers: null, scope: 'user', dir: null }),
      system(platform),
    );
    expect(report.ok).toBe(true);
    expect(snapshot(home)).toEqual(before);
  });

  it('uninstalling one browser keeps the launcher for the others, and files another browser reads', () => {
    install(system('darwin'), { browsers: ['chrome', 'brave', 'firefox'] });
    const report = applyUninstall(
      planUninstall(system('darwin'), { browsers: ['brave', 'firefox'], scope: 'user', dir: null }),
      system('darwin'),
    );
    const byOutcome = (outcome: string) =>
      report.steps.filter((step) => step.outcome === outcome).map((step) => step.target);
    expect(byOutcome('removed')).toEqual([path.join(home, MAC_USER.firefox, `${HOST_NAME}.json`)]);
    expect(byOutcome('kept')).toEqual([path.join(home, MAC_USER.chrome, `${HOST_NAME}.json`)]);
    expect(existsSync(path.join(home, 'Library/Application Support/mxlens/mxlens-host'))).toBe(true);
    expect(existsSync(path.join(home, MAC_USER.firefox))).toBe(false); // a folder install created, now empty
  });

  it('never touches a file of that name that is not ours', () => {
    const folder = path.join(home, LINUX_USER.chrome);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `${HOST_NAME}.json`), '{"name":"something.else"}');
    const report = install(system(), { browsers: ['chrome'] });
    expect(report.ok).toBe(false);
    expect(report.steps.find((step) => step.outcome === 'not ours')?.target).toBe(
      path.join(folder, `${HOST_NAME}.json`),
    );
    expect(readFileSync(path.join(folder, `${HOST_NAME}.json`), 'utf8')).toBe('{"name":"something.else"}');
    const removal = applyUninstall(planUninstall(system(), { browsers: null, scope: 'user', dir: null }), system());
    expect(readFileSync(path.join(folder, `${HOST_NAME}.json`), 'utf8')).toBe('{"name":"something.else"}');
    expect(removal.steps.some((step) => step.outcome === 'not ours')).toBe(true);
  });
});

describe('Windows (the plan and the reg.exe commands; nothing is run here)', () => {
  const winHome = 'C:\\Users\\Ann Lee';
  const winEnv = (): InstallEnvironment => ({
    platform: 'win32',
    home: winHome,
    env: { LOCALAPPDATA: 'C:\\Users\\Ann Lee\\AppData\\Local' },
    nodePath: 'C:\\Program Files\\nodejs\\node.exe',
    hostScript: 'C:\\Users\\Ann Lee\\mx 100%\\dist\\host\\mxlens.mjs',
    runReg: () => {
      throw new Error('reg.exe must not run here');
    },
  });

  it('manifests and the .bat launcher in %LOCALAPPDATA%\\mxlens, one registry key per place a browser looks', () => {
    const plan = planInstall(winEnv(), request({ browsers: 'all' }));
    const folder = 'C:\\Users\\Ann Lee\\AppData\\Local\\mxlens';
    expect(plan.launcher.path).toBe(`${folder}\\mxlens-host.bat`);
    expect(plan.manifests.map((m) => m.path)).toEqual([
      `${folder}\\io.mxlens.host.json`,
      `${folder}\\io.mxlens.host.firefox.json`,
    ]);
    const chromeManifest = `${folder}\\io.mxlens.host.json`;
    const firefoxManifest = `${folder}\\io.mxlens.host.firefox.json`;
    expect(registryAddCommands(plan)).toEqual([
      [
        'add',
        'HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\io.mxlens.host',
        '/ve',
        '/t',
        'REG_SZ',
        '/d',
        chromeManifest,
        '/f',
      ],
      [
        'add',
        'HKCU\\Software\\Chromium\\NativeMessagingHosts\\io.mxlens.host',
        '/ve',
        '/t',
        'REG_SZ',
        '/d',
        chromeManifest,
        '/f',
      ],
      [
        'add',
        'HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\io.mxlens.host',
        '/ve',
        '/t',
        'REG_SZ',
        '/d',
        chromeManifest,
        '/f',
      ],
      [
        'add',
        'HKCU\\Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts\\io.mxlens.host',
        '/ve',
        '/t',
        'REG_SZ',
        '/d',
        chromeManifest,
        '/f',
      ],
      [
        'add',
        'HKCU\\Software\\Vivaldi\\NativeMessagingHosts\\io.mxlens.host',
        '/ve',
        '/t',
        'REG_SZ',
        '/d',
        chromeManifest,
        '/f',
      ],
      [
        'add',
        'HKCU\\Software\\Mozilla\\NativeMessagingHosts\\io.mxlens.host',
        '/ve',
        '/t',
        'REG_SZ',
        '/d',
        firefoxManifest,
        '/f',
      ],
    ]);
    expect(JSON.parse(plan.manifests[0]!.text).path).toBe(`${folder}\\mxlens-host.bat`);
  });

  it('--system writes HKLM keys and uses %ProgramData%', () => {
    const plan = planInstall(winEnv(), request({ browsers: ['edge'], scope: 'system' }));
    expect(plan.launcher.path).toBe('C:\\ProgramData\\mxlens\\mxlens-host.bat');
    expect(registryAddCommands(plan)).toEqual([
      [
        'add',
        'HKLM\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\io.mxlens.host',
        '/ve',
        '/t',
        'REG_SZ',
        '/d',
        'C:\\ProgramData\\mxlens\\io.mxlens.host.json',
        '/f',
      ],
    ]);
  });

  it('uninstall deletes the keys; keys another browser reads stay', () => {
    expect(registryDeleteCommands(planUninstall(winEnv(), { browsers: null, scope: 'user', dir: null }))).toHaveLength(
      6,
    );
    const edgeOnly = planUninstall(winEnv(), { browsers: ['edge', 'brave'], scope: 'user', dir: null });
    expect(registryDeleteCommands(edgeOnly)).toEqual([
      ['delete', 'HKCU\\Software\\Microsoft\\Edge\\NativeMessagingHosts\\io.mxlens.host', '/f'],
      ['delete', 'HKCU\\Software\\BraveSoftware\\Brave-Browser\\NativeMessagingHosts\\io.mxlens.host', '/f'],
    ]);
    expect(edgeOnly.kept.map((k) => k.target)).toContain(
      'HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\io.mxlens.host',
    );
  });

  it('the .bat launcher quotes paths and doubles % signs', () => {
    const text = launcherText(
      'win32',
      'C:\\Program Files\\nodejs\\node.exe',
      'C:\\Users\\Ann Lee\\mx 100%\\dist\\host\\mxlens.mjs',
    );
    expect(text).toContain(
      '"C:\\Program Files\\nodejs\\node.exe" "C:\\Users\\Ann Lee\\mx 100%%\\dist\\host\\mxlens.mjs" host %*\r\n',
    );
    expect(launcherTargets(text)).toEqual({
      nodePath: 'C:\\Program Files\\nodejs\\node.exe',
      hostScript: 'C:\\Users\\Ann Lee\\mx 100%\\dist\\host\\mxlens.mjs',
    });
    expect(() => batQuote('C:\\a"b')).toThrow();
  });
});

describe('the launcher', () => {
  it('sh quoting survives spaces, quotes, $ and backslashes', () => {
    const nasty = `/tmp/it's a "test" $HOME \\ \`x\``;
    const text = launcherText('linux', nasty, `${nasty}/mxlens.mjs`);
    expect(launcherTargets(text)).toEqual({ nodePath: nasty, hostScript: `${nasty}/mxlens.mjs` });
    const echoed = spawnSync('sh', ['-c', `printf %s ${shQuote(nasty)}`], { encoding: 'utf8' });
    expect(echoed.stdout).toBe(nasty);
  });

  it('runs this Node on the host script with "host" and the browser\'s arguments, from a path with spaces and quotes', () => {
    install(system(), { browsers: ['chrome'] });
    const launcher = path.join(home, '.local/share/mxlens/mxlens-host');
    const args = [`chrome-extension://${DEV_EXTENSION_ID}/`, '--parent-window=0', 'it\'s "quoted" $x'];
    // A bare environment, as browsers give: no PATH to find node with.
    const run = spawnSync(launcher, args, { encoding: 'utf8', env: {} });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual(['host', ...args]);
  });

  it('starts the real built host (dist/host/mxlens.mjs), which answers hello', async () => {
    expect(existsSync(BUNDLE), `${BUNDLE} is missing: run "npm run build" first`).toBe(true);
    const env = { ...system(), hostScript: BUNDLE };
    install(env, { browsers: ['chrome'] });
    const launcher = path.join(home, '.local/share/mxlens/mxlens-host');
    const reply = await helloThrough(launcher, { HOME: home, XDG_STATE_HOME: path.join(root, 'state') });
    expect(reply).toMatchObject({
      kind: 'frame',
      message: { type: 'hello', id: 1, protocol: 1, version: packageJson.version },
    });
  });
});

type HelloOutcome = { kind: 'frame'; message: Record<string, unknown> } | { kind: 'stderr'; text: string };

function helloThrough(launcher: string, env: NodeJS.ProcessEnv): Promise<HelloOutcome> {
  const littleEndian = endianness() === 'LE';
  return new Promise((resolve, reject) => {
    const child = spawn(launcher, [`chrome-extension://${DEV_EXTENSION_ID}/`], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const reader = new FrameReader({ littleEndian });
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no hello reply within 5 s; stderr: ${stderr}`));
    }, 5_000);
    child.stdout.on('data', (chunk: Buffer) => {
      for (const event of reader.push(chunk)) {
        if (event.kind !== 'frame') continue;
        clearTimeout(timer);
        child.stdin.end();
        resolve({
          kind: 'frame',
          message: JSON.parse(Buffer.from(event.body).toString('utf8')) as Record<string, unknown>,
        });
      }
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.stdin.on('error', () => undefined);
    child.on('exit', () =>
      setImmediate(() => {
        clearTimeout(timer);
        resolve({ kind: 'stderr', text: stderr });
      }),
    );
    child.stdin.write(
      frameBytes(
        Buffer.from(JSON.stringify({ type: 'hello', id: 1, protocol: 1, extension: packageJson.version })),
        littleEndian,
      ),
    );
  });
}
