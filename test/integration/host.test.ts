import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { version } from '../../package.json';
import { frameBytes } from '../../native-host/shared/protocol/frames.js';
import { LIMITS, PROTOCOL_VERSION } from '../../native-host/shared/protocol/messages.js';
import {
  frameHeader as header,
  hostsForEachTest,
  LITTLE_ENDIAN as LE,
  type HostFrame,
  type HostProcess,
} from '../harness/host.js';
import { useWorld, type World } from '../world/index.js';

// The real, built host, spoken to in frames over its stdin/stdout, the way a browser does.

let stateDir: string;
let silentDns: Socket;
let silentDnsServer: string;

/** A host whose DNS server never answers (so a dns-level check hangs until cancelled), logging into a temp dir. */
const startHost = hostsForEachTest(() => ({ XDG_STATE_HOME: stateDir, MXLENS_DNS: silentDnsServer }));

beforeAll(async () => {
  if (!existsSync(fileURLToPath(new URL('../../dist/host/mxlens.mjs', import.meta.url)))) {
    throw new Error('the host is not built: run "npm run build" first');
  }
  stateDir = await mkdtemp(path.join(tmpdir(), 'mxlens-host-test-'));
  silentDns = createSocket('udp4');
  await new Promise<void>((resolve) => silentDns.bind(0, '127.0.0.1', resolve));
  silentDnsServer = `127.0.0.1:${silentDns.address().port}`;
});

afterAll(async () => {
  silentDns?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

describe('mxlens host: handshake', () => {
  it('answers hello with its version, capabilities and limits', async () => {
    const host = startHost({}, ['chrome-extension://abcdefghijklmnopabcdefghijklmnop/']);
    host.send({ type: 'hello', id: 1, protocol: PROTOCOL_VERSION, extension: '0.1.0' });
    const reply = await host.reply(1, 'hello');
    expect(reply).toEqual({
      type: 'hello',
      id: 1,
      protocol: 1,
      version,
      capabilities: ['verify', 'cancel', 'site', 'network', 'progress'],
      limits: expect.objectContaining({
        maxFrameBytes: 1024 * 1024,
        maxAddressesPerRequest: LIMITS.maxAddressesPerRequest,
      }),
      settingsProblems: expect.any(Array),
      network: [],
    });
    expect(await host.close()).toBe(0);
    host.expectCleanStdout();
  });

  it('refuses a verify before hello', async () => {
    const host = startHost();
    host.send({ type: 'verify', id: 'early', addresses: ['a@b.example'], options: { level: 'syntax' } });
    expect(await host.reply('early', 'error')).toMatchObject({ code: 'handshake_required' });
  });

  it('says protocol_mismatch, and which side is older, for another protocol version', async () => {
    const host = startHost();
    host.send({ type: 'hello', id: 'h2', protocol: PROTOCOL_VERSION + 1, extension: '9.0.0' });
    const error = await host.reply('h2', 'error');
    expect(error).toMatchObject({ code: 'protocol_mismatch' });
    expect(error.message).toMatch(/the host is older/);
    // No handshake was made.
    host.send({ type: 'verify', id: 'v', addresses: ['a@b.example'], options: { level: 'syntax' } });
    expect(await host.reply('v', 'error')).toMatchObject({ code: 'handshake_required' });
  });

  it('accepts the arguments Firefox and Chrome on Windows pass', async () => {
    const host = startHost({}, ['/usr/lib/mozilla/native-messaging-hosts/mxlens.json', 'mxlens@example.org']);
    await host.handshake();
    const windows = startHost({}, ['chrome-extension://abcdefghijklmnopabcdefghijklmnop/', '--parent-window=1234']);
    await windows.handshake();
  });
});

describe('mxlens host: verify', () => {
  it('checks syntax: one result per address, then done', async () => {
    const host = startHost();
    await host.handshake();
    host.send({
      type: 'verify',
      id: 's1',
      addresses: ['alice@example.com', 'not an address'],
      options: { level: 'syntax' },
    });
    const done = await host.reply('s1', 'done');
    expect(done).toEqual({ type: 'done', id: 's1', count: 2 });
    const results = host.of('s1').filter((m) => m.type === 'result');
    const byIndex = Object.fromEntries(results.map((m) => [m.index, m.result]));
    expect(byIndex[0]).toMatchObject({
      address: 'alice@example.com',
      reason: 'syntax_only',
      verdict: 'unknown',
      rule: 'level-syntax',
    });
    expect(byIndex[1]).toMatchObject({
      address: 'not an address',
      reason: 'invalid_syntax',
      verdict: 'undeliverable',
      rule: 'syntax-invalid',
    });
    expect(await host.close()).toBe(0);
    host.expectCleanStdout();
  });

  it('checks DNS: a .invalid domain gets a DNS answer', async () => {
    // The system resolver: unreachable inside the loopback-only namespace, NXDOMAIN outside it.
    const host = startHost({ MXLENS_DNS: undefined });
    await host.handshake();
    host.send({
      type: 'verify',
      id: 'd1',
      addresses: ['someone@mxlens-test.invalid'],
      options: { level: 'dns', timeoutMs: 2000 },
    });
    const result = await host.next((m) => m.id === 'd1' && m.type === 'result');
    expect(['no_such_domain', 'dns_error']).toContain((result.result as { reason: string }).reason);
    expect(await host.reply('d1', 'done')).toMatchObject({ count: 1 });
  });

  it('runs two requests at once: a quick one finishes while a slow one is still running', async () => {
    const host = startHost();
    await host.handshake();
    host.send({
      type: 'verify',
      id: 'slow',
      addresses: ['a@slow-one.example'],
      options: { level: 'dns', timeoutMs: 20_000 },
    });
    host.send({
      type: 'verify',
      id: 'quick',
      addresses: ['b@example.com', 'c@example.com'],
      options: { level: 'syntax' },
    });
    expect(await host.reply('quick', 'done')).toMatchObject({ count: 2 });
    expect(host.of('slow')).toEqual([]);
    host.send({ type: 'cancel', id: 'c', target: 'slow' });
    await host.reply('c', 'cancelled');
  });

  it('cancels a running verify: done with cancelled: true, then cancelled, then nothing more', async () => {
    const host = startHost();
    await host.handshake();
    host.send({
      type: 'verify',
      id: 'long',
      addresses: ['broken address', 'x@slow-two.example', 'y@slow-three.example'],
      options: { level: 'dns', timeoutMs: 20_000 },
    });
    // The syntax failure is known at once; the others wait on a DNS server that never answers.
    await host.next((m) => m.id === 'long' && m.type === 'result');
    const cancelled = await host.request({ type: 'cancel', id: 'stop', target: 'long' }, 'cancelled');
    expect(cancelled).toEqual({ type: 'cancelled', id: 'stop', target: 'long' });
    // Only the syntax result came: the DNS checks (which would wait 20 s for a server that never answers) were stopped.
    const done = await host.reply('long', 'done');
    expect(done).toEqual({ type: 'done', id: 'long', count: 1, cancelled: true });
    expect(host.messages.indexOf(done)).toBeLessThan(host.messages.indexOf(cancelled));

    host.send({ type: 'cancel', id: 'again', target: 'long' });
    expect(await host.reply('again', 'error')).toMatchObject({ code: 'unknown_request' });
    // Nothing more about it, up to the host's very last frame.
    const after = host.messages.indexOf(cancelled);
    expect(await host.close()).toBe(0);
    expect(host.messages.slice(after).filter((m) => m.id === 'long')).toEqual([]);
  });

  it('answers each of 2,000 addresses exactly once, in frames under 1 MiB, and checks again when asked again', async () => {
    const host = startHost();
    await host.handshake();
    const addresses = Array.from({ length: 2000 }, (_, i) =>
      i % 7 === 0 ? `bad address ${i}` : `user${i}@example${i % 13}.com`,
    );
    host.send({ type: 'verify', id: 'big', addresses, options: { level: 'syntax' } });
    expect(await host.reply('big', 'done')).toEqual({ type: 'done', id: 'big', count: 2000 });
    const results = host.of('big').filter((m) => m.type === 'result');
    expect(results).toHaveLength(2000);
    expect(new Set(results.map((m) => m.index)).size).toBe(2000);
    for (const m of results) expect((m.result as { address: string }).address).toBe(addresses[m.index as number]);

    // The host keeps no results (the extension does: PROTOCOL.md); `fresh`, which older
    // extensions send, is still accepted.
    host.send({
      type: 'verify',
      id: 'again',
      addresses: addresses.slice(0, 10),
      options: { level: 'syntax', fresh: true },
    });
    expect(await host.reply('again', 'done')).toEqual({ type: 'done', id: 'again', count: 10 });
    const again = host.of('again').filter((m) => m.type === 'result');
    expect(again.map((m) => m.result)).toEqual(
      results
        .filter((m) => (m.index as number) < 10)
        .sort((a, b) => (a.index as number) - (b.index as number))
        .map((m) => m.result),
    );
    expect(again.some((m) => 'cached' in m)).toBe(false);
    expect(await host.close()).toBe(0);
    host.expectCleanStdout();
  });

  it('refuses a duplicate id, a bad proxy URL and an unknown option, naming the problem', async () => {
    const host = startHost();
    await host.handshake();
    host.send({ type: 'verify', id: 'p', addresses: ['a@b.example'], options: { proxy: 'http://127.0.0.1:3128' } });
    expect(await host.reply('p', 'error')).toMatchObject({
      code: 'bad_value',
      message: expect.stringContaining('options.proxy'),
    });
    host.send({ type: 'verify', id: 'o', addresses: ['a@b.example'], options: { speed: 'fast' } });
    expect(await host.reply('o', 'error')).toMatchObject({
      code: 'bad_value',
      message: expect.stringContaining('options.speed'),
    });
    host.send({ type: 'verify', id: 'n', addresses: ['a@b.example', 7] });
    expect(await host.reply('n', 'error')).toMatchObject({
      code: 'wrong_type',
      message: '`addresses[1]` is not a string (it is a number)',
    });
    host.send({ type: 'verify', id: 'dup', addresses: ['a@dup.example'], options: { level: 'dns' } });
    host.send({ type: 'verify', id: 'dup', addresses: ['a@dup.example'], options: { level: 'dns' } });
    expect(await host.reply('dup', 'error')).toMatchObject({ code: 'duplicate_id' });
  });
});

describe('mxlens host: bad input', () => {
  it('answers malformed JSON with bad_json and keeps serving', async () => {
    const host = startHost();
    host.sendRaw(frameBytes(new TextEncoder().encode('{"type":"hello",'), LE));
    expect(await host.next((m) => m.type === 'error')).toMatchObject({ id: null, code: 'bad_json' });
    host.sendRaw(frameBytes(new Uint8Array([0x7b, 0xff, 0x7d]), LE));
    expect(await host.next((m) => m.type === 'error' && m.code === 'bad_frame')).toMatchObject({ id: null });
    host.send({ type: 'frobnicate', id: 'f' });
    expect(await host.reply('f', 'error')).toMatchObject({ code: 'unknown_type' });
    await host.handshake();
    expect(await host.close()).toBe(0);
    host.expectCleanStdout();
  });

  it('refuses a frame with a bogus huge length and still exits cleanly', async () => {
    const host = startHost();
    host.sendRaw(Buffer.concat([header(0xfffffff0), Buffer.from('{"type":"hello"}')]));
    expect(await host.next((m) => m.type === 'error')).toMatchObject({ id: null, code: 'frame_too_large' });
    expect(await host.close()).toBe(0);
    host.expectCleanStdout();
  });

  it('skips a 2 MiB frame and answers the good frame after it', async () => {
    const host = startHost();
    const size = 2 * 1024 * 1024;
    const body = Buffer.alloc(size, 0x20);
    body.write('{"type":"hello","id":"huge","protocol":1,"extension":"1.0.0","pad":"', 0);
    body.write('"}', size - 2);
    const good = frameBytes(
      new TextEncoder().encode(JSON.stringify({ type: 'hello', id: 'after', protocol: 1, extension: '0.1.0' })),
      LE,
    );
    const stream = Buffer.concat([header(size), body, good]);
    // In uneven chunks, the way a pipe delivers them.
    for (let at = 0; at < stream.length; at += 65_521) host.sendRaw(stream.subarray(at, at + 65_521));
    expect(await host.next((m) => m.type === 'error')).toMatchObject({ id: null, code: 'frame_too_large' });
    expect(await host.reply('after', 'hello')).toMatchObject({ protocol: 1 });
    expect(host.of('huge')).toEqual([]);
    expect(await host.close()).toBe(0);
    host.expectCleanStdout();
  });

  it('exits 0 when stdin closes in the middle of a request', async () => {
    const host = startHost();
    await host.handshake();
    host.send({
      type: 'verify',
      id: 'cut',
      addresses: ['a@slow-four.example', 'bad'],
      options: { level: 'dns', timeoutMs: 20_000 },
    });
    await host.next((m) => m.id === 'cut' && m.type === 'result');
    expect(await host.close()).toBe(0);
    // It did not wait for the DNS check (its server never answers; its timeout is 20 s).
    expect(host.results('cut').map((m) => m.result.address)).toEqual(['bad']);
    host.expectCleanStdout();
  });

  it('exits, without flooding its log, when the browser closes stdout and stderr too', async () => {
    const logFile = path.join(stateDir, 'gone.log');
    const host = startHost({ MXLENS_LOG: logFile });
    await host.handshake();
    host.child.stderr.destroy();
    host.child.stdout.destroy();
    host.send({ type: 'verify', id: 'orphan', addresses: ['a@b.example', 'bad'], options: { level: 'syntax' } });
    host.child.stdin.end();
    expect(await host.exited).toBe(0);
    expect(statSync(logFile).size).toBeLessThan(64 * 1024);
  });

  it('exits 0 when stdin closes halfway through a frame', async () => {
    const host = startHost();
    await host.handshake();
    host.sendRaw(header(100));
    host.sendRaw(Buffer.from('{"type":'));
    expect(await host.close()).toBe(0);
    host.expectCleanStdout();
  });
});

describe('mxlens host: against the test world (dnsmasq + Postfix)', () => {
  let world: World;
  beforeAll(async () => {
    world = await useWorld();
  });
  afterAll(() => world?.stop());
  beforeEach(() => world.resetFakes());

  const worldHost = () => startHost({ MXLENS_DNS: '127.0.0.1:5353', MXLENS_ALLOW_PRIVATE: '1' });

  it('finds alice@acme.test deliverable and nobody@acme.test undeliverable', async () => {
    const host = worldHost();
    await host.handshake();
    host.send({
      type: 'verify',
      id: 'acme',
      addresses: ['alice@acme.test', 'nobody@acme.test'],
      options: { timeoutMs: 5000 },
    });
    expect(await host.reply('acme', 'done', 30_000)).toMatchObject({ count: 2 });
    const byIndex = Object.fromEntries(
      host
        .of('acme')
        .filter((m) => m.type === 'result')
        .map((m) => [m.index, m.result]),
    );
    expect(byIndex[0]).toMatchObject({
      address: 'alice@acme.test',
      verdict: 'deliverable',
      reason: 'mailbox_exists',
      mx: 'mx1.acme.test',
    });
    expect(byIndex[1]).toMatchObject({
      address: 'nobody@acme.test',
      verdict: 'undeliverable',
      reason: 'mailbox_not_found',
      rule: 'no-such-mailbox-text',
    });
    expect(await host.close()).toBe(0);
    host.expectCleanStdout();
  });

  it('answers a greylisted address with when to ask again, and queues no re-check of its own', async () => {
    const host = worldHost();
    await host.handshake();
    host.send({ type: 'verify', id: 'grey', addresses: ['gina@greylist.test'], options: { timeoutMs: 5000 } });
    const first = await host.next((m) => m.id === 'grey' && m.type === 'result', 30_000);
    expect(first.result).toMatchObject({ reason: 'greylisted', verdict: 'unknown', retryAfterMs: expect.any(Number) });
    // Re-checks are the extension's (alarms outlive this process): `done` is the last frame.
    expect(await host.reply('grey', 'done')).toEqual({ type: 'done', id: 'grey', count: 1 });
    expect(await host.close()).toBe(0);
    expect(host.of('grey').map((m) => m.type)).toEqual(['result', 'done']);
    host.expectCleanStdout();
  });
});

describe('mxlens host: progress', () => {
  const SLOW_IP = '127.0.3.7';
  let server: Server;
  let releaseBanner = () => {};
  let releaseRcpt = () => {};
  let sessions = 0;

  /** A mail server that speaks only when the test lets it: the banner, then its first RCPT reply (a greylisting 450). */
  beforeAll(async () => {
    const banner = new Promise<void>((resolve) => (releaseBanner = resolve));
    const rcpt = new Promise<void>((resolve) => (releaseRcpt = resolve));
    server = createServer((socket) => {
      const session = ++sessions;
      let buffered = '';
      void banner.then(() => socket.write('220 slow.test ESMTP\r\n'));
      socket.setEncoding('utf8').on('data', (text: string) => {
        buffered += text;
        for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
          const verb = buffered.slice(0, end).slice(0, 4).toUpperCase();
          buffered = buffered.slice(end + 2);
          if (verb === 'RCPT' && session === 1)
            void rcpt.then(() => socket.write('450 4.7.1 Greylisted, please try again later\r\n'));
          else if (verb === 'QUIT') socket.end('221 bye\r\n');
          else socket.write(verb === 'EHLO' ? '250 slow.test\r\n' : '250 OK\r\n');
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(25, SLOW_IP, resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const stagesOf = (host: HostProcess, id: string) =>
    host
      .of(id)
      .flatMap((m) =>
        m.type === 'progress' ? (m.stages as Array<{ stage: string; host?: string; indexes: number[] }>) : [],
      );

  it('reports connecting, the SMTP dialogue and the greylisting wait, in order, then the result', async () => {
    const host = startHost({ MXLENS_ALLOW_PRIVATE: '1' });
    await host.handshake();
    host.send({
      type: 'verify',
      id: 'slow',
      addresses: [`pat@[${SLOW_IP}]`],
      options: { timeoutMs: 20_000, catchAll: false, greylistWaitMs: 300 },
      progress: true,
    });
    const hasStage = (stage: string) => (m: HostFrame) =>
      m.id === 'slow' && m.type === 'progress' && stagesOf(host, 'slow').some((s) => s.stage === stage);
    await host.next(hasStage('connecting'));
    releaseBanner();
    await host.next(hasStage('smtp'));
    releaseRcpt();
    await host.next(hasStage('greylisted'));
    const result = await host.reply('slow', 'result');
    expect(result.result).toMatchObject({ verdict: 'deliverable', reason: 'mailbox_exists' });
    expect(await host.reply('slow', 'done')).toMatchObject({ count: 1 });

    const stages = stagesOf(host, 'slow');
    expect(stages.slice(0, 3)).toEqual([
      { stage: 'connecting', host: `[${SLOW_IP}]`, indexes: [0] },
      { stage: 'smtp', host: `[${SLOW_IP}]`, indexes: [0] },
      { stage: 'greylisted', host: `[${SLOW_IP}]`, waitMs: expect.any(Number), indexes: [0] },
    ]);
    // Nothing about an address after its result.
    const types = host.of('slow').map((m) => m.type);
    expect(types.slice(types.indexOf('result'))).toEqual(['result', 'done']);
    expect(await host.close()).toBe(0);
    host.expectCleanStdout();
  });

  it('reports the DNS lookup of an address whose DNS does not answer, and sends nothing to a verify that did not ask', async () => {
    const host = startHost();
    await host.handshake();
    host.send({ type: 'verify', id: 'quiet', addresses: ['a@b.example'], options: { timeoutMs: 20_000 } });
    host.send({
      type: 'verify',
      id: 'asks',
      addresses: ['a@b.example', 'c@d.example'],
      options: { timeoutMs: 20_000 },
      progress: true,
    });
    const progress = await host.reply('asks', 'progress');
    expect(progress.stages).toEqual([{ stage: 'dns', indexes: [0, 1] }]);
    host.send({ type: 'cancel', id: 'c1', target: 'quiet' });
    await host.reply('c1', 'cancelled');
    expect(host.of('quiet').map((m) => m.type)).toEqual(['done']);
  });
});
