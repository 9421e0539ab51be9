import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultVerifyOptions } from '../../native-host/src/engine/options.js';
import { BUDGET_NAMES } from '../../native-host/src/engine/budgets.js';
import { CONFIG_KEYS, configFilePath, loadSettings } from '../../native-host/src/settings.js';
import { settingRow } from '../../native-host/shared/settings/table.js';

let home: string;

beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), 'mxlens settings '));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

/** Writes ~/.config/mxlens/config.json (Linux layout). */
function writeConfig(content: unknown): string {
  const file = path.join(home, '.config', 'mxlens', 'config.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const load = (env: NodeJS.ProcessEnv = {}) => loadSettings(env, 'linux', home);

describe('where things are', () => {
  it('Linux: XDG config and state folders, defaulting to ~/.config and ~/.local/state', () => {
    const settings = load();
    expect(settings.configFile).toBe(path.join(home, '.config/mxlens/config.json'));
    expect(settings.logFile).toBe(path.join(home, '.local/state/mxlens/host.log'));
    const xdg = loadSettings({ XDG_CONFIG_HOME: '/x/conf', XDG_STATE_HOME: '/x/state' }, 'linux', home);
    expect(xdg.configFile).toBe('/x/conf/mxlens/config.json');
    expect(xdg.logFile).toBe('/x/state/mxlens/host.log');
    // A relative XDG folder is invalid and ignored.
    expect(configFilePath({ XDG_CONFIG_HOME: 'relative' }, 'linux', '/home/u')).toBe(
      '/home/u/.config/mxlens/config.json',
    );
  });

  it('macOS: Application Support and Logs', () => {
    const settings = loadSettings({}, 'darwin', '/Users/u');
    expect(settings.configFile).toBe('/Users/u/Library/Application Support/mxlens/config.json');
    expect(settings.logFile).toBe('/Users/u/Library/Logs/mxlens/host.log');
  });

  it('Windows: %APPDATA% and %LOCALAPPDATA%', () => {
    const env = { APPDATA: 'C:\\Users\\u\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' };
    const settings = loadSettings(env, 'win32', 'C:\\Users\\u');
    expect(settings.configFile).toBe('C:\\Users\\u\\AppData\\Roaming\\mxlens\\config.json');
    expect(settings.logFile).toBe('C:\\Users\\u\\AppData\\Local\\mxlens\\host.log');
    expect(configFilePath({}, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Roaming\\mxlens\\config.json');
  });
});

describe('precedence: defaults < config file < environment', () => {
  it('no file and no variables: the defaults, no problems', () => {
    const settings = load();
    expect(settings.verify).toEqual(defaultVerifyOptions());
    expect(settings.problems).toEqual([]);
  });

  it('the config file sets every key', () => {
    writeConfig({
      dns: ['127.0.0.1:5353', '::1'],
      allowPrivate: true,
      proxy: 'socks5://me:s%40cret@127.0.0.1:1080',
      sender: 'Probe@Example.COM',
      heloName: 'mail.example.com',
      timeoutMs: 5000,
      catchAll: false,
      greylistWaitMs: 60000,
      concurrency: 3,
      logFile: '/var/tmp/mxlens.log',
    });
    const settings = load();
    expect(settings.problems).toEqual([]);
    expect(settings.verify).toMatchObject({
      dnsServers: ['127.0.0.1:5353', '::1'],
      allowPrivate: true,
      proxy: { host: '127.0.0.1', port: 1080, userId: 'me', password: 's@cret' },
      sender: 'Probe@example.com',
      heloName: 'mail.example.com',
      timeoutMs: 5000,
      catchAllProbe: false,
      greylistWaitMs: 60000,
      concurrency: 3,
    });
    expect(settings.logFile).toBe('/var/tmp/mxlens.log');
  });

  it('environment variables win over the config file', () => {
    writeConfig({ dns: ['9.9.9.9'], proxy: 'socks5://10.0.0.1:1080', timeoutMs: 5000, helo: 'a.example' });
    const settings = load({
      MXLENS_DNS: '127.0.0.1:5353, 1.1.1.1',
      MXLENS_ALLOW_PRIVATE: '1',
      MXLENS_PROXY: 'socks5://127.0.0.1:9050',
      MXLENS_FROM: 'me@example.org',
      MXLENS_HELO: 'b.example',
      MXLENS_TIMEOUT: '7000',
      MXLENS_LOG: '/tmp/host.log',
    });
    expect(settings.problems).toEqual([]);
    expect(settings.verify).toMatchObject({
      dnsServers: ['127.0.0.1:5353', '1.1.1.1'],
      allowPrivate: true,
      proxy: { host: '127.0.0.1', port: 9050 },
      sender: 'me@example.org',
      heloName: 'b.example',
      timeoutMs: 7000,
    });
    expect(settings.logFile).toBe('/tmp/host.log');
  });

  it('set-but-empty variables mean "none": system DNS, no proxy, null sender, no log file', () => {
    writeConfig({ dns: ['9.9.9.9'], proxy: 'socks5://10.0.0.1:1080', from: 'me@example.org' });
    const settings = load({
      MXLENS_DNS: '',
      MXLENS_PROXY: '',
      MXLENS_FROM: '',
      MXLENS_LOG: '',
      MXLENS_HELO: '',
      MXLENS_TIMEOUT: '',
    });
    expect(settings.problems).toEqual([]);
    expect(settings.verify.dnsServers).toEqual([]);
    expect(settings.verify.proxy).toBeNull();
    expect(settings.verify.sender).toBe('');
    expect(settings.logFile).toBe('');
    expect(settings.verify.heloName).toBe(defaultVerifyOptions().heloName);
    expect(settings.verify.timeoutMs).toBe(20_000);
  });

  it('MXLENS_ALLOW_PRIVATE=0 turns off what the config file turned on', () => {
    writeConfig({ allowPrivate: true });
    expect(load({ MXLENS_ALLOW_PRIVATE: '0' }).verify.allowPrivate).toBe(false);
    expect(load({ MXLENS_ALLOW_PRIVATE: 'yes' }).verify.allowPrivate).toBe(true);
  });
});

describe('bad values are reported, never silently dropped', () => {
  it('a bad proxy variable: a problem, and the config file value stays', () => {
    writeConfig({ proxy: 'socks5://10.0.0.1:1080' });
    const settings = load({ MXLENS_PROXY: 'http://127.0.0.1:3128' });
    expect(settings.verify.proxy).toEqual({ host: '10.0.0.1', port: 1080 });
    expect(settings.problems).toEqual([
      { setting: 'MXLENS_PROXY', message: 'supports socks5:// only, not "http:"; using socks5://10.0.0.1:1080' },
    ]);
  });

  it('bad variables of every kind keep the defaults', () => {
    const settings = load({
      MXLENS_DNS: '1.1.1.1,dns.google',
      MXLENS_ALLOW_PRIVATE: 'maybe',
      MXLENS_FROM: 'not an address',
      MXLENS_HELO: 'bad name!',
      MXLENS_TIMEOUT: '20s',
      MXLENS_LOG: 'relative/host.log',
    });
    expect(settings.verify).toEqual(defaultVerifyOptions());
    expect(settings.problems.map((problem) => problem.setting)).toEqual([
      'MXLENS_DNS',
      'MXLENS_ALLOW_PRIVATE',
      'MXLENS_FROM',
      'MXLENS_HELO',
      'MXLENS_TIMEOUT',
      'MXLENS_LOG',
    ]);
    expect(settings.problems[0]!.message).toBe(
      `takes an IP address with an optional port, like 1.1.1.1 or [::1]:5353, not "dns.google"; using the system's DNS servers`,
    );
    expect(settings.problems[4]!.message).toMatch(/^takes a whole number from 100 to 600000, not "20s"; using 20000$/);
    expect(settings.logFile).toBe(path.join(home, '.local/state/mxlens/host.log'));
  });

  it('a config file that is not JSON: one problem naming the file, defaults in force', () => {
    const file = writeConfig('{ "proxy": "socks5://127.0.0.1:1080", }');
    const settings = load();
    expect(settings.verify).toEqual(defaultVerifyOptions());
    expect(settings.problems).toHaveLength(1);
    expect(settings.problems[0]!.setting).toBe('config.json');
    expect(settings.problems[0]!.message).toContain(`${file} is not valid JSON`);
    expect(settings.problems[0]!.message).toMatch(/the whole file is ignored$/);
  });

  it('a config file holding something else than an object', () => {
    writeConfig('["socks5://127.0.0.1:1080"]');
    expect(load().problems[0]!.message).toMatch(/must hold one JSON object/);
  });

  it('wrong types and unknown keys: one problem each, the good keys still apply', () => {
    writeConfig({
      dns: '1.1.1.1',
      allowPrivate: 'yes',
      timeoutMs: '5000',
      concurrency: 0,
      greylistWaitMs: 1.5,
      catchAll: 1,
      proxy: 'socks5://nohost',
      from: 42,
      helo: 'ok.example',
      timeout: 5000,
      colour: 'blue',
    });
    const settings = load();
    expect(settings.verify.heloName).toBe('ok.example');
    expect(settings.verify.timeoutMs).toBe(20_000);
    const bySetting = Object.fromEntries(settings.problems.map((problem) => [problem.setting, problem.message]));
    expect(Object.keys(bySetting)).toEqual([
      'config.json "dns"',
      'config.json "allowPrivate"',
      'config.json "timeoutMs"',
      'config.json "concurrency"',
      'config.json "greylistWaitMs"',
      'config.json "catchAll"',
      'config.json "proxy"',
      'config.json "from"',
      'config.json "timeout"',
      'config.json "colour"',
    ]);
    expect(bySetting['config.json "dns"']).toMatch(/^takes a list like \["1.1.1.1", "9.9.9.9:53"\], not "1.1.1.1"/);
    expect(bySetting['config.json "timeoutMs"']).toBe(
      'takes a whole number from 100 to 600000, not "5000"; using 20000',
    );
    expect(bySetting['config.json "proxy"']).toBe(
      'needs a host and a port, as in socks5://127.0.0.1:1080; using no proxy',
    );
    expect(bySetting['config.json "timeout"']).toContain('did you mean "timeoutMs"?');
    expect(bySetting['config.json "colour"']).toContain(`known settings: ${CONFIG_KEYS.join(', ')}`);
  });

  it('an unreadable config file (a folder in its place) is a problem, not a crash', () => {
    mkdirSync(path.join(home, '.config', 'mxlens', 'config.json'), { recursive: true });
    const settings = load();
    expect(settings.problems).toHaveLength(1);
    expect(settings.problems[0]!.message).toMatch(/config\.json is not a regular file \(a folder\)/);
  });
});

describe('budgets', () => {
  it('come from the config file and the environment, the environment winning', () => {
    writeConfig({ mxSessionsPerMinute: 5, domainRcptsPerMinute: 40, siteChecksPerMinute: 0 });
    const settings = load({ MXLENS_DOMAIN_RCPTS_PER_MINUTE: '30', MXLENS_MX_RCPTS_PER_MINUTE: ' 70 ' });
    expect(settings.problems).toEqual([]);
    expect(settings.verify.budgets).toEqual({
      mxSessionsPerMinute: 5,
      mxRcptsPerMinute: 70,
      domainSessionsPerMinute: defaultVerifyOptions().budgets.domainSessionsPerMinute,
      domainRcptsPerMinute: 30,
      siteChecksPerMinute: 0,
    });
  });

  it('has a variable for every budget, each named in the problem it causes', () => {
    for (const name of BUDGET_NAMES) {
      const variable = settingRow(name).env!;
      const settings = load({ [variable]: 'lots' });
      expect(settings.problems).toEqual([
        {
          setting: variable,
          message: `takes a whole number per minute from 0 (no limit) to 100000, not "lots"; using ${defaultVerifyOptions().budgets[name]}`,
        },
      ]);
      expect(CONFIG_KEYS).toContain(name);
    }
  });

  it('refuses a negative, fractional or huge rate in the config file, keeping the default', () => {
    writeConfig({ mxSessionsPerMinute: -1, mxRcptsPerMinute: 2.5, domainSessionsPerMinute: 1e9 });
    const settings = load();
    expect(settings.problems.map((p) => p.setting)).toEqual([
      'config.json "mxSessionsPerMinute"',
      'config.json "mxRcptsPerMinute"',
      'config.json "domainSessionsPerMinute"',
    ]);
    expect(settings.verify.budgets).toEqual(defaultVerifyOptions().budgets);
  });
});

describe('the default EHLO name', () => {
  it('says nothing about this machine: a fixed, well-formed name under .invalid', () => {
    const { heloName } = defaultVerifyOptions();
    expect(heloName).toBe('mxlens.invalid');
    expect(heloName.toLowerCase()).not.toContain(hostname().toLowerCase());
    expect(load().verify.heloName).toBe('mxlens.invalid');
  });

  it('is replaced by a real name from the settings', () => {
    expect(load({ MXLENS_HELO: 'mail.example.com' }).verify.heloName).toBe('mail.example.com');
  });
});
