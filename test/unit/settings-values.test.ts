import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseVerifyArgs } from '../../native-host/src/cli/verify-args.js';
import { UsageError } from '../../native-host/src/cli/usage-error.js';
import { defaultVerifyOptions } from '../../native-host/src/engine/options.js';
import { requestOptions } from '../../native-host/src/host/actions/verify.js';
import { validateRequest } from '../../native-host/shared/protocol/validate.js';
import { applyConfigFile, loadSettings } from '../../native-host/src/settings.js';
import {
  describeProxy,
  parseBoolean,
  parseBooleanWord,
  parseDnsServer,
  parseHeloName,
  parseLevel,
  parseListen,
  parseOrigin,
  parseProxy,
  parseSender,
  parseServerUrl,
  parseServeKeys,
  parseWholeNumber,
} from '../../native-host/shared/settings/values.js';
import { parseSettingText, SETTINGS, settingRow } from '../../native-host/shared/settings/table.js';
import { checkHeloName, checkProxy, checkSender } from '../../extension/src/options/validate.js';

const problemOf = (parsed: { ok: boolean; problem?: string }) => (parsed.ok ? null : parsed.problem);

describe('value parsers', () => {
  it('whole numbers: in range, of the right type', () => {
    expect(parseWholeNumber(5, 1, 10)).toEqual({ ok: true, value: 5 });
    expect(parseWholeNumber(0, 1, 10)).toMatchObject({
      ok: false,
      code: 'range',
      problem: 'takes a whole number from 1 to 10, not "0"',
    });
    expect(parseWholeNumber(1.5, 1, 10)).toMatchObject({ ok: false, code: 'range' });
    expect(parseWholeNumber('5', 1, 10)).toMatchObject({
      ok: false,
      code: 'type',
      problem: 'takes a whole number from 1 to 10, not "5"',
    });
  });

  it('booleans and yes/no words', () => {
    expect(parseBoolean(false)).toEqual({ ok: true, value: false });
    expect(parseBoolean('no')).toMatchObject({ ok: false, code: 'type' });
    for (const word of ['1', 'TRUE', 'yes', 'on']) expect(parseBooleanWord(word)).toEqual({ ok: true, value: true });
    for (const word of ['0', 'false', 'No', 'off']) expect(parseBooleanWord(word)).toEqual({ ok: true, value: false });
    expect(problemOf(parseBooleanWord('maybe'))).toBe('takes 1 or 0 (also true/false, yes/no), not "maybe"');
  });

  it('levels', () => {
    expect(parseLevel('dns')).toEqual({ ok: true, value: 'dns' });
    expect(parseLevel('deep')).toMatchObject({
      ok: false,
      code: 'value',
      problem: 'takes one of syntax, dns, smtp, not "deep"',
    });
    expect(parseLevel(2)).toMatchObject({ ok: false, code: 'type' });
  });

  it('DNS servers', () => {
    for (const ok of ['1.1.1.1', '1.1.1.1:5353', '::1', '[::1]:5353'])
      expect(parseDnsServer(ok)).toEqual({ ok: true, value: ok });
    for (const bad of ['dns.google', '1.1.1.1:0', '1.1.1.1:70000', '[::1', ''])
      expect(parseDnsServer(bad).ok).toBe(false);
  });

  it('HELO names and address literals', () => {
    for (const ok of ['mail.example.com', 'localhost', '[192.0.2.1]', '[IPv6:2001:db8::1]'])
      expect(parseHeloName(ok)).toEqual({ ok: true, value: ok });
    for (const bad of ['bad name!', '', '-x.example', '[300.1.1.1]', '[2001:db8::1]', '[IPv6:zz]']) {
      expect(parseHeloName(bad)).toMatchObject({ ok: false, code: 'helo' });
    }
    expect(parseHeloName(7)).toMatchObject({ ok: false, code: 'type' });
  });

  it('senders: normalized, "" and "<>" are the null sender', () => {
    expect(parseSender('Probe@Example.COM')).toEqual({ ok: true, value: 'Probe@example.com' });
    expect(parseSender('')).toEqual({ ok: true, value: '' });
    expect(parseSender('<>')).toEqual({ ok: true, value: '' });
    for (const bad of ['me', 'a b@example.com', '<me@example.com>'])
      expect(parseSender(bad)).toMatchObject({ ok: false, code: 'sender' });
    expect(parseSender(42)).toMatchObject({ ok: false, code: 'type' });
  });

  it('proxies: SOCKS5 with host, port and optional credentials', () => {
    expect(parseProxy('socks5://me:p%40ss@[::1]:1080')).toEqual({
      ok: true,
      value: { host: '::1', port: 1080, userId: 'me', password: 'p@ss' },
    });
    expect(parseProxy('socks5h://proxy.example:9050')).toEqual({
      ok: true,
      value: { host: 'proxy.example', port: 9050 },
    });
    expect(parseProxy('')).toEqual({ ok: true, value: null });
    expect(parseProxy('not a url')).toMatchObject({ ok: false, code: 'proxyFormat' });
    expect(parseProxy('http://127.0.0.1:8080')).toMatchObject({
      ok: false,
      code: 'proxyScheme',
      problem: 'supports socks5:// only, not "http:"',
    });
    expect(parseProxy('socks5://127.0.0.1')).toMatchObject({ ok: false, code: 'proxyHostPort' });
    expect(parseProxy('socks5://127.0.0.1:0')).toMatchObject({ ok: false, code: 'proxyHostPort' });
    expect(parseProxy('socks5://127.0.0.1:1080/x')).toMatchObject({ ok: false, code: 'proxyExtra' });
    expect(parseProxy('socks5://:pw@127.0.0.1:1080')).toMatchObject({ ok: false, code: 'proxyFormat' });
    expect(parseProxy('socks5://%E0%A4%A:x@127.0.0.1:1080')).toMatchObject({
      ok: false,
      code: 'proxyFormat',
      problem: expect.stringContaining('percent-encoding'),
    });
    expect(describeProxy({ host: '::1', port: 1080, userId: 'me', password: 'secret' })).toBe('socks5://me@[::1]:1080');
  });

  it('server URLs, listen addresses, origins and API keys', () => {
    expect(parseServerUrl('https://mxlens.example.com/base/')).toEqual({
      ok: true,
      value: 'https://mxlens.example.com/base',
    });
    expect(parseServerUrl('')).toEqual({ ok: true, value: null });
    for (const bad of ['ftp://x', 'https://u@x.example', 'https://x.example/?q', 'nowhere'])
      expect(parseServerUrl(bad).ok).toBe(false);
    expect(parseListen('[::1]:8025')).toEqual({ ok: true, value: { host: '::1', port: 8025 } });
    expect(parseListen('8025').ok).toBe(false);
    expect(parseOrigin('Chrome-Extension://abc')).toEqual({ ok: true, value: 'chrome-extension://abc' });
    expect(parseOrigin('https://x.example/path').ok).toBe(false);
    expect(parseServeKeys('alice:0123456789abcdef, bob:fedcba9876543210')).toEqual({
      ok: true,
      value: [
        { name: 'alice', key: '0123456789abcdef' },
        { name: 'bob', key: 'fedcba9876543210' },
      ],
    });
    expect(problemOf(parseServeKeys('alice:short'))).toContain('shorter than 16 characters');
  });
});

describe('the settings table', () => {
  it('gives every setting one name, and flags and variables that are unique', () => {
    const unique = (list: (string | null)[]) => {
      const given = list.filter((item) => item !== null);
      expect(new Set(given).size).toBe(given.length);
    };
    unique(SETTINGS.map((row) => row.key));
    unique(SETTINGS.map((row) => row.flag));
    unique(SETTINGS.map((row) => row.env));
    expect(SETTINGS.filter((row) => row.protocolOption).map((row) => row.key)).toEqual([
      'proxy',
      'sender',
      'heloName',
      'level',
      'timeoutMs',
      'catchAll',
      'greylistWaitMs',
    ]);
  });

  it('reads each setting as text the way its row says', () => {
    expect(parseSettingText(settingRow('dns'), '1.1.1.1, [::1]:53')).toEqual({
      ok: true,
      value: ['1.1.1.1', '[::1]:53'],
    });
    expect(parseSettingText(settingRow('allowPrivate'), 'yes')).toEqual({ ok: true, value: true });
    expect(parseSettingText(settingRow('timeoutMs'), '5000')).toEqual({ ok: true, value: 5000 });
    expect(problemOf(parseSettingText(settingRow('timeoutMs'), '5s'))).toBe(
      'takes a whole number from 100 to 600000, not "5s"',
    );
  });
});

/**
 * One bad value, every layer: the config file, the environment, a verify request (validated,
 * then applied by the host), the CLI's flag and the options page all say the same thing about it.
 */
describe('the same problem at every layer', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'mxlens values '));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const cases = [
    {
      key: 'proxy',
      env: 'MXLENS_PROXY',
      value: 'socks5://%E0%A4%A:x@127.0.0.1:1080',
      page: () => checkProxy('socks5://%E0%A4%A:x@127.0.0.1:1080'),
      pageKey: 'optionsErrorProxyFormat',
    },
    {
      key: 'proxy',
      env: 'MXLENS_PROXY',
      value: 'socks4://127.0.0.1:1080',
      page: () => checkProxy('socks4://127.0.0.1:1080'),
      pageKey: 'optionsErrorProxyScheme',
    },
    {
      key: 'heloName',
      env: 'MXLENS_HELO',
      value: '[300.1.1.1]',
      page: () => checkHeloName('[300.1.1.1]'),
      pageKey: 'optionsErrorHelo',
    },
    {
      key: 'sender',
      env: 'MXLENS_FROM',
      value: 'no-at-sign',
      page: () => checkSender('no-at-sign'),
      pageKey: 'optionsErrorSender',
    },
  ];

  it.each(cases)('$key = $value', ({ key, env, value, page, pageKey }) => {
    const parsed = settingRow(key).parse(value);
    if (parsed.ok) throw new Error(`${value} was accepted`);
    const fromEnv = loadSettings({ [env]: value }, 'linux', home).problems[0]!;
    expect(fromEnv.setting).toBe(env);
    expect(fromEnv.message.startsWith(`${parsed.problem}; using `)).toBe(true);

    const settings = loadSettings({}, 'linux', home);
    applyConfigFile(settings, { kind: 'text', text: JSON.stringify({ [key]: value }) });
    expect(settings.problems[0]!.message.startsWith(`${parsed.problem}; using `)).toBe(true);

    const validated = validateRequest({ type: 'verify', id: 1, addresses: ['a@b.example'], options: { [key]: value } });
    expect(validated).toMatchObject({
      ok: false,
      error: { code: 'bad_value', message: `\`options.${key}\` ${parsed.problem}` },
    });
    expect(requestOptions(defaultVerifyOptions(), { [key]: value })).toEqual({
      ok: false,
      problem: `\`options.${key}\` ${parsed.problem}`,
    });

    const flag = settingRow(key).flag!;
    expect(() => parseVerifyArgs([`--${flag}`, value, 'a@b.example'])).toThrow(
      new UsageError(`--${flag} ${parsed.problem}`),
    );

    expect(page()).toBe(pageKey);
  });
});
