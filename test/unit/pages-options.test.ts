// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type ExtensionSettings } from '../../extension/src/shared/settings.js';
import type { HostStatus } from '../../extension/src/shared/status.js';
import { $, fake, flush, loadPage } from './pages-fake-browser.js';

vi.mock('webextension-polyfill', async () => ({ default: (await import('./pages-fake-browser.js')).fake.browser }));

const { startOptions } = await import('../../extension/src/options/options-app.js');
const { checkHeloName, checkProxy, checkSender, validateOptions, formFromSettings } =
  await import('../../extension/src/options/validate.js');

let status: HostStatus;

beforeEach(() => {
  const state = fake.reset();
  state.manifestVersion = '0.1.0';
  status = { state: 'connected', hostVersion: '0.1.0', settingsProblems: [] };
  state.background = (message) => {
    switch (message.kind) {
      case 'get-status':
      case 'reconnect':
        return status;
      case 'clear-cache':
        return { cleared: 42 };
      case 'set-site-paused':
        return { paused: message.paused === true };
      default:
        return undefined;
    }
  };
  loadPage('options/options.html');
});

function field(id: string): HTMLInputElement {
  return $(`#${id}`) as HTMLInputElement;
}

function type(id: string, value: string): void {
  field(id).value = value;
}

async function save(): Promise<void> {
  ($('#options-form') as HTMLFormElement).requestSubmit();
  await flush();
}

function stored(): ExtensionSettings | undefined {
  return fake.state.storage.peek('settings') as ExtensionSettings | undefined;
}

describe('options validation', () => {
  it('accepts the null sender and an address of yours', () => {
    expect(checkSender('')).toBeNull();
    expect(checkSender('<>')).toBeNull();
    expect(checkSender('me@example.com')).toBeNull();
    expect(checkSender('me')).toBe('optionsErrorSender');
    expect(checkSender('a b@example.com')).toBe('optionsErrorSender');
    expect(checkSender('<me@example.com>')).toBe('optionsErrorSender');
  });

  it('accepts host names and address literals as HELO names', () => {
    for (const ok of ['', 'mail.example.com', 'localhost', '[192.0.2.1]', '[IPv6:2001:db8::1]'])
      expect(checkHeloName(ok)).toBeNull();
    for (const bad of [
      '-bad.example.com',
      'under_score.example',
      'a..b',
      '[300.1.1.1]',
      'mail example',
      'x'.repeat(64),
    ]) {
      expect(checkHeloName(bad)).toBe('optionsErrorHelo');
    }
  });

  it('accepts socks5://[user:pass@]host:port and nothing else', () => {
    for (const ok of [
      '',
      'socks5://127.0.0.1:1080',
      'socks5://user:p%40ss@proxy.example.com:1080',
      'socks5h://[::1]:9050',
    ]) {
      expect(checkProxy(ok)).toBeNull();
    }
    expect(checkProxy('127.0.0.1:1080')).not.toBeNull();
    expect(checkProxy('http://127.0.0.1:8080')).toBe('optionsErrorProxyScheme');
    expect(checkProxy('socks4://127.0.0.1:1080')).toBe('optionsErrorProxyScheme');
    expect(checkProxy('socks5://127.0.0.1')).toBe('optionsErrorProxyHostPort');
    expect(checkProxy('socks5://127.0.0.1:1080/path')).toBe('optionsErrorProxyExtra');
    expect(checkProxy('socks5://127.0.0.1:1080?x=1')).toBe('optionsErrorProxyExtra');
    expect(checkProxy('socks5://h:99999')).not.toBeNull();
  });

  it('turns the form into settings, and back', () => {
    const form = formFromSettings(DEFAULT_SETTINGS);
    const check = validateOptions(form);
    expect(check).toEqual({ ok: true, settings: { ...DEFAULT_SETTINGS, pausedSites: undefined } });
  });

  it('reports every bad field with a message key', () => {
    const check = validateOptions({
      sender: 'nope',
      heloName: 'bad name',
      proxy: 'http://x:1',
      timeoutSeconds: '0',
      perPageLimit: '1.5',
      cacheTtlMinutes: '-1',
      catchAll: true,
      autoMode: 'sometimes',
    });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.errors.map((error) => error.field).sort()).toEqual(
      ['autoMode', 'cacheTtlMinutes', 'heloName', 'perPageLimit', 'proxy', 'sender', 'timeoutSeconds'].sort(),
    );
    expect(check.errors.find((error) => error.field === 'timeoutSeconds')).toEqual({
      field: 'timeoutSeconds',
      key: 'optionsErrorRange',
      substitutions: ['1', '600'],
    });
  });
});

describe('options page', () => {
  it('shows the stored settings (defaults for what is missing)', async () => {
    fake.state.storage.fill({
      settings: { sender: 'me@example.com', timeoutMs: 12_500, autoMode: 'dns', pausedSites: ['https://a.example'] },
    });
    await startOptions().ready;
    expect(field('sender').value).toBe('me@example.com');
    expect(field('heloName').value).toBe('');
    expect(field('timeoutSeconds').value).toBe('12.5');
    expect(field('perPageLimit').value).toBe(String(DEFAULT_SETTINGS.perPageLimit));
    expect(field('cacheTtlMinutes').value).toBe(String(DEFAULT_SETTINGS.cacheTtlMinutes));
    expect(field('catchAll').checked).toBe(true);
    expect((document.querySelector('input[name="autoMode"][value="dns"]') as HTMLInputElement).checked).toBe(true);
    expect($('#paused-list').textContent).toContain('https://a.example');
    expect($('#options-form').textContent).toContain('null sender');
    expect($('#options-form').textContent).toContain('port 25');
  });

  it('shows invalid input inline and does not save it', async () => {
    await startOptions().ready;
    type('proxy', 'http://127.0.0.1:8080');
    type('timeoutSeconds', 'soon');
    await save();
    expect(stored()).toBeUndefined();
    expect($('#proxy-error').textContent).toBe('Only SOCKS5 proxies work: the address must start with socks5://.');
    expect(field('proxy').getAttribute('aria-invalid')).toBe('true');
    expect($('#timeoutSeconds-error').textContent).toBe('Enter a number from 1 to 600.');
    expect($('#sender-error').textContent).toBe('');
    expect(field('sender').hasAttribute('aria-invalid')).toBe(false);
    expect($('#save-status').textContent).toBe('Not saved: correct the fields marked above.');
    expect(document.activeElement).toBe(field('proxy'));

    type('proxy', 'socks5://127.0.0.1:1080');
    type('timeoutSeconds', '30');
    await save();
    expect($('#proxy-error').textContent).toBe('');
    expect(field('proxy').hasAttribute('aria-invalid')).toBe(false);
    expect(stored()?.proxy).toBe('socks5://127.0.0.1:1080');
  });

  it('saves valid settings to storage.local "settings", keeping the paused sites', async () => {
    fake.state.storage.fill({ settings: { ...DEFAULT_SETTINGS, pausedSites: ['https://a.example'] } });
    await startOptions().ready;
    // The popup pauses another site while the page is open.
    await fake.browser.storage.local.set({
      settings: { ...DEFAULT_SETTINGS, pausedSites: ['https://a.example', 'https://b.example'] },
    });
    type('sender', ' <> ');
    type('heloName', 'mail.example.com');
    type('proxy', 'socks5://user:pw@proxy.example.com:1080');
    type('timeoutSeconds', '7.5');
    type('perPageLimit', '50');
    type('cacheTtlMinutes', '0');
    field('catchAll').checked = false;
    (document.querySelector('input[name="autoMode"][value="manual"]') as HTMLInputElement).checked = true;
    await save();
    expect(stored()).toEqual({
      autoMode: 'manual',
      sender: '',
      heloName: 'mail.example.com',
      proxy: 'socks5://user:pw@proxy.example.com:1080',
      timeoutMs: 7500,
      catchAll: false,
      cacheTtlMinutes: 0,
      perPageLimit: 50,
      pausedSites: ['https://a.example', 'https://b.example'],
    } satisfies ExtensionSettings);
    expect($('#save-status').textContent).toBe('Saved.');
    expect($('#paused-list').textContent).toContain('https://b.example');
  });

  it('resumes a paused site', async () => {
    fake.state.storage.fill({
      settings: { ...DEFAULT_SETTINGS, pausedSites: ['https://a.example', 'https://b.example'] },
    });
    await startOptions().ready;
    const remove = $('#paused-list').querySelector('button')!;
    expect(remove.getAttribute('aria-label')).toBe('Resume MX Lens on https://a.example');
    remove.click();
    await flush();
    expect(fake.state.sent).toContainEqual({ kind: 'set-site-paused', origin: 'https://a.example', paused: false });
    expect(stored()?.pausedSites).toEqual(['https://b.example']);
    expect($('#paused-list').textContent).not.toContain('https://a.example');
    expect($('#paused-status').textContent).toBe('MX Lens works on https://a.example again.');
  });

  it('clears the cache and says how many results went', async () => {
    await startOptions().ready;
    $('#clear-cache').click();
    await flush();
    expect(fake.state.sent).toContainEqual({ kind: 'clear-cache' });
    expect($('#clear-cache-status').textContent).toBe('Cache cleared. Results removed: 42');
  });

  it('shows diagnostics: versions, settings problems, last error, log locations and doctor', async () => {
    status = {
      state: 'connected',
      hostVersion: '0.2.0',
      settingsProblems: [{ setting: 'MXLENS_TIMEOUT', message: 'not a number; using 20000' }],
      lastError: {
        message: 'The host stopped unexpectedly.',
        raw: 'Native host has exited. <b>x</b>',
        at: Date.UTC(2025, 0, 1),
      },
    };
    await startOptions().ready;
    const diagnostics = $('#diagnostics-heading').parentElement!;
    const text = diagnostics.textContent ?? '';
    expect($('#extension-version').textContent).toBe('0.1.0');
    expect(text).toContain('Connected to the MX Lens host 0.2.0.');
    expect(text).toContain('MXLENS_TIMEOUT');
    expect(text).toContain('not a number; using 20000');
    expect(text).toContain('The host stopped unexpectedly.');
    expect(text).toContain('Native host has exited. <b>x</b>');
    expect(diagnostics.querySelector('b')).toBeNull();
    expect(text).toContain('~/.local/state/mxlens/host.log');
    expect(text).toContain('~/Library/Logs/mxlens/host.log');
    expect(text).toContain('%LOCALAPPDATA%\\mxlens\\host.log');
    expect(Array.from(diagnostics.querySelectorAll('code')).map((code) => code.textContent)).toContain('mxlens doctor');
  });

  it('shows a failed host with its fix in diagnostics', async () => {
    status = {
      state: 'failed',
      problem: {
        code: 'host_forbidden',
        message: 'The host does not allow this extension.',
        fix: 'npx mxlens install',
        raw: 'Access to the specified native messaging host is forbidden.',
      },
    };
    await startOptions().ready;
    const box = $('#diagnostics-status');
    expect(box.textContent).toContain('The host does not allow this extension.');
    expect(box.querySelector('code')?.textContent).toBe('npx mxlens install');
    expect(box.textContent).toContain('Access to the specified native messaging host is forbidden.');
  });
});

describe('where checks run', () => {
  function choose(where: 'host' | 'server', url = '', key = ''): void {
    const radio = document.querySelector<HTMLInputElement>(`#where-form input[value="${where}"]`)!;
    radio.checked = true;
    field('where-url').value = url;
    field('where-key').value = key;
    $('#where-form').dispatchEvent(new Event('submit', { cancelable: true }));
  }

  it('starts on "this computer"', async () => {
    await startOptions().ready;
    expect(document.querySelector<HTMLInputElement>('#where-form input[value="host"]')!.checked).toBe(true);
  });

  it("asks the browser for the server's origin, and saves the server only once allowed", async () => {
    await startOptions().ready;
    choose('server', 'https://mx-lens.example.org/', ' secret-key ');
    await flush();
    expect(fake.state.permissionRequests).toEqual([['https://mx-lens.example.org/*']]);
    expect(fake.state.storage.peek('checkLocation')).toEqual({
      where: 'server',
      url: 'https://mx-lens.example.org',
      key: 'secret-key',
    });
    expect($('#where-status').textContent).toBe('Saved: checks now run on https://mx-lens.example.org.');
  });

  it('saves nothing when the user refuses the permission', async () => {
    fake.state.grantPermissions = false;
    await startOptions().ready;
    choose('server', 'https://mx-lens.example.org', 'k');
    await flush();
    expect(fake.state.storage.peek('checkLocation')).toBeUndefined();
    expect($('#where-status').textContent).toContain('did not allow');
  });

  it('refuses plain http to another machine and a missing key, naming the field', async () => {
    await startOptions().ready;
    choose('server', 'http://mx-lens.example.org', 'k');
    expect(field('where-url').getAttribute('aria-invalid')).toBe('true');
    expect($('#where-url-error').textContent).toContain('https://');
    choose('server', 'https://mx-lens.example.org', '');
    expect($('#where-key-error').textContent).toContain('API key');
    await flush();
    expect(fake.state.permissionRequests).toEqual([]);
    expect(fake.state.storage.peek('checkLocation')).toBeUndefined();
  });

  it('goes back to this computer without asking for anything', async () => {
    fake.state.storage.fill({ checkLocation: { where: 'server', url: 'https://mx-lens.example.org', key: 'k' } });
    await startOptions().ready;
    expect(field('where-url').value).toBe('https://mx-lens.example.org');
    choose('host');
    await flush();
    expect(fake.state.permissionRequests).toEqual([]);
    expect(fake.state.storage.peek('checkLocation')).toEqual({ where: 'host' });
  });
});
