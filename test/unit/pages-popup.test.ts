// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PageAddress, PortEvent, VerificationResult } from '../../extension/src/shared/messages.js';
import type { HostStatus } from '../../extension/src/shared/status.js';
import { $, fake, flush, loadPage } from './pages-fake-browser.js';

vi.mock('webextension-polyfill', async () => ({ default: (await import('./pages-fake-browser.js')).fake.browser }));

const { startPopup } = await import('../../extension/src/popup/popup-app.js');

const HOSTILE = '<img src=x onerror=alert(1)>';

function result(address: string, overrides: Partial<VerificationResult> = {}): VerificationResult {
  return {
    address,
    normalized: address,
    verdict: 'undeliverable',
    reason: 'mailbox_not_found',
    rule: 'no-such-mailbox-text',
    mx: 'mx.example.org',
    smtp: { code: 550, enhanced: '5.1.1', message: HOSTILE },
    flags: { disposable: false, role: false, free: false, catchAll: false },
    suggestion: null,
    detail: 'The mail server says this mailbox does not exist.',
    ...overrides,
  };
}

const CONNECTED: HostStatus = { state: 'connected', hostVersion: '0.1.0', settingsProblems: [] };
const NOT_INSTALLED: HostStatus = {
  state: 'failed',
  problem: {
    code: 'host_not_installed',
    message: `The MX Lens host is not installed ${HOSTILE}`,
    fix: 'npx mxlens install --browser chrome',
    raw: 'Specified native messaging host not found.',
  },
};

function send(event: PortEvent): void {
  fake.port().receive(event);
}

function noInjectedElements(): void {
  expect(document.querySelector('img')).toBeNull();
  expect(document.querySelector('[onerror]')).toBeNull();
}

beforeEach(() => {
  const state = fake.reset();
  state.tabs = [{ id: 7, url: 'https://shop.example.com/contact', active: true }];
  state.background = (message) => {
    if (message.kind === 'get-status') return CONNECTED;
    if (message.kind === 'set-site-paused') return { paused: message.paused === true };
    if (message.kind === 'reconnect') return CONNECTED;
    return undefined;
  };
  state.content = (_tabId, message) => {
    if (message.kind === 'list-addresses') return [] satisfies PageAddress[];
    if (message.kind === 'set-paused') return { paused: message.paused === true };
    throw new Error('unexpected');
  };
  loadPage('popup/popup.html');
});

describe('popup', () => {
  it('localizes the page and shows the host as connected', async () => {
    await startPopup();
    await flush();
    expect($('#check-button').textContent).toBe('Check');
    expect($('#check-input').getAttribute('placeholder')).toBe('name@example.com');
    expect($('#host-status').textContent).toContain('Connected to the MX Lens host 0.1.0.');
    expect(fake.state.sent).toContainEqual({ kind: 'get-status' });
    expect(fake.port().name).toBe('mxlens-checks');
  });

  it('shows a host problem and its fix command as text, with a Copy button', async () => {
    fake.state.background = (message) => (message.kind === 'get-status' ? NOT_INSTALLED : undefined);
    await startPopup();
    await flush();
    const status = $('#host-status');
    expect(status.textContent).toContain(`The MX Lens host is not installed ${HOSTILE}`);
    const code = status.querySelector('code');
    expect(code?.textContent).toBe('npx mxlens install --browser chrome');
    const copy = Array.from(status.querySelectorAll('button')).find((button) => button.textContent === 'Copy');
    expect(copy).toBeDefined();
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    copy!.click();
    await flush();
    expect(writeText).toHaveBeenCalledWith('npx mxlens install --browser chrome');
    expect(status.textContent).toContain('Copied.');
    noInjectedElements();
  });

  it('checks pasted addresses and renders streamed results as text', async () => {
    await startPopup();
    await flush();
    const input = $('#check-input') as HTMLTextAreaElement;
    input.value = 'bob@Example.org, alice@example.com;bob@example.org\nnot-an-address';
    ($('#check-form') as HTMLFormElement).requestSubmit();
    await flush();

    expect(fake.port().sent).toEqual([
      { kind: 'check', addresses: ['bob@example.org', 'alice@example.com'], depth: 'smtp', trigger: 'user' },
    ]);
    const items = () => Array.from(document.querySelectorAll('#check-results > li'));
    expect(items()).toHaveLength(3);
    expect(items()[0]!.textContent).toContain('Not an address');
    expect(items()[0]!.textContent).toContain('not-an-address');
    expect(items()[1]!.textContent).toContain('Checking');
    expect($('#check-summary').textContent).toBe('Addresses: 2 · not addresses: 1 · duplicates skipped: 1');

    send({ kind: 'result', address: 'bob@example.org', result: result('bob@example.org') });
    const bob = items()[1]!;
    const summary = bob.querySelector('summary')!;
    expect(summary.textContent).toContain('✗');
    expect(summary.textContent).toContain('Undeliverable');
    expect(summary.textContent).toContain('bob@example.org');
    expect(bob.textContent).toContain('The mail server says there is no such mailbox.');
    expect(bob.textContent).toContain('550 5.1.1');
    expect(bob.textContent).toContain('mx.example.org');
    const reply = bob.querySelector('.smtp-reply')!;
    expect(reply.textContent).toBe(HOSTILE);
    expect(reply.children).toHaveLength(0);
    noInjectedElements();

    send({
      kind: 'result',
      address: 'alice@example.com',
      result: result('alice@example.com', {
        verdict: 'risky',
        reason: 'catch_all',
        smtp: null,
        suggestion: 'alice@example.org',
        flags: { disposable: false, role: true, free: false, catchAll: true },
      }),
    });
    const alice = items()[2]!;
    expect(alice.querySelector('summary')!.textContent).toContain('Risky');
    expect(alice.textContent).toContain('Did you mean alice@example.org?');
    expect(alice.textContent).toContain('Role address');
    expect(alice.textContent).toContain('Catch-all domain');
  });

  it('says where each check ran and where checks run, and names a check port 25 blocked', async () => {
    fake.state.background = (message) =>
      message.kind === 'get-status'
        ? { ...CONNECTED, hostVersion: 'server https://mx-lens.example.org', server: 'https://mx-lens.example.org' }
        : undefined;
    await startPopup();
    await flush();
    expect($('#host-status').textContent).toContain('Checks run on the MX Lens server https://mx-lens.example.org.');
    const input = $('#check-input') as HTMLTextAreaElement;
    input.value = 'bob@example.org alice@example.com';
    ($('#check-form') as HTMLFormElement).requestSubmit();
    await flush();
    send({
      kind: 'result',
      address: 'bob@example.org',
      result: { ...result('bob@example.org'), checkedOn: 'https://mx-lens.example.org' } as VerificationResult,
    });
    send({
      kind: 'result',
      address: 'alice@example.com',
      result: result('alice@example.com', { verdict: 'unknown', reason: 'port_blocked', smtp: null }),
    });
    const [bob, alice] = Array.from(document.querySelectorAll('#check-results > li'));
    expect(bob!.textContent).toContain('Checked onthe server https://mx-lens.example.org');
    expect(alice!.textContent).toContain('Checked onthis computer');
    expect(alice!.querySelector('summary')!.textContent).toContain("⊘Can't check from this network");
    expect(alice!.querySelector('summary')!.textContent).not.toContain('Unknown');
  });

  it('shows and hides the port-25 banner as the host reports it while the popup is open', async () => {
    await startPopup();
    await flush();
    expect($('#port25-banner').hidden).toBe(true);
    send({ kind: 'network', port25Blocked: true });
    expect($('#port25-banner').hidden).toBe(false);
    expect($('#port25-banner').textContent).toContain('SOCKS5 proxy');
    send({ kind: 'network', port25Blocked: false });
    expect($('#port25-banner').hidden).toBe(true);
  });

  it('asks again for unanswered checks when the service worker restarts, so no row stays "Checking"', async () => {
    await startPopup();
    await flush();
    ($('#check-input') as HTMLTextAreaElement).value = 'bob@example.org\nalice@example.com';
    ($('#check-form') as HTMLFormElement).requestSubmit();
    await flush();
    send({ kind: 'result', address: 'bob@example.org', result: result('bob@example.org') });
    const first = fake.port();
    // The service worker stops: the port drops with alice@example.com unanswered.
    first.onDisconnect.emit(first);
    await vi.waitFor(() => expect(fake.state.ports).toHaveLength(2));
    expect(fake.port().sent).toEqual([
      { kind: 'check', addresses: ['alice@example.com'], depth: 'smtp', trigger: 'user' },
    ]);
    send({
      kind: 'result',
      address: 'alice@example.com',
      result: result('alice@example.com', { verdict: 'deliverable', reason: 'mailbox_exists', smtp: null }),
    });
    const rows = Array.from(document.querySelectorAll('#check-results > li'));
    expect(rows.map((row) => row.textContent)).not.toContainEqual(expect.stringContaining('Checking'));
    // Status and network news keep coming on the new port.
    send({ kind: 'network', port25Blocked: true });
    expect($('#port25-banner').hidden).toBe(false);
  });

  it('keeps the details open across updates and re-checks with force', async () => {
    await startPopup();
    await flush();
    ($('#check-input') as HTMLTextAreaElement).value = 'bob@example.org';
    ($('#check-form') as HTMLFormElement).requestSubmit();
    send({
      kind: 'result',
      address: 'bob@example.org',
      result: result('bob@example.org', {
        verdict: 'unknown',
        reason: 'greylisted',
        smtp: { code: 451, enhanced: '4.7.1', message: 'try later' },
        retryAfterMs: 60_000,
      }),
    });
    const details = () => document.querySelector('#check-results details') as HTMLDetailsElement;
    details().open = true;
    expect(details().textContent).toContain('about 60 seconds');

    const recheck = Array.from(details().querySelectorAll('button')).find(
      (button) => button.textContent === 'Check again',
    )!;
    recheck.click();
    await flush();
    expect(fake.port().sent.at(-1)).toEqual({
      kind: 'check',
      addresses: ['bob@example.org'],
      depth: 'smtp',
      trigger: 'user',
      force: true,
    });
    expect(details().open).toBe(true);
    expect(details().querySelector('summary')!.textContent).toContain('Checking');

    send({
      kind: 'result',
      address: 'bob@example.org',
      result: result('bob@example.org', {
        verdict: 'deliverable',
        reason: 'mailbox_exists',
        smtp: { code: 250, enhanced: '2.1.5', message: 'OK' },
      }),
    });
    expect(details().open).toBe(true);
    expect(details().querySelector('summary')!.textContent).toContain('✓');
    expect(details().querySelector('summary')!.textContent).toContain('Deliverable');
  });

  it('shows a failed check with the problem, and the status in the header', async () => {
    await startPopup();
    await flush();
    ($('#check-input') as HTMLTextAreaElement).value = 'bob@example.org';
    ($('#check-form') as HTMLFormElement).requestSubmit();
    send({ kind: 'failed', address: 'bob@example.org', status: NOT_INSTALLED });
    const item = $('#check-results > li');
    expect(item.textContent).toContain(`Could not be checked: The MX Lens host is not installed ${HOSTILE}`);
    expect($('#host-status').querySelector('code')?.textContent).toBe('npx mxlens install --browser chrome');
    noInjectedElements();

    const retry = Array.from($('#host-status').querySelectorAll('button')).find(
      (button) => button.textContent === 'Check again',
    )!;
    retry.click();
    await flush();
    expect(fake.state.sent).toContainEqual({ kind: 'reconnect' });
    expect($('#host-status').textContent).toContain('Connected');
  });

  it('asks for an address when the box is empty', async () => {
    await startPopup();
    await flush();
    ($('#check-form') as HTMLFormElement).requestSubmit();
    expect($('#check-summary').textContent).toBe('Enter at least one email address.');
    expect(fake.port().sent).toEqual([]);
  });

  it('exports the results as CSV', async () => {
    const writeText = vi.fn(async (_text: string) => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await startPopup();
    await flush();
    ($('#check-input') as HTMLTextAreaElement).value = 'bob@example.org =bad';
    ($('#check-form') as HTMLFormElement).requestSubmit();
    send({ kind: 'result', address: 'bob@example.org', result: result('bob@example.org') });
    expect($('#check-export').hidden).toBe(false);
    $('#check-copy-csv').click();
    await flush();
    const csv = writeText.mock.calls[0]![0];
    // The columns of `mxlens verify --json`.
    expect(csv.split('\r\n')[0]).toMatch(
      /^address,normalized,verdict,reason,rule,mx,smtp\.code,smtp\.enhanced,smtp\.message,flags\.disposable,/,
    );
    expect(csv).toContain(
      'bob@example.org,bob@example.org,undeliverable,mailbox_not_found,no-such-mailbox-text,mx.example.org,550,5.1.1',
    );
    expect(csv).toContain("'=bad,,undeliverable,invalid_syntax");
    expect($('#check-export-feedback').textContent).toBe('CSV copied.');
  });

  it('lists the addresses on the page, verifies all, and pauses the site', async () => {
    const found: PageAddress[] = [
      {
        address: 'sales@shop.example.com',
        verdict: 'deliverable',
        result: result('sales@shop.example.com', { verdict: 'deliverable', reason: 'mailbox_exists' }),
      },
      { address: `"${HOSTILE}"@shop.example.com`, verdict: 'pending', result: null },
      { address: 'old@shop.example.com', verdict: 'unknown', result: null },
    ];
    fake.state.content = (_tabId, message) => {
      if (message.kind === 'list-addresses') return found;
      if (message.kind === 'set-paused') return { paused: message.paused === true };
      throw new Error('unexpected');
    };
    const popup = await startPopup();
    await popup.pageReady;
    expect(fake.state.tabSent[0]).toEqual({ tabId: 7, message: { kind: 'list-addresses' } });
    expect($('#page-message').textContent).toBe('Addresses found: 3');
    const items = Array.from(document.querySelectorAll('#page-results > li'));
    expect(items).toHaveLength(3);
    expect(items[0]!.textContent).toContain('Deliverable');
    expect(items[1]!.textContent).toContain(`"${HOSTILE}"@shop.example.com`);
    expect(items[2]!.textContent).toContain('Not checked');
    noInjectedElements();

    $('#page-verify-all').click();
    await flush();
    expect(fake.port().sent.at(-1)).toEqual({
      kind: 'check',
      addresses: ['sales@shop.example.com', `"${HOSTILE}"@shop.example.com`, 'old@shop.example.com'],
      depth: 'smtp',
      trigger: 'user',
    });
    send({ kind: 'result', address: 'old@shop.example.com', result: result('old@shop.example.com') });
    expect(document.querySelectorAll('#page-results > li')[2]!.textContent).toContain('Undeliverable');

    const pause = $('#page-pause') as HTMLButtonElement;
    expect(pause.textContent).toBe('Pause on this site');
    pause.click();
    await flush();
    expect(fake.state.sent).toContainEqual({
      kind: 'set-site-paused',
      origin: 'https://shop.example.com',
      paused: true,
      tabId: 7,
    });
    expect(fake.state.tabSent.at(-1)).toEqual({ tabId: 7, message: { kind: 'set-paused', paused: true } });
    expect(pause.textContent).toBe('Resume on this site');
    expect($('#page-message').textContent).toBe('MX Lens is paused on https://shop.example.com.');
  });

  it('knows a site is paused from the settings, and pages it cannot work on', async () => {
    fake.state.storage.fill({ settings: { pausedSites: ['https://shop.example.com'] } });
    let popup = await startPopup();
    await popup.pageReady;
    expect($('#page-pause').textContent).toBe('Resume on this site');

    loadPage('popup/popup.html');
    fake.state.tabs = [{ id: 8, url: 'chrome://extensions/', active: true }];
    popup = await startPopup();
    await popup.pageReady;
    expect($('#page-message').textContent).toBe('MX Lens does not work on this kind of page.');
    expect(($('#page-pause') as HTMLButtonElement).disabled).toBe(true);
  });

  it('says so when the content script does not answer', async () => {
    fake.state.content = () => {
      throw new Error('Receiving end does not exist.');
    };
    const popup = await startPopup();
    await popup.pageReady;
    expect($('#page-message').textContent).toContain('Reload the page');
  });

  it('shows only the setup while the host is not installed, with a way to the setup guide', async () => {
    fake.state.background = (message) => (message.kind === 'get-status' ? NOT_INSTALLED : undefined);
    await startPopup();
    await flush();
    expect(document.body.classList.contains('needs-setup')).toBe(true);
    expect($('#setup-actions').hidden).toBe(false);
    expect($('#host-status').textContent).toContain('Node.js 20.19');
    expect($('#host-status').textContent).toContain('mxlens-0.1.0.tgz');
    $('#open-setup').click();
    await flush();
    expect(fake.state.created).toEqual(['chrome-extension://fake/welcome/welcome.html']);

    send({ kind: 'status', status: CONNECTED });
    expect(document.body.classList.contains('needs-setup')).toBe(false);
    expect($('#setup-actions').hidden).toBe(true);
  });

  it('never breaks a command inside a word: each word of the fix is one unbreakable piece', async () => {
    const fix =
      'npm install --global ./mxlens-0.1.0.tgz\nmxlens install --browser chrome --extension-id nlgehacbapefahfcfpmmmhnkpbghfklm';
    fake.state.background = (message) =>
      message.kind === 'get-status' ? { ...NOT_INSTALLED, problem: { ...NOT_INSTALLED.problem, fix } } : undefined;
    await startPopup();
    await flush();
    const code = $('#host-status').querySelector('code')!;
    expect(code.textContent).toBe(fix);
    const words = Array.from(code.querySelectorAll('.code-word')).map((word) => word.textContent);
    expect(words).toEqual(fix.split(/[ \n]/));
    expect(code.querySelectorAll('.code-line')).toHaveLength(2);
  });

  it('shows progress, counts that filter, and cancels a long check', async () => {
    const popup = await startPopup();
    await flush();
    const addresses = Array.from({ length: 30 }, (_, i) => `user${i}@example.org`);
    ($('#check-input') as HTMLTextAreaElement).value = addresses.join('\n');
    ($('#check-form') as HTMLFormElement).requestSubmit();
    await flush();
    // Handed over 25 at a time, so that Cancel can stop the rest.
    expect(fake.port().sent).toEqual([
      { kind: 'check', addresses: addresses.slice(0, 25), depth: 'smtp', trigger: 'user' },
    ]);
    expect($('#check-progress-text').textContent).toMatch(/^0 of 30 done · 0:0\d elapsed$/);
    expect($('#check-cancel').hidden).toBe(false);

    send({
      kind: 'result',
      address: 'user0@example.org',
      result: result('user0@example.org', { verdict: 'deliverable', reason: 'mailbox_exists', smtp: null }),
    });
    send({ kind: 'result', address: 'user1@example.org', result: result('user1@example.org') });
    await flush();
    expect(fake.port().sent.at(-1)).toEqual({
      kind: 'check',
      addresses: ['user25@example.org', 'user26@example.org'],
      depth: 'smtp',
      trigger: 'user',
    });
    expect($('#check-progress-text').textContent).toMatch(/^2 of 30 done · 0:0\d elapsed/);
    expect(($('#check-progress-bar') as HTMLProgressElement).value).toBe(2);

    const counts = () =>
      Array.from(document.querySelectorAll<HTMLButtonElement>('#check-counts .count')).map(
        (button) => button.textContent,
      );
    expect(counts()).toEqual(['✓Deliverable1', '✗Undeliverable1', '…Checking28']);
    const visible = () =>
      Array.from(document.querySelectorAll<HTMLLIElement>('#check-results > li')).filter((item) => !item.hidden);
    document.querySelector<HTMLButtonElement>('#check-counts .count--deliverable')!.click();
    expect(visible().map((item) => item.querySelector('.result-item__address')!.textContent)).toEqual([
      'user0@example.org',
    ]);
    expect(document.querySelector('#check-counts .count--deliverable')!.getAttribute('aria-pressed')).toBe('true');
    document.querySelector<HTMLButtonElement>('#check-counts .count--deliverable')!.click();
    expect(visible()).toHaveLength(30);

    $('#check-cancel').click();
    const postedBefore = fake.port().sent.length;
    // The three never handed over stay unchecked; those with the host still come in.
    expect($('#check-results').textContent).toContain('Not checked (cancelled)');
    expect(popup.bulk()!.progress()).toMatchObject({ cancelled: true, running: true });
    for (let i = 2; i < 27; i += 1)
      send({ kind: 'result', address: `user${i}@example.org`, result: result(`user${i}@example.org`) });
    expect(fake.port().sent.length).toBe(postedBefore);
    expect($('#check-summary').textContent).toBe('Cancelled: 27 of 30 checked');
    expect($('#check-cancel').hidden).toBe(true);
  });

  it('imports a CSV file and checks the addresses in it', async () => {
    await startPopup();
    await flush();
    const input = $('#check-import') as HTMLInputElement;
    const file = new File(
      ['name,email\r\n"Doe, Jane",Jane Doe <jane@example.com>\r\nBob,bob@example.org\r\n'],
      'contacts.csv',
      { type: 'text/csv' },
    );
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    input.dispatchEvent(new Event('change'));
    await flush(10);
    expect(($('#check-input') as HTMLTextAreaElement).value).toBe('jane@example.com\nbob@example.org');
    expect(fake.port().sent).toEqual([
      { kind: 'check', addresses: ['jane@example.com', 'bob@example.org'], depth: 'smtp', trigger: 'user' },
    ]);
  });

  it("shows the verdict once: no verdict row in the details, the host's own words under Technical details", async () => {
    await startPopup();
    await flush();
    ($('#check-input') as HTMLTextAreaElement).value = 'bob@example.org';
    ($('#check-form') as HTMLFormElement).requestSubmit();
    send({ kind: 'result', address: 'bob@example.org', result: result('bob@example.org') });
    const item = $('#check-results > li');
    expect(item.textContent!.match(/Undeliverable/g)).toHaveLength(1);
    const technical = item.querySelector('details.transcript')!;
    expect(technical.querySelector('summary')!.textContent).toBe('Technical details');
    expect(technical.textContent).toContain('The mail server says this mailbox does not exist.');
  });

  it('calls catch-all "not tested" when the server refused us, not "No"', async () => {
    await startPopup();
    await flush();
    ($('#check-input') as HTMLTextAreaElement).value = 'bob@example.org, eve@example.org';
    ($('#check-form') as HTMLFormElement).requestSubmit();
    const blocked = {
      verdict: 'unknown',
      reason: 'blocked',
      smtp: { code: 554, enhanced: '5.7.1', message: 'listed at Spamhaus' },
    } as const;
    send({ kind: 'result', address: 'bob@example.org', result: result('bob@example.org', blocked) });
    send({ kind: 'result', address: 'eve@example.org', result: result('eve@example.org') });
    const [bob, eve] = Array.from(document.querySelectorAll('#check-results > li'));
    const catchAll = (item: Element) =>
      Array.from(item.querySelectorAll('dt')).find((dt) => dt.textContent === 'Catch-all')!.nextElementSibling!
        .textContent;
    expect(catchAll(bob!)).toBe('Not tested');
    expect(catchAll(eve!)).toBe('No: the domain rejects unknown addresses');
  });

  it('speaks Chinese in a Chinese browser', async () => {
    fake.state.locale = 'zh_CN';
    await startPopup();
    await flush();
    expect($('#check-button').textContent).toBe('检查');
    expect(document.documentElement.lang).toBe('zh-CN');
    ($('#check-input') as HTMLTextAreaElement).value = 'bob@example.org';
    ($('#check-form') as HTMLFormElement).requestSubmit();
    send({ kind: 'result', address: 'bob@example.org', result: result('bob@example.org') });
    expect($('#check-results').textContent).toContain('无法送达');
    expect($('#check-results').textContent).toContain('邮件服务器表示没有这个邮箱。');
  });
});

describe('port 25 blocked', () => {
  it('shows the banner with both fixes when the background says the host reported port 25 blocked', async () => {
    const background = fake.state.background;
    fake.state.background = (message) =>
      message.kind === 'get-network' ? { port25Blocked: true } : background(message);
    await startPopup();
    await flush();
    const banner = $('#port25-banner');
    expect(banner.hidden).toBe(false);
    expect(banner.textContent).toContain('Port 25 seems blocked on this network');
    expect(banner.textContent).toContain('team server (mxlens serve)');
    expect(banner.textContent).toContain('SOCKS5 proxy');
    const before = fake.state.optionsOpened;
    banner.querySelector('button')!.click();
    expect(fake.state.optionsOpened).toBe(before + 1);
  });

  it('shows it as soon as a result says port_blocked, and hides it when a mail server answers', async () => {
    fake.state.background = (message) =>
      message.kind === 'get-network' ? { port25Blocked: false } : message.kind === 'get-status' ? CONNECTED : undefined;
    await startPopup();
    await flush();
    expect($('#port25-banner').hidden).toBe(true);
    send({
      kind: 'result',
      address: 'a@example.org',
      result: result('a@example.org', { verdict: 'unknown', reason: 'port_blocked', smtp: null }),
    });
    expect($('#port25-banner').hidden).toBe(false);
    send({ kind: 'result', address: 'b@example.org', result: result('b@example.org') });
    expect($('#port25-banner').hidden).toBe(true);
  });
});
