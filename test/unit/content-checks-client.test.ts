import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChecksClient } from '../../extension/src/shared/checks-client.js';
import type { PortEvent } from '../../extension/src/shared/messages.js';
import { FakePort, makeResult } from './content-helpers.js';

interface Harness {
  client: ChecksClient;
  ports: FakePort[];
  events: PortEvent[];
  frame: () => void;
  port: () => FakePort;
  dead: { value: boolean };
}

function harness(connectFails = false): Harness {
  const ports: FakePort[] = [];
  const events: PortEvent[] = [];
  let scheduled: (() => void) | null = null;
  const dead = { value: false };
  const client = new ChecksClient({
    connect: () => {
      if (connectFails) throw new Error('Extension context invalidated.');
      const port = new FakePort();
      ports.push(port);
      return port;
    },
    onEvent: (event) => events.push(event),
    schedule: (flush) => {
      scheduled = flush;
    },
    reconnectDelayMs: (attempt) => 100 * (attempt + 1),
    onDead: () => {
      dead.value = true;
    },
  });
  return {
    client,
    ports,
    events,
    dead,
    frame: () => {
      const run = scheduled;
      scheduled = null;
      run?.();
    },
    port: () => {
      const last = ports[ports.length - 1];
      if (!last) throw new Error('no port');
      return last;
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ChecksClient', () => {
  it('sends the checks of one frame as one message per depth', () => {
    const h = harness();
    h.client.check('alice@acme.test', 'smtp');
    h.client.check('bob@acme.test', 'smtp');
    h.client.check('carol@aonly.test', 'dns');
    h.client.check('alice@acme.test', 'smtp'); // asked twice, sent once
    expect(h.ports).toHaveLength(0); // nothing before the frame
    h.frame();
    expect(h.ports).toHaveLength(1);
    expect(h.port().sent).toEqual([
      { kind: 'check', addresses: ['alice@acme.test', 'bob@acme.test'], depth: 'smtp', trigger: 'auto' },
      { kind: 'check', addresses: ['carol@aonly.test'], depth: 'dns', trigger: 'auto' },
    ]);
  });

  it('keeps a forced re-check apart, and the deepest depth asked', () => {
    const h = harness();
    h.client.check('alice@acme.test', 'dns');
    h.client.check('alice@acme.test', 'smtp');
    h.client.check('bob@acme.test', 'smtp', true);
    h.frame();
    expect(h.port().sent).toEqual([
      { kind: 'check', addresses: ['alice@acme.test'], depth: 'smtp', trigger: 'auto' },
      { kind: 'check', addresses: ['bob@acme.test'], depth: 'smtp', trigger: 'auto', force: true },
    ]);
  });

  it('uses one port for all frames', () => {
    const h = harness();
    h.client.check('alice@acme.test', 'smtp');
    h.frame();
    h.client.check('bob@acme.test', 'smtp');
    h.frame();
    expect(h.ports).toHaveLength(1);
    expect(h.port().addresses).toEqual(['alice@acme.test', 'bob@acme.test']);
  });

  it('splits a very long batch into several messages', () => {
    const h = harness();
    for (let i = 0; i < 1_200; i++) h.client.check(`user${i}@acme.test`, 'smtp');
    h.frame();
    expect(h.port().sent.map((request) => request.addresses.length)).toEqual([500, 500, 200]);
  });

  it('passes results, failures and status on', () => {
    const h = harness();
    h.client.check('alice@acme.test', 'smtp');
    h.client.check('bob@acme.test', 'smtp');
    h.frame();
    const result: PortEvent = { kind: 'result', address: 'alice@acme.test', result: makeResult('alice@acme.test') };
    const failed: PortEvent = { kind: 'failed', address: 'bob@acme.test', status: { state: 'disconnected' } };
    const status: PortEvent = { kind: 'status', status: { state: 'connecting' } };
    h.port().emit(result);
    h.port().emit(failed);
    h.port().emit(status);
    h.port().emit({ kind: 'nonsense' } as unknown as PortEvent);
    expect(h.events).toEqual([result, failed, status]);
    expect(h.client.unanswered).toEqual([]);
  });

  it('does not count a DNS-only answer as the answer to a mailbox check', () => {
    const h = harness();
    h.client.check('alice@acme.test', 'smtp');
    h.frame();
    h.port().emit({
      kind: 'result',
      address: 'alice@acme.test',
      result: makeResult('alice@acme.test', { verdict: 'unknown', reason: 'dns_only' }),
    });
    expect(h.client.unanswered).toEqual(['alice@acme.test']);
  });

  it('reconnects when the background goes away, and asks again for what was not answered', () => {
    const h = harness();
    h.client.check('alice@acme.test', 'smtp');
    h.client.check('bob@acme.test', 'dns');
    h.client.check('carol@aonly.test', 'smtp', true);
    h.frame();
    const first = h.port();
    first.emit({ kind: 'result', address: 'alice@acme.test', result: makeResult('alice@acme.test') });
    first.drop(); // the service worker was stopped
    expect(h.ports).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(h.ports).toHaveLength(2);
    expect(h.port().sent).toEqual([
      { kind: 'check', addresses: ['bob@acme.test'], depth: 'dns', trigger: 'auto' },
      { kind: 'check', addresses: ['carol@aonly.test'], depth: 'smtp', trigger: 'auto', force: true },
    ]);
    // Events from the old port are ignored; the new one works.
    h.port().emit({
      kind: 'result',
      address: 'bob@acme.test',
      result: makeResult('bob@acme.test', { reason: 'dns_only', verdict: 'unknown' }),
    });
    expect(h.events.map((event) => event.kind === 'result' && event.address)).toEqual([
      'alice@acme.test',
      'bob@acme.test',
    ]);
  });

  it('reconnects lazily when nothing is pending', () => {
    const h = harness();
    h.client.check('alice@acme.test', 'smtp');
    h.frame();
    h.port().emit({ kind: 'result', address: 'alice@acme.test', result: makeResult('alice@acme.test') });
    h.port().drop();
    vi.advanceTimersByTime(10_000);
    expect(h.ports).toHaveLength(1);
    h.client.check('bob@acme.test', 'smtp');
    h.frame();
    expect(h.ports).toHaveLength(2);
    expect(h.port().addresses).toEqual(['bob@acme.test']);
  });

  it('waits for the reconnect when a frame comes in between', () => {
    const h = harness();
    h.client.check('alice@acme.test', 'smtp');
    h.frame();
    h.port().drop();
    h.client.check('bob@acme.test', 'smtp');
    h.frame(); // no port yet: kept as pending
    expect(h.ports).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(h.port().addresses.sort()).toEqual(['alice@acme.test', 'bob@acme.test']);
  });

  it('stops for good when the extension is gone', () => {
    const h = harness(true);
    h.client.check('alice@acme.test', 'smtp');
    h.frame();
    expect(h.dead.value).toBe(true);
    h.client.check('bob@acme.test', 'smtp');
    h.frame();
    vi.advanceTimersByTime(60_000);
    expect(h.client.unanswered).toEqual([]);
  });

  it('disconnects on close and sends nothing more', () => {
    const h = harness();
    h.client.check('alice@acme.test', 'smtp');
    h.frame();
    h.client.close();
    expect(h.port().disconnected).toBe(true);
    h.client.check('bob@acme.test', 'smtp');
    h.frame();
    expect(h.ports).toHaveLength(1);
  });
});
