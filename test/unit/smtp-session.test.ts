import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  openSession,
  SmtpSessionError,
  type SessionOptions,
  type SmtpSession,
} from '../../native-host/src/engine/smtp/session.js';

// Real servers on 127.0.0.1 (ephemeral ports): npm smtp-server for a well-behaved peer,
// raw node:net servers for the odd ones.

const cleanups: Array<() => Promise<void> | void> = [];
let baselineSockets = 0;
/** Server-side connections still open when the test was over (and its sessions closed). */
let leftOpen = 0;

beforeAll(() => {
  baselineSockets = countResources('TCPSocketWrap');
});

afterEach(async () => {
  leftOpen = 0;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  expect(leftOpen, 'connections the client never closed').toBe(0);
});

afterAll(async () => {
  // Both ends of every connection are gone: nothing leaked from the sessions.
  await waitFor(() => countResources('TCPSocketWrap') === baselineSockets);
  expect(countResources('TCPSocketWrap')).toBe(baselineSockets);
});

function countResources(type: string): number {
  return process.getActiveResourcesInfo().filter((t) => t === type).length;
}

async function waitFor(condition: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await sleep(10);
}

// --- servers ---

interface Started {
  port: number;
  connections: net.Socket[];
}

/** Waits for the client side to close every connection, counts those it did not, then stops. */
async function stopServer(server: { close(callback: () => void): unknown }, connections: net.Socket[]): Promise<void> {
  await waitFor(() => connections.every((s) => s.destroyed), 1000);
  leftOpen += connections.filter((s) => !s.destroyed).length;
  for (const socket of connections) socket.destroy();
  await new Promise<void>((resolve) => server.close(resolve));
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

async function startSmtpServer(options: SMTPServerOptions = {}): Promise<Started & { mailArgs: unknown[] }> {
  const mailArgs: unknown[] = [];
  const connections: net.Socket[] = [];
  const server = new SMTPServer({
    disableReverseLookup: true,
    authOptional: true,
    logger: false,
    hideENHANCEDSTATUSCODES: false,
    size: 10_000_000,
    closeTimeout: 50,
    onMailFrom(address, _session, callback) {
      mailArgs.push(address.args);
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('nobody')) {
        return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      }
      callback();
    },
    ...options,
  });
  server.on('error', () => undefined);
  server.server.on('connection', (socket: net.Socket) => connections.push(socket));
  const port = await listen(server.server);
  cleanups.push(() => stopServer(server, connections));
  return { port, connections, mailArgs };
}

/** A raw server; `script` drives each connection, `received` collects the client's lines. */
async function startRawServer(
  script: (socket: net.Socket, lines: AsyncLineReader) => Promise<void> | void,
): Promise<Started & { received: string[] }> {
  const connections: net.Socket[] = [];
  const received: string[] = [];
  const server = net.createServer((socket) => {
    connections.push(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    const reader = new AsyncLineReader(socket, received);
    Promise.resolve(script(socket, reader)).catch(() => socket.destroy());
  });
  const port = await listen(server);
  cleanups.push(() => stopServer(server, connections));
  return { port, connections, received };
}

/** Reads CRLF lines from the client, for raw server scripts. */
class AsyncLineReader {
  private buffer = '';
  private readonly lines: string[] = [];
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(socket: net.Socket, received: string[]) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      let end: number;
      while ((end = this.buffer.indexOf('\r\n')) !== -1) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        received.push(line);
        this.lines.push(line);
      }
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  async next(): Promise<string> {
    while (this.lines.length === 0) {
      if (this.closed) throw new Error('client went away');
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.lines.shift()!;
  }
}

/** A small SOCKS5 server (RFC 1928/1929) that records what it was asked for. */
async function startSocksProxy(mode: 'forward' | 'refuse' | 'silent' = 'forward') {
  const seen: { user: string | null; password: string | null; destination: string | null } = {
    user: null,
    password: null,
    destination: null,
  };
  const proxy = await startRawServer(async (client) => {
    if (mode === 'silent') return;
    const read = byteReader(client);
    const [, methodCount = 0] = await read(2);
    const methods = await read(methodCount);
    const useAuth = methods.includes(2);
    client.write(Buffer.from([5, useAuth ? 2 : 0]));
    if (useAuth) {
      const [, userLength = 0] = await read(2);
      seen.user = (await read(userLength)).toString();
      const [passwordLength = 0] = await read(1);
      seen.password = (await read(passwordLength)).toString();
      client.write(Buffer.from([1, 0]));
    }
    const [, , , addressType] = await read(4);
    if (addressType !== 1) throw new Error('test proxy only takes IPv4 destinations');
    const host = [...(await read(4))].join('.');
    const port = (await read(2)).readUInt16BE(0);
    seen.destination = `${host}:${port}`;
    if (mode === 'refuse') {
      client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])); // 5 = connection refused
      return;
    }
    const upstream = net.connect(port, host, () => {
      client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
      const rest = read.rest();
      if (rest.length > 0) upstream.write(rest);
      client.pipe(upstream).pipe(client);
    });
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  return { port: proxy.port, seen };
}

/** Reads exact byte counts from a socket (for the SOCKS handshake). */
function byteReader(socket: net.Socket) {
  let buffered = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    wake?.();
  };
  socket.on('data', onData);
  const read = async (count: number): Promise<Buffer> => {
    while (buffered.length < count) await new Promise<void>((resolve) => (wake = resolve));
    const bytes = buffered.subarray(0, count);
    buffered = buffered.subarray(count);
    return bytes;
  };
  read.rest = (): Buffer => {
    socket.off('data', onData);
    return buffered;
  };
  return read;
}

const BANNER = '220 mx.raw.test ESMTP\r\n';
const EHLO_PLAIN = '250-mx.raw.test\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n';

/** Banner, EHLO, then `rest` for the remaining dialogue. */
function politeStart(ehlo = EHLO_PLAIN, rest?: (socket: net.Socket, lines: AsyncLineReader) => Promise<void>) {
  return async (socket: net.Socket, lines: AsyncLineReader) => {
    socket.write(BANNER);
    await lines.next();
    socket.write(ehlo);
    if (rest) await rest(socket, lines);
  };
}

// --- client ---

function options(port: number, overrides: Partial<SessionOptions> = {}): SessionOptions {
  return {
    host: '127.0.0.1',
    port,
    mxName: 'mx.example.test',
    heloName: 'client.example.test',
    connectTimeoutMs: 2000,
    replyTimeoutMs: 2000,
    deadline: Date.now() + 10_000,
    startTls: true,
    ...overrides,
  };
}

async function open(port: number, overrides: Partial<SessionOptions> = {}): Promise<SmtpSession> {
  const session = await openSession(options(port, overrides));
  cleanups.push(() => session.close());
  return session;
}

async function failure(promise: Promise<unknown>): Promise<SmtpSessionError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SmtpSessionError);
  return error as SmtpSessionError;
}

// --- tests ---

describe('SmtpSession with smtp-server', () => {
  it('does STARTTLS, re-reads capabilities and reports the certificate as not valid', async () => {
    const server = await startSmtpServer();
    const transcript: string[] = [];
    const session = await open(server.port, { transcript });

    expect(session.banner.code).toBe(220);
    expect(session.tls).toEqual({ used: true, certificateValid: false });
    expect(session.ehloReply.code).toBe(250);
    for (const keyword of ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'SIZE']) {
      expect(session.capabilities.has(keyword), keyword).toBe(true);
    }
    // Capabilities come from the EHLO after TLS, where STARTTLS is no longer offered.
    expect(session.capabilities.has('STARTTLS')).toBe(false);
    expect(session.sizeLimit).toBe(10_000_000);
    expect(transcript.filter((line) => line.startsWith('C: EHLO client.example.test'))).toHaveLength(2);
    expect(transcript).toContain('C: STARTTLS');
    await session.quit();
  });

  it('runs MAIL, pipelined RCPTs with mixed answers, RSET and QUIT', async () => {
    const server = await startSmtpServer();
    const session = await open(server.port);

    expect(await session.mailFrom('probe@sender.test')).toEqual({ code: 250, enhanced: '2.1.0', message: 'Accepted' });
    const replies = await session.rcptTo(['alice@example.test', 'nobody@example.test', 'bob@example.test']);
    expect(replies).toEqual([
      { code: 250, enhanced: '2.1.5', message: 'Accepted' },
      { code: 550, enhanced: '5.1.1', message: 'No such user here' },
      { code: 250, enhanced: '2.1.5', message: 'Accepted' },
    ]);
    expect(await session.reset()).toEqual({ code: 250, enhanced: '2.0.0', message: 'Flushed' });
    await session.quit();
    await waitFor(() => server.connections.every((s) => s.destroyed));
    expect(server.connections.every((s) => s.destroyed)).toBe(true);
  });

  it('reads RCPT replies one by one without PIPELINING, and skips TLS when told to', async () => {
    const server = await startSmtpServer({ hidePIPELINING: true });
    const session = await open(server.port, { startTls: false });
    expect(session.tls).toEqual({ used: false, certificateValid: null });
    expect(session.capabilities.has('PIPELINING')).toBe(false);
    expect(session.capabilities.has('STARTTLS')).toBe(true);
    await session.mailFrom('');
    const replies = await session.rcptTo(['nobody@example.test', 'carol@example.test']);
    expect(replies.map((r) => [r.code, r.enhanced])).toEqual([
      [550, '5.1.1'],
      [250, '2.1.5'],
    ]);
    await session.quit();
  });

  it('stays in plain text when STARTTLS is not offered', async () => {
    const server = await startSmtpServer({ hideSTARTTLS: true });
    const session = await open(server.port);
    expect(session.tls).toEqual({ used: false, certificateValid: null });
    expect(session.capabilities.has('STARTTLS')).toBe(false);
    await session.quit();
  });

  it('adds SMTPUTF8 to MAIL FROM only when asked and advertised', async () => {
    const server = await startSmtpServer();
    const session = await open(server.port, { startTls: false });
    await session.mailFrom('a@sender.test', { smtputf8: true });
    await session.reset();
    await session.mailFrom('a@sender.test');
    expect(server.mailArgs).toEqual([{ SMTPUTF8: true }, false]);
    await session.quit();
  });

  it('refuses arguments that could inject commands, sending nothing', async () => {
    const server = await startSmtpServer();
    const transcript: string[] = [];
    const session = await open(server.port, { startTls: false, transcript });
    const sent = transcript.length;
    await expect(session.mailFrom('a@b.test>\r\nDATA')).rejects.toThrow(TypeError);
    await expect(session.rcptTo(['ok@b.test', 'x@b.test\nRSET'])).rejects.toThrow(TypeError);
    await expect(session.rcptTo(['x\0@b.test'])).rejects.toThrow(TypeError);
    await expect(session.rcptTo(['<x@b.test'])).rejects.toThrow(TypeError);
    await expect(openSession(options(server.port, { heloName: 'me\r\nQUIT' }))).rejects.toThrow(TypeError);
    expect(transcript.length).toBe(sent);
    expect((await session.mailFrom('a@b.test')).code).toBe(250);
    await session.quit();
  });
});

describe('SmtpSession with odd servers', () => {
  it('reads a multi-line banner and EHLO sent one byte at a time', async () => {
    const trickle = async (socket: net.Socket, text: string) => {
      for (const byte of Buffer.from(text)) {
        socket.write(Buffer.from([byte]));
        await sleep(1);
      }
    };
    const server = await startRawServer(async (socket, lines) => {
      await trickle(socket, '220-mx.raw.test ESMTP\r\n220 no spam please\r\n');
      await lines.next();
      await trickle(
        socket,
        '250-mx.raw.test hi\r\n250-PIPELINING\r\n250-SIZE 5000\r\n250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n',
      );
    });
    const session = await open(server.port);
    expect(session.banner).toEqual({ code: 220, enhanced: null, message: 'mx.raw.test ESMTP\nno spam please' });
    expect([...session.capabilities].sort()).toEqual(['ENHANCEDSTATUSCODES', 'PIPELINING', 'SIZE', 'SMTPUTF8']);
    expect(session.sizeLimit).toBe(5000);
    expect(session.ehloReply.message.split('\n')[0]).toBe('mx.raw.test hi');
  });

  it('sends the pipelined RCPTs in one go and maps replies from one packet in order', async () => {
    const server = await startRawServer(
      politeStart('250-mx.raw.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n', async (socket, lines) => {
        await lines.next(); // MAIL
        socket.write('250 2.1.0 Ok\r\n');
        // Answer only once all three RCPTs are in: a client waiting after each would hang.
        for (let i = 0; i < 3; i++) await lines.next();
        socket.write(
          '250 2.1.5 Ok\r\n' +
            '550-5.1.1 <ghost@example.test>: Recipient address rejected:\r\n550 5.1.1 User unknown in virtual mailbox table\r\n' +
            '250 2.1.5 Ok\r\n',
        );
      }),
    );
    const session = await open(server.port, { replyTimeoutMs: 1000 });
    await session.mailFrom('probe@sender.test');
    const replies = await session.rcptTo(['a@example.test', 'ghost@example.test', 'b@example.test']);
    expect(replies).toEqual([
      { code: 250, enhanced: '2.1.5', message: 'Ok' },
      {
        code: 550,
        enhanced: '5.1.1',
        message: '<ghost@example.test>: Recipient address rejected:\nUser unknown in virtual mailbox table',
      },
      { code: 250, enhanced: '2.1.5', message: 'Ok' },
    ]);
    expect(server.received.slice(-3)).toEqual([
      'RCPT TO:<a@example.test>',
      'RCPT TO:<ghost@example.test>',
      'RCPT TO:<b@example.test>',
    ]);
  });

  it.each([
    '500 5.5.1 Unknown command',
    '501 5.5.4 Syntax error',
    '502 5.5.2 Command not recognized',
    '504 5.5.2 Not implemented',
    '550 5.7.1 EHLO not allowed',
  ])('falls back to HELO when EHLO is refused with %s', async (refusal) => {
    const server = await startRawServer(async (socket, lines) => {
      socket.write(BANNER);
      await lines.next();
      socket.write(`${refusal}\r\n`);
      await lines.next();
      socket.write('250 mx.raw.test\r\n');
    });
    const session = await open(server.port);
    expect(server.received).toEqual(['EHLO client.example.test', 'HELO client.example.test']);
    expect(session.ehloReply).toEqual({ code: 250, enhanced: null, message: 'mx.raw.test' });
    expect(session.capabilities.size).toBe(0);
    expect(session.tls.used).toBe(false);
  });

  it('does not fall back to HELO on 421 at EHLO', async () => {
    const server = await startRawServer(async (socket, lines) => {
      socket.write(BANNER);
      await lines.next();
      socket.write('421 4.7.0 mx.raw.test Too many connections, closing\r\n');
      socket.end();
    });
    const error = await failure(openSession(options(server.port)));
    expect(error).toMatchObject({ kind: 'rejected', phase: 'ehlo', reply: { code: 421, enhanced: '4.7.0' } });
    expect(server.received).toEqual(['EHLO client.example.test']);
  });

  it('reports a refused HELO as rejected at helo', async () => {
    const server = await startRawServer(async (socket, lines) => {
      socket.write(BANNER);
      await lines.next();
      socket.write('500 5.5.1 Unknown command\r\n');
      await lines.next();
      socket.write('550 5.7.1 Go away\r\n');
    });
    const error = await failure(openSession(options(server.port)));
    expect(error).toMatchObject({
      kind: 'rejected',
      phase: 'helo',
      reply: { code: 550, enhanced: '5.7.1', message: 'Go away' },
    });
  });

  it.each([
    ['554', '554 5.7.1 Service unavailable; client host blocked using zen.spamhaus.org\r\n', 554, '5.7.1'],
    ['421', '421 mx.raw.test Service not available, closing transmission channel\r\n', 421, null],
  ])('reports %s at the banner as rejected, with the reply', async (_code, banner, code, enhanced) => {
    const server = await startRawServer((socket) => {
      socket.end(banner);
    });
    const error = await failure(openSession(options(server.port)));
    expect(error).toMatchObject({ kind: 'rejected', phase: 'banner', reply: { code, enhanced } });
    expect(server.received).toEqual([]);
  });

  it('reports a garbage banner as a protocol error', async () => {
    const server = await startRawServer((socket) => {
      socket.write('SSH-2.0-OpenSSH_9.6\r\n');
    });
    const error = await failure(openSession(options(server.port)));
    expect(error).toMatchObject({ kind: 'protocol', phase: 'banner', reply: null });
    expect(error.message).toMatch(/malformed/);
  });

  it('gives up on 1 MB without CRLF at once, keeping the transcript short', async () => {
    const server = await startRawServer((socket) => {
      socket.write(Buffer.alloc(1024 * 1024, 0x41));
    });
    const transcript: string[] = [];
    const error = await failure(openSession(options(server.port, { transcript })));
    expect(error).toMatchObject({ kind: 'protocol', phase: 'banner' });
    expect(error.message).toMatch(/line too long/);
    expect(transcript.join('\n').length).toBeLessThan(1000);
  });

  it('times out on a silent server at replyTimeoutMs', async () => {
    const server = await startRawServer(() => undefined);
    const started = Date.now();
    const error = await failure(openSession(options(server.port, { replyTimeoutMs: 300 })));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ kind: 'timeout', phase: 'banner', reply: null });
    expect(error.message).toMatch(/300 ms/);
    // It waited the reply timeout (how soon it gave up after it is a speed, for the bench).
    expect(elapsed).toBeGreaterThanOrEqual(290);
  });

  it('times out per reply (EHLO unanswered)', async () => {
    const server = await startRawServer((socket) => {
      socket.write(BANNER);
    });
    const error = await failure(openSession(options(server.port, { replyTimeoutMs: 300 })));
    expect(error).toMatchObject({ kind: 'timeout', phase: 'ehlo' });
  });

  it('fails with timeout at the deadline when it comes before the reply timeout', async () => {
    const server = await startRawServer(
      politeStart(EHLO_PLAIN, async (_socket, lines) => {
        await lines.next(); // MAIL: never answered
      }),
    );
    const session = await open(server.port, { replyTimeoutMs: 5000, deadline: Date.now() + 400 });
    const error = await failure(session.mailFrom('a@sender.test'));
    // The deadline ended the wait, not the 5 s reply timeout.
    expect(error).toMatchObject({ kind: 'timeout', phase: 'mail' });
    expect(error.message).toMatch(/deadline/);
    // The session is over: later calls fail the same way, at once.
    expect(await failure(session.reset())).toMatchObject({ kind: 'timeout', phase: 'mail' });
  });

  it('fails at once when the deadline has passed, and setDeadline moves it', async () => {
    const server = await startRawServer(
      politeStart(EHLO_PLAIN, async (socket, lines) => {
        await lines.next();
        socket.write('250 2.1.0 Ok\r\n');
      }),
    );
    const session = await open(server.port, { deadline: Date.now() + 300 });
    await sleep(350);
    session.setDeadline(Date.now() + 2000);
    expect(await session.mailFrom('a@sender.test')).toMatchObject({ code: 250, enhanced: '2.1.0' });
    session.setDeadline(Date.now() - 1);
    expect(await failure(session.rcptTo(['x@example.test']))).toMatchObject({ kind: 'timeout', phase: 'rcpt' });
  });

  it('reports a connection closed in the middle of a reply', async () => {
    const server = await startRawServer(async (socket, lines) => {
      socket.write(BANNER);
      await lines.next();
      socket.end('250-mx.raw.test\r\n250-PIPEL');
    });
    const error = await failure(openSession(options(server.port)));
    expect(error).toMatchObject({ kind: 'connection', phase: 'ehlo' });
    expect(error.message).toMatch(/middle of a reply/);
  });

  it('reports a connection closed while a command waits', async () => {
    const server = await startRawServer(
      politeStart(EHLO_PLAIN, async (socket, lines) => {
        await lines.next();
        socket.destroy();
      }),
    );
    const session = await open(server.port);
    expect(await failure(session.mailFrom('a@sender.test'))).toMatchObject({ kind: 'connection', phase: 'mail' });
  });

  it('reports a reply nobody asked for as a connection error, with the reply', async () => {
    const server = await startRawServer(
      politeStart(EHLO_PLAIN, async (socket) => {
        socket.write('421 4.4.2 mx.raw.test Error: timeout exceeded\r\n');
      }),
    );
    const session = await open(server.port);
    await sleep(50);
    const error = await failure(session.mailFrom('a@sender.test'));
    expect(error).toMatchObject({ kind: 'connection', phase: 'mail', reply: { code: 421, enhanced: '4.4.2' } });
  });

  it('reports a refused connection', async () => {
    const closed = net.createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(openSession(options(port)));
    expect(error).toMatchObject({ kind: 'connection', phase: 'connect', reply: null });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('stops at once when the signal aborts', async () => {
    const server = await startRawServer(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    // The silent server never sends a banner: the abort ends the wait (kind aborted), not the 2 s reply timeout.
    const error = await failure(openSession(options(server.port, { signal: controller.signal })));
    expect(error).toMatchObject({ kind: 'aborted', phase: 'banner' });

    const early = await failure(openSession(options(server.port, { signal: AbortSignal.abort() })));
    expect(early).toMatchObject({ kind: 'aborted', phase: 'connect' });
  });

  it('goes on in plain text when STARTTLS is declined with 454', async () => {
    const server = await startRawServer(
      politeStart('250-mx.raw.test\r\n250 STARTTLS\r\n', async (socket, lines) => {
        await lines.next();
        socket.write('454 4.7.0 TLS not available due to local problem\r\n');
      }),
    );
    const session = await open(server.port);
    expect(session.tls).toEqual({ used: false, certificateValid: null });
    expect(server.received).toEqual(['EHLO client.example.test', 'STARTTLS']);
  });

  it('reports a broken TLS handshake as kind tls', async () => {
    const server = await startRawServer(
      politeStart('250-mx.raw.test\r\n250 STARTTLS\r\n', async (socket, lines) => {
        await lines.next();
        socket.write('220 2.0.0 Ready to start TLS\r\n');
        await sleep(20);
        socket.end('this is not a TLS server hello\r\n');
      }),
    );
    const error = await failure(openSession(options(server.port)));
    expect(error).toMatchObject({ kind: 'tls', phase: 'starttls', reply: null });
  });

  it('leaves no timer behind, however the session ends', async () => {
    const closing = await startRawServer((socket) => {
      setTimeout(() => socket.destroy(), 30);
    });
    const polite = await startRawServer(
      politeStart(EHLO_PLAIN, async (socket, lines) => {
        await lines.next(); // QUIT
        socket.end('221 2.0.0 Bye\r\n');
      }),
    );
    let accepted = (): void => undefined;
    const silentAccepted = new Promise<void>((resolve) => (accepted = resolve));
    const silent = await startRawServer(() => accepted());
    await sleep(200); // let earlier tests' servers drop their own timers
    const timersBefore = countResources('Timeout');

    // Each ends while a 10 s reply timer is pending: that timer must go with the session.
    const long = { replyTimeoutMs: 10_000 };
    expect(await failure(openSession(options(closing.port, long)))).toMatchObject({ kind: 'connection' });
    const controller = new AbortController();
    const aborted = openSession(options(silent.port, { ...long, signal: controller.signal }));
    await silentAccepted; // connected: the session now waits for a banner
    controller.abort();
    expect(await failure(aborted)).toMatchObject({ kind: 'aborted' });
    const session = await openSession(options(polite.port, long));
    await session.quit();

    expect(countResources('Timeout')).toBe(timersBefore);
  });
});

describe('SmtpSession through a SOCKS5 proxy', () => {
  it('reaches the server through the proxy, passing the IP and the credentials', async () => {
    const server = await startSmtpServer({ hideSTARTTLS: true });
    const proxy = await startSocksProxy();
    const session = await open(server.port, {
      proxy: { host: '127.0.0.1', port: proxy.port, userId: 'mx', password: 'lens' },
    });
    expect(proxy.seen).toEqual({ user: 'mx', password: 'lens', destination: `127.0.0.1:${server.port}` });
    expect(session.banner.code).toBe(220);
    expect(await session.mailFrom('a@sender.test')).toMatchObject({ code: 250, enhanced: '2.1.0' });
    await session.quit();
  });

  it('does STARTTLS through the proxy', async () => {
    const server = await startSmtpServer();
    const proxy = await startSocksProxy();
    const session = await open(server.port, { proxy: { host: '127.0.0.1', port: proxy.port } });
    expect(proxy.seen.user).toBeNull();
    expect(session.tls).toEqual({ used: true, certificateValid: false });
    await session.quit();
  });

  it('reports a proxy that cannot reach the server as a connection failure', async () => {
    const proxy = await startSocksProxy('refuse');
    const error = await failure(openSession(options(2525, { proxy: { host: '127.0.0.1', port: proxy.port } })));
    expect(error).toMatchObject({ kind: 'connection', phase: 'connect', reply: null });
  });

  it('times out on a silent proxy at connectTimeoutMs', async () => {
    const proxy = await startSocksProxy('silent');
    const error = await failure(
      openSession(options(2525, { connectTimeoutMs: 300, proxy: { host: '127.0.0.1', port: proxy.port } })),
    );
    expect(error).toMatchObject({ kind: 'timeout', phase: 'connect' });
  });
});

describe('SmtpSession reply accounting', () => {
  const PIPELINING = '250-mx.raw.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n';
  const group = (session: SmtpSession, rcpts: string[]) =>
    session.exchange([
      session.mailCommand(''),
      ...rcpts.map((r) => ({ line: `RCPT TO:<${r}>`, phase: 'rcpt' as const, verb: 'rcpt' as const })),
      { line: 'RSET', phase: 'mail' as const, verb: 'rset' as const },
    ]);

  it('keeps every reply received before the server hangs up mid-group', async () => {
    const server = await startRawServer(
      politeStart(PIPELINING, async (socket, lines) => {
        for (let i = 0; i < 5; i++) await lines.next();
        socket.end(
          '250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <b@x.test>: User unknown\r\n421 4.7.0 mx.raw.test Error: too many errors\r\n',
        );
      }),
    );
    const session = await open(server.port);
    const done = await group(session, ['a@x.test', 'b@x.test', 'c@x.test']);
    expect(done.replies.map((r) => r?.code ?? null)).toEqual([250, 250, 550, 421, null]);
    expect(done.failure).toMatchObject({ kind: 'connection' });
    expect(done.desync).toBe(false);
  });

  it.each([
    ['an extra reply after the last one', '250 2.1.0 Ok\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n'],
    ['a second 220 greeting', '220 mx.raw.test ESMTP\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n'],
    ['a code that cannot answer RCPT', '250 2.1.0 Ok\r\n354 go ahead\r\n250 2.0.0 Ok\r\n'],
    ["MAIL's reply where RCPT's belongs", '250 2.1.0 Ok\r\n250 2.1.0 Ok\r\n250 2.0.0 Ok\r\n'],
  ])('marks the group desynced on %s', async (_what, replies) => {
    const server = await startRawServer(
      politeStart(PIPELINING, async (socket, lines) => {
        for (let i = 0; i < 3; i++) await lines.next();
        socket.write(replies);
      }),
    );
    const session = await open(server.port);
    const done = await group(session, ['a@x.test']);
    expect(done.desync).toBe(true);
    expect(session.alive).toBe(false);
  });

  it('marks a reply that comes before its command as desynced, one command at a time', async () => {
    const server = await startRawServer(
      politeStart(EHLO_PLAIN, async (socket, lines) => {
        await lines.next(); // MAIL
        socket.write('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n'); // the RCPT reply comes first
      }),
    );
    const session = await open(server.port);
    const done = await group(session, ['a@x.test']);
    expect(done.desync).toBe(true);
    expect(server.received.filter((l) => l.startsWith('RCPT'))).toEqual([]);
  });

  it('sends one command at a time when told to, even with PIPELINING', async () => {
    const server = await startRawServer(
      politeStart(PIPELINING, async (socket, lines) => {
        for (const answer of ['250 2.1.0 Ok', '250 2.1.5 Ok', '250 2.0.0 Ok']) {
          await lines.next();
          socket.write(`${answer}\r\n`);
        }
      }),
    );
    const session = await open(server.port);
    const done = await session.exchange(
      [
        session.mailCommand(''),
        { line: 'RCPT TO:<a@x.test>', phase: 'rcpt', verb: 'rcpt' },
        { line: 'RSET', phase: 'mail', verb: 'rset' },
      ],
      { lockstep: true },
    );
    expect(done.replies.map((r) => r?.code)).toEqual([250, 250, 250]);
    expect(done.desync).toBe(false);
  });

  it('says QUIT before dropping a session that timed out', async () => {
    const server = await startRawServer(
      politeStart(EHLO_PLAIN, async (_socket, lines) => {
        await lines.next(); // MAIL: never answered
        await lines.next().catch(() => undefined);
      }),
    );
    const session = await open(server.port, { replyTimeoutMs: 200 });
    await failure(session.mailFrom(''));
    await waitFor(() => server.received.includes('QUIT'));
    expect(server.received.slice(-2)).toEqual(['MAIL FROM:<>', 'QUIT']);
  });

  it('says QUIT on close without waiting for the reply', async () => {
    const server = await startRawServer(
      politeStart(EHLO_PLAIN, async (socket, lines) => {
        await lines.next();
        socket.end('221 2.0.0 Bye\r\n');
      }),
    );
    const session = await open(server.port);
    session.close();
    expect(session.alive).toBe(false);
    await waitFor(() => server.received.includes('QUIT'));
    expect(server.received).toContain('QUIT');
  });
});
