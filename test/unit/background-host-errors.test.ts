import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  codeForBrowserError,
  DOCTOR_COMMAND,
  HostProblems,
  hostProtocolIn,
  PROBLEM_MESSAGE_KEYS,
} from '../../extension/src/background/host-errors.js';
import { browserGetMessage } from './locale-messages.js';
import englishMessages from '../../extension/_locales/en/messages.json';
import { detectBrowser, type ThisBrowser } from '../../extension/src/background/this-browser.js';
import { BROWSER_IDS } from '../../native-host/src/install/browsers.js';
import type { ApiI18n } from '../../extension/src/background/browser-api.js';

const english = englishMessages as unknown as Record<
  string,
  { message: string; placeholders?: Record<string, { content: string }> }
>;
const en = (key: string, subs: string[] = []) => browserGetMessage('en')(key, subs);

const CHROME_ID = 'nlgehacbapefahfcfpmmmhnkpbghfklm';
/** A browser in English: its own fallback, nothing kept in the extension. */
const noTranslations: ApiI18n = { getMessage: browserGetMessage('en') };

function problems(browser: ThisBrowser, i18n: ApiI18n = noTranslations, extensionId = CHROME_ID): HostProblems {
  return new HostProblems({ i18n, browser, extensionId, version: '0.1.0' });
}

const chrome = problems({ id: 'chrome', family: 'chromium' });
const firefox = problems({ id: 'firefox', family: 'firefox' }, noTranslations, 'mxlens@mxlens.io');

describe('browser error strings → HostProblem codes', () => {
  it.each([
    // Chrome and other Chromium browsers
    ['Specified native messaging host not found.', 'host_not_installed'],
    ['Native messaging host io.mxlens.host is not registered.', 'host_not_installed'],
    ['Access to the specified native messaging host is forbidden.', 'host_forbidden'],
    ['Native host has exited.', 'host_crashed'],
    ['Failed to start native messaging host.', 'host_crashed'],
    ['Error when communicating with the native messaging host.', 'host_crashed'],
    // Firefox
    ['No such native application io.mxlens.host', 'host_not_installed'],
    [
      'This extension does not have permission to use native application io.mxlens.host (or the application is not installed)',
      'host_forbidden',
    ],
    ['Attempt to postMessage on disconnected port', 'host_crashed'],
    [
      'Native application tried to send a message of 2000000 bytes, which exceeds the limit of 1048576 bytes.',
      'host_crashed',
    ],
    // Anything else
    ['An unexpected error occurred', 'unknown'],
    ['', 'unknown'],
  ])('%j → %s', (raw, code) => {
    expect(codeForBrowserError(raw)).toBe(code);
    const problem = chrome.fromBrowserError(raw);
    expect(problem.code).toBe(code);
    expect(problem.raw).toBe(raw);
    expect(problem.message.length).toBeGreaterThan(10);
    expect(problem.fix.length).toBeGreaterThan(5);
  });

  it('not installed: the install command for this browser, with this extension’s ID on Chromium', () => {
    expect(chrome.fromBrowserError('Specified native messaging host not found.')).toEqual({
      code: 'host_not_installed',
      message: en('hostProblemNotInstalled'),
      fix: `npm install --global ./mxlens-0.1.0.tgz\nmxlens install --browser chrome --extension-id ${CHROME_ID}`,
      raw: 'Specified native messaging host not found.',
    });
    const edge = problems({ id: 'edge', family: 'chromium' });
    expect(edge.fromBrowserError('Specified native messaging host not found.').fix).toBe(
      `npm install --global ./mxlens-0.1.0.tgz\nmxlens install --browser edge --extension-id ${CHROME_ID}`,
    );
    // Firefox: the installer knows the add-on ID (mxlens@mxlens.io).
    expect(firefox.fromBrowserError('No such native application io.mxlens.host').fix).toBe(
      'npm install --global ./mxlens-0.1.0.tgz\nmxlens install --browser firefox',
    );
  });

  it('forbidden: the message names this extension’s ID', () => {
    const problem = chrome.fromBrowserError('Access to the specified native messaging host is forbidden.');
    expect(problem.message).toContain(CHROME_ID);
    // The host is there, registered for another ID: registering again is the fix.
    expect(problem.fix).toBe(`mxlens install --browser chrome --extension-id ${CHROME_ID}`);
  });

  it('crashes, timeouts and unknowns point at the doctor', () => {
    expect(chrome.fromBrowserError('Native host has exited.').fix).toBe(DOCTOR_COMMAND);
    expect(chrome.timeout('no answer').fix).toBe(DOCTOR_COMMAND);
    expect(chrome.fromBrowserError('An unexpected error occurred').fix).toBe(DOCTOR_COMMAND);
    expect(DOCTOR_COMMAND).toBe('mxlens doctor');
  });

  it('messages come from browser.i18n, with substitutions, when the browser knows the key', () => {
    const zh: Record<string, string> = { hostProblemForbidden: 'MX Lens 主机已安装，但不允许此扩展（ID $1）。' };
    // A browser in Chinese with one entry translated: the others come from the default locale.
    const i18n: ApiI18n = {
      getMessage: (key, subs) =>
        zh[key]?.replace('$1', (Array.isArray(subs) ? subs[0] : subs) ?? '') ?? browserGetMessage('en')(key, subs),
    };
    const problem = problems({ id: 'chrome', family: 'chromium' }, i18n).fromBrowserError(
      'Access to the specified native messaging host is forbidden.',
    );
    expect(problem.message).toBe(`MX Lens 主机已安装，但不允许此扩展（ID ${CHROME_ID}）。`);
    // A key the locale lacks is English.
    const other = problems({ id: 'chrome', family: 'chromium' }, i18n).fromBrowserError('Native host has exited.');
    expect(other.message).toBe(en('hostProblemCrashed'));
    expect(other.message).toBe('The MX Lens host stopped unexpectedly.');
  });
});

describe('protocol mismatch', () => {
  const hostOlder =
    'the host is older: the extension speaks protocol 2, the host (mxlens 0.1.0) speaks protocol 1; update the MX Lens host (install the newer mxlens package)';
  const extensionOlder =
    'the extension is older: the extension speaks protocol 1, the host (mxlens 3.0.0) speaks protocol 2; update the MX Lens extension';

  it('reads the host’s protocol from the host’s message (not the extension’s)', () => {
    expect(hostProtocolIn(hostOlder)).toBe(1);
    expect(hostProtocolIn(extensionOlder)).toBe(2);
    expect(hostProtocolIn('something else')).toBeNull();
  });

  it('the side with the lower protocol is the one to update', () => {
    // This extension speaks protocol 1: a host speaking 0 is older, one speaking 2 newer.
    const older = chrome.protocolMismatch(
      'the host is older: the extension speaks protocol 1, the host (mxlens 0.0.1) speaks protocol 0; update',
    );
    expect(older.code).toBe('host_outdated');
    // The host release that matches this extension, installed over the old one.
    expect(older.fix).toBe(
      `npm install --global ./mxlens-0.1.0.tgz\nmxlens install --browser chrome --extension-id ${CHROME_ID}`,
    );
    expect(older.message).toContain('protocol 0');
    const newer = chrome.protocolMismatch(extensionOlder);
    expect(newer.code).toBe('extension_outdated');
    expect(newer.fix).toBe(en('hostProblemExtensionOutdatedFix'));
    expect(newer.message).toBe(en('hostProblemExtensionOutdated', ['2', '1']));
    expect(newer.raw).toBe(extensionOlder);
  });

  it('without a number, the host’s words decide', () => {
    expect(chrome.protocolMismatch('the extension is older').code).toBe('extension_outdated');
    expect(chrome.protocolMismatch('the host is older').code).toBe('host_outdated');
    expect(chrome.protocolMismatch('mismatch', 7).code).toBe('extension_outdated');
  });
});

describe('which browser this is', () => {
  it.each([
    [{ extensionUrl: 'moz-extension://uuid/' }, 'firefox'],
    [{ extensionUrl: 'chrome-extension://id/', brands: ['Chromium', 'Google Chrome', 'Not=A?Brand'] }, 'chrome'],
    [{ extensionUrl: 'chrome-extension://id/', brands: ['Chromium', 'Microsoft Edge', 'Not=A?Brand'] }, 'edge'],
    [{ extensionUrl: 'chrome-extension://id/', brands: ['Brave', 'Chromium', 'Not=A?Brand'] }, 'brave'],
    [{ extensionUrl: 'chrome-extension://id/', brands: ['Chromium', 'Not=A?Brand'] }, 'chromium'],
    [
      {
        extensionUrl: 'chrome-extension://id/',
        brands: ['Chromium'],
        userAgent: 'Mozilla/5.0 … Chrome/130.0 Safari/537.36 Vivaldi/7.0',
      },
      'vivaldi',
    ],
    [{ extensionUrl: 'chrome-extension://id/' }, 'chrome'],
  ] as const)('%j → %s', (clues, id) => {
    const found = detectBrowser(clues);
    expect(found.id).toBe(id);
    expect(BROWSER_IDS).toContain(found.id);
    expect(found.family).toBe(id === 'firefox' ? 'firefox' : 'chromium');
  });
});

describe('the translations', () => {
  it('every problem sentence and the menu title are in every locale, with the same placeholders', () => {
    for (const locale of ['en', 'zh_CN']) {
      const messages = JSON.parse(
        readFileSync(new URL(`../../extension/_locales/${locale}/messages.json`, import.meta.url), 'utf8'),
      ) as typeof english;
      for (const key of [...PROBLEM_MESSAGE_KEYS, 'contextMenuVerify']) {
        expect(messages, `${locale} lacks ${key}`).toHaveProperty(key);
        expect(Object.keys(messages[key]!.placeholders ?? {}).sort(), `${locale} ${key}`).toEqual(
          Object.keys(english[key]!.placeholders ?? {}).sort(),
        );
      }
    }
    expect(en('hostProblemForbidden', [CHROME_ID])).toContain(CHROME_ID);
  });
});
