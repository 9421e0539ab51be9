import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWorld, type World } from '../world/index.js';
import { startSocks5Proxy, type Socks5Proxy } from '../world/socks5-proxy.js';
import { runMxlens } from './cli.js';

// `mxlens doctor` against the test world (dnsmasq on 127.0.0.1:5353, Postfix on 127.0.0.2:25),
// run as the built command with a throw-away HOME in which the host is installed for Chrome.

interface Check {
  id: string;
  ok: boolean;
  title: string;
  detail: string;
  fix: string | null;
}

let world: World;
let proxy: Socks5Proxy;
let root: string;
let home: string;

/** The user's environment: a fresh HOME (with a space in it), no browsers on PATH. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_STATE_HOME: path.join(home, '.local/state'),
    PATH: '/usr/bin:/bin',
    MXLENS_DNS: undefined,
    MXLENS_PROXY: undefined,
    MXLENS_ALLOW_PRIVATE: undefined,
    ...extra,
  };
}

async function doctor(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = await runMxlens(['doctor', '--json', ...args], { env: userEnv(env) });
  let report: { ok: boolean; checks: Check[] };
  try {
    report = JSON.parse(run.stdout) as { ok: boolean; checks: Check[] };
  } catch {
    throw new Error(`doctor printed no JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
  const byId = (id: string) => {
    const check = report.checks.find((c) => c.id === id);
    if (!check) throw new Error(`no check "${id}" in ${report.checks.map((c) => c.id).join(', ')}`);
    return check;
  };
  return { code: run.code, report, byId, stderr: run.stderr };
}

const WORLD_DNS = ['--dns', '127.0.0.1:5353'];

beforeAll(async () => {
  world = await useWorld();
  proxy = await startSocks5Proxy({ host: '127.0.0.1' });
  root = mkdtempSync(path.join(tmpdir(), 'mxlens-doctor-'));
  home = path.join(root, 'home dir');
  mkdirSync(home);
  const installed = await runMxlens(['install', '--browser', 'chrome'], { env: userEnv() });
  expect(installed.code, installed.stderr).toBe(0);
});

afterAll(async () => {
  await proxy?.stop();
  await world?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('mxlens doctor', () => {
  it('all green in a working setup: browser registration, settings, DNS, port 25, log', async () => {
    const { byId, report } = await doctor([...WORLD_DNS, '--mx-domain', 'acme.test'], { MXLENS_ALLOW_PRIVATE: '1' });
    for (const id of [
      'browser.chrome.manifest',
      'browser.chrome.launcher',
      'browser.chrome.node',
      'settings',
      'dns',
      'port25',
      'log',
    ]) {
      expect(byId(id), JSON.stringify(byId(id))).toMatchObject({ ok: true, fix: null });
    }
    expect(byId('dns').detail).toContain('mx1.acme.test (127.0.0.2)');
    expect(byId('port25').detail).toMatch(/connected to mx1\.acme\.test \(127\.0\.0\.2\) port 25; it said: 220 /);
    expect(byId('log').detail).toContain(path.join(home, '.local/state/mxlens/host.log'));
    // Only Chrome is registered; a browser merely installed on the test machine is mentioned, not failed.
    for (const check of report.checks.filter(
      (c) => c.id.startsWith('browser.') && !c.id.startsWith('browser.chrome.'),
    )) {
      expect(check).toMatchObject({ ok: true, title: expect.stringMatching(/: host registered$/) });
      expect(check.detail).toMatch(
        /MX Lens is not registered for it\. If you use MX Lens in .*: mxlens install --browser /,
      );
    }
  });

  // Needs `mxlens host` in the CLI's command table: fails until the host command is there.
  it('the host answers hello through the installed launcher; exit code 0', async () => {
    const { byId, code, report } = await doctor([...WORLD_DNS, '--mx-domain', 'acme.test'], {
      MXLENS_ALLOW_PRIVATE: '1',
    });
    expect(byId('host'), byId('host').detail).toMatchObject({ ok: true });
    expect(byId('host').detail).toMatch(/answered hello: mxlens \d+\.\d+\.\d+, protocol 1/);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
  });

  it('port 25 blocked (nothing listens at the MX): fails with the SOCKS5 proxy advice, exit code 1', async () => {
    const { byId, code, report } = await doctor([...WORLD_DNS, '--mx-domain', 'refused.test'], {
      MXLENS_ALLOW_PRIVATE: '1',
    });
    expect(byId('dns').ok).toBe(true);
    const port25 = byId('port25');
    expect(port25.ok).toBe(false);
    expect(port25.detail).toMatch(
      /could not connect to mx\.refused\.test \(127\.0\.1\.8\) port 25 within 5 s: .*ECONNREFUSED/,
    );
    expect(port25.fix).toContain('Most home and cloud networks block outbound port 25');
    expect(port25.fix).toContain('connection_failed');
    expect(port25.fix).toContain('MXLENS_PROXY=socks5://');
    expect(port25.fix).toContain(`"proxy": "socks5://HOST:1080" in ${path.join(home, '.config/mxlens/config.json')}`);
    expect(report.ok).toBe(false);
    expect(code).toBe(1);
  });

  it('through a SOCKS5 proxy from the settings, port 25 is tested via the proxy', async () => {
    const { byId } = await doctor([...WORLD_DNS, '--mx-domain', 'acme.test'], {
      MXLENS_ALLOW_PRIVATE: '1',
      MXLENS_PROXY: `socks5://127.0.0.1:${proxy.port}`,
    });
    expect(byId('port25').ok).toBe(true);
    expect(byId('port25').detail).toContain(`through socks5://127.0.0.1:${proxy.port}`);
    expect(proxy.connects).toContain('127.0.0.2:25');
  });

  it('--mx-host picks the mail server for the port 25 test', async () => {
    const { byId } = await doctor([...WORLD_DNS, '--mx-domain', 'acme.test', '--mx-host', 'mx.refused.test']);
    expect(byId('dns').ok).toBe(true);
    expect(byId('port25').ok).toBe(false);
    expect(byId('port25').detail).toContain('mx.refused.test (127.0.1.8)');
  });

  it('a private mail server address is noted when allow-private is off', async () => {
    const { byId } = await doctor([...WORLD_DNS, '--mx-domain', 'acme.test']);
    expect(byId('port25').ok).toBe(true);
    expect(byId('port25').detail).toContain('MXLENS_ALLOW_PRIVATE=1');
  });

  it('DNS failure: the domain does not exist; port 25 is not tested', async () => {
    const { byId } = await doctor([...WORLD_DNS, '--mx-domain', 'nowhere.test']);
    expect(byId('dns')).toMatchObject({ ok: false });
    expect(byId('dns').detail).toContain('127.0.0.1:5353 say nowhere.test does not exist');
    expect(byId('port25')).toMatchObject({ ok: false });
    expect(byId('port25').detail).toMatch(/^not tested/);
  });

  it('settings problems are listed with where to fix them', async () => {
    const { byId } = await doctor([...WORLD_DNS, '--mx-domain', 'acme.test'], {
      MXLENS_PROXY: 'http://127.0.0.1:3128',
      MXLENS_TIMEOUT: 'soon',
    });
    const settings = byId('settings');
    expect(settings.ok).toBe(false);
    expect(settings.detail).toContain('MXLENS_PROXY: supports socks5:// only');
    expect(settings.detail).toContain('MXLENS_TIMEOUT: takes a whole number');
    expect(settings.fix).toContain('mxlens config show');
  });

  it('nothing installed and no browser: says so, and still starts the host directly', async () => {
    const bare = path.join(root, 'bare home');
    mkdirSync(bare, { recursive: true });
    const { byId, code } = await doctor([...WORLD_DNS, '--mx-domain', 'acme.test'], {
      HOME: bare,
      XDG_CONFIG_HOME: undefined,
      XDG_DATA_HOME: undefined,
      XDG_STATE_HOME: undefined,
    });
    // Browsers installed on the test machine itself (found at their usual paths) are reported as
    // found but not registered; with none, one check says no browser was found.
    const { report } = await doctor([...WORLD_DNS, '--mx-domain', 'acme.test'], {
      HOME: bare,
      XDG_CONFIG_HOME: undefined,
      XDG_DATA_HOME: undefined,
      XDG_STATE_HOME: undefined,
    });
    const browserChecks = report.checks.filter((c) => c.id === 'browsers' || c.id.startsWith('browser.'));
    expect(browserChecks.length).toBeGreaterThan(0);
    for (const check of browserChecks) {
      expect(check.ok).toBe(false);
      expect(check.fix).toContain('mxlens install');
      if (check.id !== 'browsers')
        expect(check.detail).toMatch(/is on this machine, but no io\.mxlens\.host manifest is registered/);
    }
    expect(byId('host').title).toContain('started directly');
    expect(code).toBe(1);
  });

  it('a broken registration: the launcher names a Node that is gone', async () => {
    const dir = path.join(root, 'profile', 'NativeMessagingHosts');
    const installed = await runMxlens(['install', '--dir', dir], { env: userEnv() });
    expect(installed.code).toBe(0);
    const { writeFileSync, readFileSync } = await import('node:fs');
    const launcher = path.join(dir, 'mxlens-host');
    writeFileSync(launcher, readFileSync(launcher, 'utf8').replace(/^exec '[^']*'/m, `exec '/nonexistent/node'`));
    const { byId } = await doctor(['--dir', dir, ...WORLD_DNS, '--mx-domain', 'acme.test']);
    expect(byId('dir.manifest').ok).toBe(true);
    expect(byId('dir.launcher').ok).toBe(true);
    expect(byId('dir.node')).toMatchObject({ ok: false });
    expect(byId('dir.node').detail).toContain('/nonexistent/node');
    expect(byId('dir.node').fix).toContain(`mxlens install --dir '${dir}'`);
  });

  it('plain output: one line per check, the fix under each problem', async () => {
    const run = await runMxlens(['doctor', ...WORLD_DNS, '--mx-domain', 'refused.test'], { env: userEnv() });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^MX Lens doctor: mxlens \d/);
    expect(run.stdout).toMatch(/ {2}ok {4}Chrome: host manifest/);
    expect(run.stdout).toMatch(
      / {2}FAIL {2}Outbound port 25\n.*\n {8}Fix: Most home and cloud networks block outbound port 25/,
    );
    expect(run.stdout).toMatch(/\d+ problems? found\.\n$/);
  });
});
