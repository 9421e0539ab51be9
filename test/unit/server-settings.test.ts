import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultDataDir, loadSettings } from '../../native-host/src/settings.js';
import { parseListen, parseServeKeys } from '../../native-host/shared/settings/values.js';

// The team server's rows of the settings table, and the client's (mxlens verify --server).

let home: string;
beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), 'mxlens serve settings '));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const load = (env: NodeJS.ProcessEnv = {}) => loadSettings(env, 'linux', home);

function writeConfig(content: unknown): void {
  const file = path.join(home, '.config', 'mxlens', 'config.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(content));
}

describe('server settings', () => {
  it('defaults: loopback only, the user data folder, no keys, no CORS, requests may not choose port or proxy', () => {
    const { serve, server } = load();
    expect(serve).toEqual({
      listen: '127.0.0.1:8025',
      dataDir: path.join(home, '.local/share/mxlens/server'),
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
    });
    expect(server).toEqual({ url: null, key: null });
    expect(defaultDataDir({ XDG_DATA_HOME: '/data' }, 'linux', home)).toBe('/data/mxlens/server');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/mxlens/server');
  });

  it('reads every server setting from the environment, over the config file', () => {
    writeConfig({ serveListen: '0.0.0.0:9000', serveRatePerMinute: 5, server: 'https://file.example' });
    const settings = load({
      MXLENS_SERVE_LISTEN: '[::1]:8443',
      MXLENS_SERVE_DATA: '/srv/mxlens',
      MXLENS_SERVE_KEYS: 'alice:0123456789abcdef, bob:fedcba9876543210xx',
      MXLENS_SERVE_CORS: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop, moz-extension://1234',
      MXLENS_SERVE_QUOTA: '50',
      MXLENS_SERVE_ALLOW_SMTP_PORT: 'yes',
      MXLENS_SERVE_ALLOW_PROXY: '1',
      MXLENS_SERVE_PROBE_DOMAIN: 'Example.COM',
      MXLENS_SERVER: 'https://mxlens.example.com/',
      MXLENS_SERVER_KEY: 'mxl_secret',
      MXLENS_POSTGRES: 'postgres://mxlens:pw@db.example.com:5432/mxlens',
      MXLENS_REDIS: 'redis://10.0.0.5:6379/2',
      MXLENS_SOURCE_ADDRESS: '192.0.2.10',
      MXLENS_WORKER_STALL_MS: '5000',
      MXLENS_SERVE_BOARD_KEYS: 'ops, alice',
    });
    expect(settings.problems).toEqual([]);
    expect(settings.verify.sourceAddress).toBe('192.0.2.10');
    expect(settings.serve).toMatchObject({
      listen: '[::1]:8443',
      dataDir: '/srv/mxlens',
      keys: [
        { name: 'alice', key: '0123456789abcdef' },
        { name: 'bob', key: 'fedcba9876543210xx' },
      ],
      corsOrigins: ['chrome-extension://abcdefghijklmnopabcdefghijklmnop', 'moz-extension://1234'],
      ratePerMinute: 5,
      dailyQuota: 50,
      allowRequestSmtpPort: true,
      allowRequestProxy: true,
      probeDomain: 'example.com',
      postgres: 'postgres://mxlens:pw@db.example.com:5432/mxlens',
      redis: 'redis://10.0.0.5:6379/2',
      workerStallMs: 5000,
      boardKeys: ['ops', 'alice'],
    });
    expect(settings.server).toEqual({ url: 'https://mxlens.example.com', key: 'mxl_secret' });
  });

  it('names each bad value and keeps the value below it', () => {
    writeConfig({
      serveRatePerMinute: 0,
      serveCorsOrigins: ['not an origin'],
      serveDataDir: 'relative/dir',
      postgres: 'postgres://db.example.com',
      sourceAddress: 'eth0',
      workerStallMs: 10,
    });
    const settings = load({
      MXLENS_SERVE_LISTEN: 'nowhere',
      MXLENS_SERVE_KEYS: 'alice:short',
      MXLENS_SERVER: 'ftp://x',
      MXLENS_SERVE_ALLOW_PROXY: 'maybe',
      MXLENS_REDIS: 'http://x',
      MXLENS_SERVE_BOARD_KEYS: 'ops,all keys',
    });
    const bySetting = Object.fromEntries(settings.problems.map((problem) => [problem.setting, problem.message]));
    expect(bySetting['config.json "serveRatePerMinute"']).toContain('from 1 to');
    expect(bySetting['config.json "serveCorsOrigins"']).toContain('chrome-extension://ID');
    expect(bySetting['config.json "serveDataDir"']).toContain('absolute path');
    expect(bySetting.MXLENS_SERVE_LISTEN).toContain('HOST:PORT');
    expect(bySetting.MXLENS_SERVE_KEYS).toContain('shorter than 16 characters');
    expect(bySetting.MXLENS_SERVER).toContain('http:// or https://');
    expect(bySetting.MXLENS_SERVE_ALLOW_PROXY).toContain('takes 1 or 0');
    expect(bySetting['config.json "postgres"']).toContain('names no database');
    expect(bySetting.MXLENS_REDIS).toContain('redis:// or rediss://');
    expect(bySetting.MXLENS_SERVE_BOARD_KEYS).toContain('takes key names');
    expect(bySetting['config.json "sourceAddress"']).toContain('an IP address of this machine');
    expect(bySetting['config.json "workerStallMs"']).toContain('from 1000 to');
    expect(settings.verify.sourceAddress).toBeNull();
    expect(settings.serve).toMatchObject({
      listen: '127.0.0.1:8025',
      ratePerMinute: 120,
      keys: [],
      allowRequestProxy: false,
      corsOrigins: [],
      redis: '',
      workerStallMs: 30_000,
    });
    expect(settings.server.url).toBeNull();
    expect(settings.serve.postgres).toBe('');
  });

  it('parses listen addresses and key lists', () => {
    expect(parseListen('127.0.0.1:0')).toEqual({ ok: true, value: { host: '127.0.0.1', port: 0 } });
    expect(parseListen('[::]:8025')).toEqual({ ok: true, value: { host: '::', port: 8025 } });
    expect(parseListen('127.0.0.1:70000')).toMatchObject({ ok: false, problem: expect.stringMatching(/HOST:PORT/) });
    expect(parseServeKeys('a:0123456789abcdef,a:0123456789abcdef')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/twice/),
    });
    expect(parseServeKeys('no-colon-here-0123456789')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/no valid name/),
    });
  });
});
