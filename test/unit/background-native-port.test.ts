import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DoneMessage, VerificationResult } from '../../native-host/shared/protocol/messages.js';
import { HOST_NAME } from '../../native-host/src/install/manifest.js';
import { HostProblems } from '../../extension/src/background/host-errors.js';
import {
  backoffDelay,
  HANDSHAKE_TIMEOUT_MS,
  IDLE_CLOSE_MS,
  NATIVE_HOST_NAME,
  NativeHost,
  type VerifyCall,
} from '../../extension/src/background/native-port.js';
import type { HostProblem, HostStatus } from '../../extension/src/shared/status.js';
import { EXTENSION_ID, fakeBrowser, makeResult, settle, type FakeBrowser } from './background-fake-browser.js';

interface Outcome {
  results: Array<{ index: number; result: VerificationResult }>;
  done: DoneMessage | null;
  failed: HostProblem | null;
}

function setup(style: 'chrome' | 'firefox' = 'chrome') {
  const browser = fakeBrowser({ style });
  const statuses: HostStatus[] = [];
  const problems = new HostProblems({
    i18n: browser.i18n,
    browser: style === 'chrome' ? { id: 'chrome', family: 'chromium' } : { id: 'firefox', family: 'firefox' },
    extensionId: browser.runtime.id,
  });
  const host = new NativeHost({ runtime: browser.runtime, problems, onStatus: (status) => statuses.push(status) });
  return { browser, host, statuses };
}

function verify(host: NativeHost, addresses: string[], deadlineMs = 45_000): Outcome {
  const outcome: Outcome = { results: [], done: null, failed: null };
  const call: VerifyCall = {
    addresses,
    options: { level: 'smtp' },
    deadlineMs,
    handlers: {
      onResult: (index, result) => outcome.results.push({ index, result }),
      onDone: (done) => {
        outcome.done = done;
      },
      onFail: (problem) => {
        if (outcome.failed) throw new Error('a verify failed twice');
        outcome.failed = problem;
      },
    },
  };
  host.verify(call);
  return outcome;
}

function listenerCount(browser: FakeBrowser, portIndex = 0): number {
  const port = browser.host.ports[portIndex]!;
  return port.onMessage.count + port.onDisconnect.count;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the native port', () => {
  it('connects to the host the installer registers', () => {
    expect(NATIVE_HOST_NAME).toBe(HOST_NAME);
  });

  it('says hello first (protocol 1, the extension version), then verifies; results are routed by id', async () => {
    const { browser, host, statuses } = setup();
    browser.host.version = '0.3.1';
    browser.host.settingsProblems = [{ setting: 'MXLENS_TIMEOUT', message: 'not a number' }];
    const outcome = verify(host, ['a@example.org', 'b@example.org']);
    expect(host.status()).toEqual({ state: 'connecting' });
    await settle();

    const port = browser.host.port!;
    expect(browser.host.connects).toBe(1);
    expect(port.name).toBe('io.mxlens.host');
    const [hello, request] = port.sent as Array<Record<string, unknown>>;
    expect(hello).toEqual({ type: 'hello', id: expect.any(String), protocol: 1, extension: '0.1.0' });
    expect(request).toMatchObject({
      type: 'verify',
      addresses: ['a@example.org', 'b@example.org'],
      options: { level: 'smtp' },
    });
    expect(request!.id).not.toBe(hello!.id);

    expect(outcome.results.map((r) => [r.index, r.result.address])).toEqual([
      [0, 'a@example.org'],
      [1, 'b@example.org'],
    ]);
    expect(outcome.done).toMatchObject({ type: 'done', count: 2 });
    expect(outcome.failed).toBeNull();
    expect(host.status()).toEqual({
      state: 'connected',
      hostVersion: '0.3.1',
      settingsProblems: [{ setting: 'MXLENS_TIMEOUT', message: 'not a number' }],
    });
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'connected']);
  });

  it('keeps several verifies in flight on one port and routes interleaved replies', async () => {
    const { browser, host } = setup();
    const held: Array<() => void> = [];
    browser.host.onVerify = (request, side) => {
      held.push(() => {
        request.addresses.forEach((address, index) => side.result(request.id, index, makeResult(address)));
        side.done(request.id, request.addresses.length);
      });
    };
    const first = verify(host, ['one@a.test']);
    const second = verify(host, ['two@b.test', 'three@b.test']);
    await settle();
    expect(browser.host.connects).toBe(1);
    expect(browser.host.verifies).toHaveLength(2);
    expect(new Set(browser.host.verifies.map((v) => v.id)).size).toBe(2);

    // The host answers the second before the first.
    held[1]!();
    expect(second.results.map((r) => r.result.address)).toEqual(['two@b.test', 'three@b.test']);
    expect(second.done).not.toBeNull();
    expect(first.results).toEqual([]);
    expect(first.done).toBeNull();
    held[0]!();
    expect(first.results.map((r) => r.result.address)).toEqual(['one@a.test']);
    expect(first.done).not.toBeNull();
  });

  it('closes the port after 60 s without work, removing its listeners; the next need reopens it', async () => {
    const { browser, host, statuses } = setup();
    verify(host, ['a@example.org']);
    await settle();
    const port = browser.host.port!;
    expect(host.status().state).toBe('connected');

    await settle(IDLE_CLOSE_MS - 1_000);
    expect(port.disconnectedByExtension).toBe(false);
    // New work restarts the countdown.
    verify(host, ['b@example.org']);
    await settle(IDLE_CLOSE_MS - 1_000);
    expect(port.disconnectedByExtension).toBe(false);
    await settle(1_000);
    expect(port.disconnectedByExtension).toBe(true);
    expect(listenerCount(browser)).toBe(0);
    expect(host.status()).toEqual({ state: 'disconnected' });
    expect(statuses.at(-1)).toEqual({ state: 'disconnected' });

    const again = verify(host, ['c@example.org']);
    await settle();
    expect(browser.host.connects).toBe(2);
    expect(again.results).toHaveLength(1);
  });

  it('reconnects with backoff: 1 s, 2 s, 4 s … capped at 60 s, failing requests at once meanwhile', async () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(backoffDelay)).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000,
    ]);

    const { browser, host } = setup();
    browser.host.connectError = 'Specified native messaging host not found.';
    const first = verify(host, ['a@example.org']);
    await settle();
    expect(browser.host.connects).toBe(1);
    expect(first.failed?.code).toBe('host_not_installed');
    expect(host.status().state).toBe('failed');

    // Within the first second: no new attempt, the request fails at once with the same problem.
    await settle(500);
    const early = verify(host, ['b@example.org']);
    await settle();
    expect(browser.host.connects).toBe(1);
    expect(early.failed?.code).toBe('host_not_installed');

    // After 1 s: one attempt, which fails; now 2 s.
    await settle(500);
    verify(host, ['c@example.org']);
    await settle();
    expect(browser.host.connects).toBe(2);
    await settle(1_999);
    verify(host, ['d@example.org']);
    await settle();
    expect(browser.host.connects).toBe(2);
    await settle(1);
    verify(host, ['e@example.org']);
    await settle();
    expect(browser.host.connects).toBe(3);

    // "Check again" skips the wait.
    const status = await Promise.all([host.connect({ force: true }), settle()]).then(([s]) => s);
    expect(browser.host.connects).toBe(4);
    expect(status.state).toBe('failed');

    // The host gets installed: the next attempt after the backoff works and resets it.
    browser.host.connectError = null;
    await settle(backoffDelay(4));
    const works = verify(host, ['f@example.org']);
    await settle();
    expect(browser.host.connects).toBe(5);
    expect(works.results).toHaveLength(1);
    expect(host.status().state).toBe('connected');
  });

  it('when the host dies mid-request, every pending verify fails with host_crashed, and the next one reconnects', async () => {
    const { browser, host, statuses } = setup();
    browser.host.onVerify = (request, side) => {
      if (request.addresses[0] === 'crash@a.test') {
        side.result(request.id, 0, makeResult('crash@a.test'));
        side.exit('Native host has exited.');
      }
      // others: never answered
    };
    const slow = verify(host, ['slow@b.test']);
    const crashing = verify(host, ['crash@a.test', 'never@a.test']);
    await settle();

    expect(crashing.results).toHaveLength(1);
    expect(crashing.failed?.code).toBe('host_crashed');
    expect(crashing.failed?.fix).toBe('mxlens doctor');
    expect(crashing.failed?.raw).toBe('Native host has exited.');
    expect(slow.failed?.code).toBe('host_crashed');
    expect(listenerCount(browser)).toBe(0);
    expect(statuses.at(-1)).toMatchObject({ state: 'failed', problem: { code: 'host_crashed' } });

    browser.host.onVerify = (request, side) => {
      side.result(request.id, 0, makeResult(request.addresses[0]!));
      side.done(request.id, 1);
    };
    const next = verify(host, ['next@c.test']);
    await settle();
    expect(browser.host.connects).toBe(2);
    expect(next.results).toHaveLength(1);
    expect(host.status().state).toBe('connected');
  });

  it('a host that exits without a word (Firefox: no port.error) has crashed too', async () => {
    const { browser, host } = setup('firefox');
    browser.host.onVerify = (_request, side) => side.exit();
    const outcome = verify(host, ['a@example.org']);
    await settle();
    expect(outcome.failed?.code).toBe('host_crashed');
  });

  it('fails a verify the host does not answer in time, and cancels it on the host', async () => {
    const { browser, host } = setup();
    browser.host.onVerify = () => {};
    const outcome = verify(host, ['slow@a.test'], 45_000);
    await settle();
    await settle(44_999);
    expect(outcome.failed).toBeNull();
    await settle(1);
    expect(outcome.failed?.code).toBe('host_timeout');
    expect(browser.host.cancels).toEqual([{ id: expect.any(String), target: browser.host.verifies[0]!.id }]);
    // A late answer is ignored.
    browser.host.current.result(browser.host.verifies[0]!.id, 0, makeResult('slow@a.test'));
    expect(outcome.results).toEqual([]);
  });

  it('a result for any verify shows the host is working: deadlines start over', async () => {
    const { browser, host } = setup();
    browser.host.onVerify = () => {};
    const waiting = verify(host, ['waiting@a.test'], 10_000);
    const busy = verify(host, ['b1@b.test', 'b2@b.test'], 10_000);
    await settle();
    const busyId = browser.host.verifies[1]!.id;
    await settle(8_000);
    browser.host.current.result(busyId, 0, makeResult('b1@b.test'));
    await settle(8_000);
    expect(waiting.failed).toBeNull();
    expect(busy.failed).toBeNull();
    await settle(2_000);
    expect(waiting.failed?.code).toBe('host_timeout');
    expect(busy.failed?.code).toBe('host_timeout');
    expect(busy.results).toHaveLength(1);
  });

  it('a hello that gets no answer fails with host_timeout and closes the port', async () => {
    const { browser, host } = setup();
    browser.host.silent = true;
    const outcome = verify(host, ['a@example.org']);
    await settle(HANDSHAKE_TIMEOUT_MS);
    expect(outcome.failed?.code).toBe('host_timeout');
    expect(browser.host.port!.disconnectedByExtension).toBe(true);
    expect(listenerCount(browser)).toBe(0);
  });

  it('protocol mismatch: an older host must be updated', async () => {
    const { browser, host } = setup();
    browser.host.helloError = {
      code: 'protocol_mismatch',
      message:
        'the host is older: the extension speaks protocol 1, the host (mxlens 0.0.9) speaks protocol 0; update the MX Lens host (install the newer mxlens package)',
    };
    const status = await Promise.all([host.connect(), settle()]).then(([s]) => s);
    expect(status).toMatchObject({
      state: 'failed',
      problem: {
        code: 'host_outdated',
        fix: `npm install --global ./mxlens-<version>.tgz\nmxlens install --browser chrome --extension-id ${EXTENSION_ID}`,
      },
    });
    expect(status.state === 'failed' && status.problem.raw).toContain('speaks protocol 0');
    expect(browser.host.port!.disconnectedByExtension).toBe(true);
    expect(listenerCount(browser)).toBe(0);
  });

  it('protocol mismatch: an older extension must be updated', async () => {
    const { browser, host } = setup();
    browser.host.helloError = {
      code: 'protocol_mismatch',
      message:
        'the extension is older: the extension speaks protocol 1, the host (mxlens 2.0.0) speaks protocol 2; update the MX Lens extension',
    };
    const outcome = verify(host, ['a@example.org']);
    await settle();
    expect(outcome.failed?.code).toBe('extension_outdated');
    expect(outcome.failed?.message).toContain('protocol 2');
  });

  it('a hello reply with another protocol number is a mismatch too', async () => {
    const { browser, host } = setup();
    browser.host.protocol = 2;
    const status = await Promise.all([host.connect(), settle()]).then(([s]) => s);
    expect(status).toMatchObject({ state: 'failed', problem: { code: 'extension_outdated' } });
  });

  it('host errors for a verify fail it with the host’s words; other verifies go on', async () => {
    const { browser, host } = setup();
    browser.host.onVerify = (request, side) => {
      if (request.addresses[0] === 'bad@a.test')
        side.send({ type: 'error', id: request.id, code: 'bad_value', message: 'option `proxy`: not a socks5:// URL' });
      else {
        side.result(request.id, 0, makeResult(request.addresses[0]!));
        side.done(request.id, 1);
      }
    };
    const bad = verify(host, ['bad@a.test']);
    const good = verify(host, ['good@a.test']);
    await settle();
    expect(bad.failed).toMatchObject({ code: 'unknown', raw: 'bad_value: option `proxy`: not a socks5:// URL' });
    expect(bad.failed?.message).toContain('not a socks5:// URL');
    expect(good.results).toHaveLength(1);
    expect(host.status().state).toBe('connected');
  });

  it('hands on the host\u2019s network report: the hello field, then network messages without an id', async () => {
    const browser = fakeBrowser({ style: 'chrome' });
    const reports: unknown[] = [];
    const problems = new HostProblems({
      i18n: browser.i18n,
      browser: { id: 'chrome', family: 'chromium' },
      extensionId: browser.runtime.id,
    });
    const host = new NativeHost({ runtime: browser.runtime, problems, onNetwork: (routes) => reports.push(routes) });
    const blocked = { port: 25, proxy: null, family: 4, state: 'blocked', servers: ['mx.a.example', 'mx.b.example'] };
    browser.host.network = [];
    await host.connect();
    expect(reports).toEqual([[]]);
    browser.host.port!.receive({ type: 'network', id: null, network: [blocked] });
    expect(reports).toEqual([[], [blocked]]);
    // Other id-less messages are still not the host's: ignored.
    browser.host.port!.receive({ type: 'result', id: null, index: 0, result: makeResult('a@b.test') });
    expect(reports).toHaveLength(2);
    expect(host.status().state).toBe('connected');
  });

  it('a port that throws on postMessage is treated as gone (Firefox)', async () => {
    const { browser, host } = setup('firefox');
    verify(host, ['a@example.org']);
    await settle();
    browser.host.port!.closed = true; // gone without onDisconnect yet
    const outcome = verify(host, ['b@example.org']);
    await settle();
    expect(outcome.failed?.code).toBe('host_crashed');
    expect(outcome.failed?.raw).toBe('Attempt to postMessage on disconnected port');
  });
});
