// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostStatus } from '../../extension/src/shared/status.js';
import { $, fake, flush, loadPage } from './pages-fake-browser.js';

vi.mock('webextension-polyfill', async () => ({ default: (await import('./pages-fake-browser.js')).fake.browser }));

const { startWelcome, POLL_INTERVAL_MS } = await import('../../extension/src/welcome/welcome-app.js');

const CONNECTED: HostStatus = { state: 'connected', hostVersion: '0.1.0', settingsProblems: [] };
const MISSING: HostStatus = {
  state: 'failed',
  problem: {
    code: 'host_not_installed',
    message: 'The MX Lens host is not installed on this computer.',
    fix: 'npx mxlens install --browser chrome',
    raw: 'Specified native messaging host not found.',
  },
};

let replies: { 'get-status': HostStatus[]; reconnect: HostStatus[]; 'get-network': Array<{ port25Blocked: boolean }> };

beforeEach(() => {
  const state = fake.reset();
  replies = { 'get-status': [], reconnect: [], 'get-network': [] };
  state.background = (message) => {
    const queue = replies[message.kind as keyof typeof replies];
    if (!queue) return undefined;
    return queue.length > 1 ? queue.shift() : queue[0];
  };
  loadPage('welcome/welcome.html');
});

/** What the page asked about the host connection (not the network report, asked alongside). */
function hostRequests(): unknown[] {
  return fake.state.sent.filter((m) => (m as { kind?: string }).kind !== 'get-network');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('welcome page', () => {
  it('explains what MX Lens does and the privacy promise', async () => {
    replies['get-status'] = [CONNECTED];
    await startWelcome().ready;
    const text = document.body.textContent ?? '';
    expect(text).toContain('asks each address');
    expect(text).toContain('no third party');
    expect(document.title).toBe('Welcome to MX Lens');
  });

  it('says where the checks run: this computer, or the server chosen in the options', async () => {
    replies['get-status'] = [CONNECTED];
    await startWelcome().ready;
    expect(document.querySelector('#welcome-status')!.textContent).toContain('Checks run on this computer.');
    loadPage('welcome/welcome.html');
    replies['get-status'] = [
      { ...CONNECTED, hostVersion: 'server https://mx-lens.example.org', server: 'https://mx-lens.example.org' },
    ];
    await startWelcome().ready;
    expect(document.querySelector('#welcome-status')!.textContent).toContain(
      'Checks run on the MX Lens server https://mx-lens.example.org.',
    );
  });

  it('says what automatic checks send to whom, from which IP, and switches to a quieter mode in one click', async () => {
    replies['get-status'] = [CONNECTED];
    fake.state.storage.fill({
      settings: { autoMode: 'full', pausedSites: ['https://a.example'], proxy: 'socks5://127.0.0.1:1080' },
    });
    const welcome = startWelcome();
    await welcome.modeReady;
    const text = document.body.textContent ?? '';
    expect(text).toContain('your usual DNS resolver');
    expect(text).toContain("from your computer's IP address (or your proxy's");
    expect(text).toContain('does not learn which page you were reading');
    const radio = (value: string) => document.querySelector<HTMLInputElement>(`#welcome-mode input[value="${value}"]`)!;
    expect(radio('full').checked).toBe(true);

    radio('dns').checked = true;
    radio('dns').dispatchEvent(new Event('change'));
    await flush();
    // Only the mode changes; the other settings stay as they were.
    expect(fake.state.storage.peek('settings')).toMatchObject({
      autoMode: 'dns',
      pausedSites: ['https://a.example'],
      proxy: 'socks5://127.0.0.1:1080',
    });
    expect($('#welcome-mode-saved').textContent).toBe('Saved.');
  });

  it('names what the install needs: Node.js 20.19 and the release file of this version', async () => {
    replies['get-status'] = [MISSING];
    fake.state.manifestVersion = '2.3.4';
    await startWelcome().ready;
    expect($('#welcome-status').textContent).toContain('Node.js 20.19 or newer');
    expect($('#welcome-status').textContent).toContain('mxlens-2.3.4.tgz');
  });

  it('shows the fix command when the host is missing, and re-checks on the button', async () => {
    replies['get-status'] = [MISSING];
    replies.reconnect = [CONNECTED];
    await startWelcome().ready;
    const status = $('#welcome-status');
    expect(status.textContent).toContain('The MX Lens host is not installed on this computer.');
    expect(status.querySelector('code')?.textContent).toBe('npx mxlens install --browser chrome');
    expect(Array.from(status.querySelectorAll('code')).map((code) => code.textContent)).toContain('mxlens doctor');
    expect($('#welcome-missing').hidden).toBe(false);
    expect($('#welcome-ready').hidden).toBe(true);

    $('#welcome-check-again').click();
    await flush();
    expect(hostRequests()).toEqual([{ kind: 'get-status' }, { kind: 'reconnect' }]);
    expect($('#welcome-ready').hidden).toBe(false);
    expect($('#welcome-missing').hidden).toBe(true);
    expect(status.textContent).toContain('Connected to the MX Lens host 0.1.0.');

    $('#welcome-open-options').click();
    expect(fake.state.optionsOpened).toBe(1);
  });

  it('shows progress while connecting, then the answer', async () => {
    vi.useFakeTimers();
    replies['get-status'] = [{ state: 'connecting' }, { state: 'connecting' }, CONNECTED];
    const welcome = startWelcome();
    await vi.advanceTimersByTimeAsync(0);
    expect($('#welcome-status').querySelector('progress')).not.toBeNull();
    expect($('#welcome-status').textContent).toContain('Connecting to the MX Lens host');
    expect(($('#welcome-check-again') as HTMLButtonElement).disabled).toBe(true);
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS * 2);
    await welcome.ready;
    expect($('#welcome-status').querySelector('progress')).toBeNull();
    expect($('#welcome-ready').hidden).toBe(false);
    expect(fake.state.sent.filter((message) => (message as { kind: string }).kind === 'get-status')).toHaveLength(3);
  });

  it('asks the background to connect when nothing has yet', async () => {
    replies['get-status'] = [{ state: 'disconnected' }];
    replies.reconnect = [MISSING];
    await startWelcome().ready;
    expect(hostRequests()).toEqual([{ kind: 'get-status' }, { kind: 'reconnect' }]);
    expect($('#welcome-status').querySelector('code')?.textContent).toBe('npx mxlens install --browser chrome');
  });

  it('says what went wrong when the background does not answer', async () => {
    fake.state.background = () => {
      throw new Error('Could not establish connection.');
    };
    await startWelcome().ready;
    expect($('#welcome-status').textContent).toContain('The MX Lens host is not working.');
    expect($('#welcome-status').textContent).toContain('Could not establish connection.');
    expect($('#welcome-missing').hidden).toBe(false);
  });
});

describe('port 25 blocked', () => {
  it('adds the banner with the two fixes to "You\'re set" when the host reported port 25 blocked', async () => {
    replies['get-status'] = [CONNECTED];
    replies['get-network'] = [{ port25Blocked: true }];
    const welcome = startWelcome();
    await Promise.all([welcome.ready, welcome.networkReady]);
    const banner = $('#port25-banner');
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain('Port 25 seems blocked on this network');
    expect(banner.textContent).toContain('mxlens serve');
    expect(banner.querySelector('button')).not.toBeNull(); // to the options: a team server or a proxy
  });

  it('shows no banner while port 25 works (or nothing is known)', async () => {
    replies['get-status'] = [CONNECTED];
    replies['get-network'] = [{ port25Blocked: false }];
    const welcome = startWelcome();
    await Promise.all([welcome.ready, welcome.networkReady]);
    expect($('#port25-banner').hidden).toBe(true);
    expect($('#port25-banner').textContent).toBe('');
  });
});
