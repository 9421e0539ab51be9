import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkBrowser, checkHostAnswers, checkLog, checkSettings } from '../../native-host/src/doctor/checks.js';
import { browserById } from '../../native-host/src/install/browsers.js';
import { launcherText } from '../../native-host/src/install/launcher.js';
import { hostManifest, manifestText } from '../../native-host/src/install/manifest.js';
import { loadSettings } from '../../native-host/src/settings.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mxlens doctor '));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in host: answers the first frame with `reply` (as a frame), or behaves as told. */
function fakeHost(behaviour: 'hello' | 'mismatch' | 'silent' | 'crash'): string {
  const script = path.join(dir, `fake ${behaviour}.mjs`);
  const reply =
    behaviour === 'hello'
      ? { type: 'hello', id: 1, protocol: 1, version: '9.9.9', capabilities: [], limits: {}, settingsProblems: [] }
      : { type: 'error', id: 1, code: 'protocol_mismatch', message: 'the host is older' };
  writeFileSync(
    script,
    behaviour === 'crash'
      ? `process.stderr.write('boom: no such thing\\n'); process.exit(3);\n`
      : behaviour === 'silent'
        ? `process.stdin.resume();\n`
        : `import { endianness } from 'node:os';
process.stdin.once('data', () => {
  const body = Buffer.from(${JSON.stringify(JSON.stringify(reply))});
  const head = Buffer.alloc(4);
  endianness() === 'LE' ? head.writeUInt32LE(body.length) : head.writeUInt32BE(body.length);
  process.stdout.write(Buffer.concat([head, body]));
});
process.stdin.on('end', () => process.exit(0));
`,
  );
  const launcher = path.join(dir, `launcher ${behaviour}`);
  writeFileSync(launcher, launcherText('linux', process.execPath, script));
  chmodSync(launcher, 0o755);
  return launcher;
}

describe('checkHostAnswers', () => {
  it('ok when the host answers hello', async () => {
    const launcher = fakeHost('hello');
    const check = await checkHostAnswers('host', 'Host answers', { command: launcher, args: [], label: launcher });
    expect(check).toMatchObject({ ok: true, fix: null });
    expect(check.detail).toContain('answered hello: mxlens 9.9.9, protocol 1');
  });

  it('a refused hello says which side to update', async () => {
    const launcher = fakeHost('mismatch');
    const check = await checkHostAnswers('host', 'Host answers', { command: launcher, args: [], label: launcher });
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('refused hello: the host is older');
  });

  it('a host that dies shows its last words', async () => {
    const launcher = fakeHost('crash');
    const check = await checkHostAnswers('host', 'Host answers', { command: launcher, args: [], label: launcher });
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(/exited \(code 3\) without answering hello\. Its last words: boom: no such thing/);
  });

  it('a silent host times out', async () => {
    const launcher = fakeHost('silent');
    const check = await checkHostAnswers('host', 'Host answers', { command: launcher, args: [], label: launcher }, 300);
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('gave no hello reply within 0.3 s');
  });

  it('a launcher that cannot start', async () => {
    const missing = path.join(dir, 'nope');
    const check = await checkHostAnswers('host', 'Host answers', { command: missing, args: [], label: missing });
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('could not be started: ENOENT');
  });
});

describe('checkBrowser', () => {
  const write = (name: string, text: string, mode = 0o644) => {
    const file = path.join(dir, name);
    writeFileSync(file, text, { mode });
    chmodSync(file, mode);
    return file;
  };

  it('follows manifest -> launcher -> Node and host script', () => {
    const host = write('mxlens.mjs', '');
    const launcher = write('mxlens-host', launcherText('linux', process.execPath, host), 0o755);
    const file = write('io.mxlens.host.json', manifestText(hostManifest('chromium', launcher)));
    const result = checkBrowser(browserById('chrome'), { file, via: 'per user' }, 'linux');
    expect(result.checks.map((c) => [c.id, c.ok])).toEqual([
      ['browser.chrome.manifest', true],
      ['browser.chrome.launcher', true],
      ['browser.chrome.node', true],
    ]);
    expect(result.launcher).toBe(launcher);
  });

  it('a Chrome-style manifest where Firefox looks is wrong', () => {
    const file = write('io.mxlens.host.json', manifestText(hostManifest('chromium', '/x')));
    const result = checkBrowser(browserById('firefox'), { file, via: 'per user' }, 'linux');
    expect(result.checks[0]).toMatchObject({ ok: false, fix: 'run: mxlens install --browser firefox' });
    expect(result.checks[0]!.detail).toContain('no "allowed_extensions"');
  });

  it('a launcher that is not executable', () => {
    const launcher = write('mxlens-host', launcherText('linux', process.execPath, '/x.mjs'), 0o644);
    const file = write('io.mxlens.host.json', manifestText(hostManifest('chromium', launcher)));
    const result = checkBrowser(browserById('edge'), { file, via: 'per user' }, 'linux');
    expect(result.checks[1]).toMatchObject({ id: 'browser.edge.launcher', ok: false });
    expect(result.checks[1]!.detail).toContain('is not executable');
    expect(result.launcher).toBeNull();
  });

  it('no manifest at all', () => {
    const result = checkBrowser(browserById('vivaldi'), null, 'linux');
    expect(result.checks).toEqual([
      expect.objectContaining({
        id: 'browser.vivaldi.manifest',
        ok: false,
        fix: 'run: mxlens install --browser vivaldi',
      }),
    ]);
  });
});

describe('settings and log', () => {
  it('problems fail the settings check; the log check says where the log is', () => {
    const home = path.join(dir, 'home');
    mkdirSync(home);
    const good = loadSettings({}, 'linux', home);
    expect(checkSettings(good)).toMatchObject({ ok: true });
    expect(checkLog(good)).toMatchObject({
      ok: true,
      detail: `${path.join(home, '.local/state/mxlens/host.log')}, not written yet`,
    });
    const bad = loadSettings({ MXLENS_DNS: 'dns.google' }, 'linux', home);
    expect(checkSettings(bad)).toMatchObject({ ok: false });
    expect(checkSettings(bad).detail).toContain('MXLENS_DNS: takes an IP address');
    expect(checkLog(loadSettings({ MXLENS_LOG: '' }, 'linux', home)).detail).toContain('stderr only');
  });
});
