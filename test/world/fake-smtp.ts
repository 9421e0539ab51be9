// Programmable fake mail servers for the test world.
//
// Two families:
//  - startFakeSmtp(): a real SMTP server (npm smtp-server) whose RCPT answers are programmable
//    (catch-all, known mailboxes, greylisting, blocklist, recipient limit, STARTTLS required);
//  - startRawFake() (also reached through startFakeSmtp): a few lines of node:net for what
//    smtp-server cannot do (tarpit, garbage, banner rejection, EHLO refused, multi-line replies
//    written one byte at a time).
// Every fake records each connection and every command line it received, so tests can assert
// how the verifier behaved (e.g. "one connection, one MAIL FROM, three RCPT TO").

import net from 'node:net';
import tls from 'node:tls';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

/** How a fake answers. Addresses are compared case-insensitively. */
export type FakeBehaviour =
  // --- smtp-server based ---
  /** Accepts every RCPT TO. */
  | { kind: 'catch-all' }
  /** Accepts the listed mailboxes, `550 5.1.1` for anything else (empty list: accepts nobody). */
  | { kind: 'mailboxes'; mailboxes: string[] }
  /** First RCPT for a recipient gets `450 4.7.1 Greylisted`; it is accepted (if it is a known
   *  mailbox, or always when `mailboxes` is omitted) once `delayMs` has passed since that first try. */
  | { kind: 'greylist'; delayMs: number; mailboxes?: string[] }
  /** Spamhaus-style `554 5.7.1 ... blocked using zen.spamhaus.org` at every RCPT TO. */
  | { kind: 'blocklisted' }
  /** `452 4.5.3 Too many recipients` once a transaction already holds `perTransaction` recipients. */
  | { kind: 'recipient-limit'; perTransaction: number; mailboxes?: string[] }
  /** `530 5.7.0 Must issue a STARTTLS command first` at MAIL FROM / RCPT TO until TLS is up. */
  | { kind: 'starttls-required'; mailboxes?: string[] }
  // --- raw node:net based ---
  /** Accepts the TCP connection and never writes a byte. */
  | { kind: 'tarpit' }
  /** `text`: answers `hello world` to the connection and to every line;
   *  `endless-line`: sends 1 MiB without any CRLF, then stays silent. */
  | { kind: 'garbage'; variant: 'text' | 'endless-line' }
  /** Sends `<code> ...` as the banner (554 or 421), then closes the connection. */
  | { kind: 'banner-reject'; code: 421 | 554 }
  /** `500 5.5.1` to EHLO, HELO works; then like `mailboxes`. */
  | { kind: 'ehlo-refused'; mailboxes: string[] }
  /** Every reply is multi-line and written one byte per write; then like `mailboxes`. */
  | { kind: 'multiline'; mailboxes: string[]; byteDelayMs?: number }
  /** A Postfix-like server (raw node:net) with the knobs of real ones; see StrictMta. */
  | ({ kind: 'strict-mta' } & StrictMta);

/**
 * What real servers do to a verifier, one knob each. Replies to pipelined commands are
 * buffered and written together when the read is done, as Postfix does.
 */
interface StrictMta {
  /** Accepted; everything else gets `550 5.1.1 ... User unknown`. */
  mailboxes: string[];
  /** PIPELINING offered (default true). */
  pipelining?: boolean;
  /** STARTTLS offered (needs the fake's tls option). */
  starttls?: boolean;
  /** Postfix smtpd_soft_error_limit: from this many errors on, every reply waits errorSleepMs. */
  softErrorLimit?: number;
  /** Postfix smtpd_error_sleep_time. */
  errorSleepMs?: number;
  /** Postfix smtpd_hard_error_limit: at this many errors, `421 4.7.0 Error: too many errors`, hang up. */
  hardErrorLimit?: number;
  /** The replies to each read wait this long (a far-away server: one round trip each). */
  replyDelayMs?: number;
  /** `452 4.5.3` to RCPTs once a transaction holds this many. */
  recipientLimit?: number;
  /** Client addresses refused Spamhaus-style (`554 5.7.1 ... blocked`) at every RCPT TO. */
  blockedClients?: string[];
  /** After `afterRcpts` RCPT replies in a session, end it mid-batch, in the first `sessions` sessions (default all). */
  cut?: { afterRcpts: number; how: '421' | 'reset' | 'close' | 'silence' | 'tls-garbage'; sessions?: number };
  /** Replies that cannot be matched to commands. */
  mismatch?: 'double-mail' | 'early-reply' | 'second-greeting' | 'extra-when-pipelined' | 'wrong-code';
}

export interface FakeSession {
  /** 1-based within this fake. */
  readonly id: number;
  readonly remoteAddress: string;
  readonly startedAt: number;
  closedAt?: number;
  /** When QUIT arrived: the client's end of the session (its socket closes a moment later). */
  quitAt?: number;
  /** Every command line received, in order, without CRLF (post-STARTTLS ones included). */
  readonly commands: string[];
  /** Addresses (without angle brackets) of each MAIL FROM / RCPT TO command received. */
  readonly mailFrom: string[];
  readonly rcptTo: string[];
  /** Whether STARTTLS completed. */
  tls: boolean;
  /** Raw bytes received (before TLS). */
  bytesReceived: number;
}

export interface FakeSmtp {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly behaviour: FakeBehaviour;
  /** One entry per SMTP session (smtp-server) or TCP connection (raw fakes). */
  readonly sessions: readonly FakeSession[];
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** All commands of all sessions, in order. */
  commands(): string[];
  /** Forget recorded sessions and state (greylist memory). */
  reset(): void;
  stop(): Promise<void>;
}

export interface FakeSmtpOptions {
  /** Name used in banners, e.g. `mx.catchall.test`. */
  name?: string;
  host: string;
  port?: number;
  behaviour: FakeBehaviour;
  /** PEM key/cert offered with STARTTLS (smtp-server fakes). Without it STARTTLS is hidden,
   *  except for `starttls-required`, which then falls back to smtp-server's built-in cert. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

const RAW_KINDS = new Set<FakeBehaviour['kind']>(['tarpit', 'garbage', 'banner-reject', 'ehlo-refused', 'multiline']);

export async function startFakeSmtp(options: FakeSmtpOptions): Promise<FakeSmtp> {
  if (options.behaviour.kind === 'strict-mta') return startStrictMta(options, options.behaviour);
  return RAW_KINDS.has(options.behaviour.kind) ? startRawFake(options) : startLibraryFake(options);
}

// ---------------------------------------------------------------------------------------------
// Recording helpers

class Recorder {
  sessions: FakeSession[] = [];
  connections = 0;
  private nextId = 1;

  open(remoteAddress: string): FakeSession {
    const session: FakeSession = {
      id: this.nextId++,
      remoteAddress,
      startedAt: Date.now(),
      commands: [],
      mailFrom: [],
      rcptTo: [],
      tls: false,
      bytesReceived: 0,
    };
    this.sessions.push(session);
    return session;
  }

  static command(session: FakeSession, line: string): void {
    session.commands.push(line);
    if (/^QUIT\b/i.test(line)) session.quitAt = Date.now();
    const mail = /^MAIL FROM:\s*<([^>]*)>/i.exec(line);
    if (mail) session.mailFrom.push(mail[1] ?? '');
    const rcpt = /^RCPT TO:\s*<([^>]*)>/i.exec(line);
    if (rcpt) session.rcptTo.push(rcpt[1] ?? '');
  }

  reset(): void {
    this.sessions = [];
    this.connections = 0;
    this.nextId = 1;
  }
}

function handle(
  options: FakeSmtpOptions,
  port: number,
  recorder: Recorder,
  resetState: () => void,
  stop: () => Promise<void>,
): FakeSmtp {
  return {
    name: options.name ?? options.host,
    host: options.host,
    port,
    behaviour: options.behaviour,
    get sessions() {
      return recorder.sessions;
    },
    get connections() {
      return recorder.connections;
    },
    commands: () => recorder.sessions.flatMap((s) => s.commands),
    reset() {
      recorder.reset();
      resetState();
    },
    stop,
  };
}

function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function normalise(address: string): string {
  return address.trim().toLowerCase();
}

function knows(mailboxes: string[] | undefined, address: string): boolean {
  return mailboxes === undefined || mailboxes.map(normalise).includes(normalise(address));
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

const userUnknown = (address: string) => smtpError(550, `5.1.1 <${address}>: Recipient address rejected: User unknown`);

// ---------------------------------------------------------------------------------------------
// smtp-server based fakes

async function startLibraryFake(options: FakeSmtpOptions): Promise<FakeSmtp> {
  const { behaviour } = options;
  const name = options.name ?? options.host;
  const recorder = new Recorder();
  const byCid = new Map<string, FakeSession>();
  const greylistFirstSeen = new Map<string, number>();
  const sockets = new Set<net.Socket>();

  const sessionFor = (cid: string, remoteAddress = ''): FakeSession => {
    let session = byCid.get(cid);
    if (!session) {
      session = recorder.open(remoteAddress);
      byCid.set(cid, session);
    }
    return session;
  };

  const noop = () => undefined;
  const logger = {
    trace: noop,
    info: noop,
    warn: noop,
    error: noop,
    fatal: noop,
    // smtp-server logs every received command line at debug level with tnx 'command'.
    debug(entry: { tnx?: string; cid?: string }, _message: unknown, line?: unknown) {
      if (entry?.tnx === 'command' && entry.cid && typeof line === 'string') {
        Recorder.command(sessionFor(entry.cid), line);
      }
    },
  };

  const requireTls = behaviour.kind === 'starttls-required';
  const checkRecipient = (address: string, session: SMTPServerSession): Error | null => {
    switch (behaviour.kind) {
      case 'catch-all':
        return null;
      case 'mailboxes':
        return knows(behaviour.mailboxes, address) ? null : userUnknown(address);
      case 'greylist': {
        const key = normalise(address);
        const first = greylistFirstSeen.get(key);
        const now = Date.now();
        if (first === undefined) greylistFirstSeen.set(key, now);
        if (first === undefined || now - first < behaviour.delayMs) {
          const seconds = Math.ceil(behaviour.delayMs / 1000);
          return smtpError(450, `4.7.1 Greylisted, try again in ${seconds} seconds`);
        }
        return knows(behaviour.mailboxes, address) ? null : userUnknown(address);
      }
      case 'blocklisted': {
        const ip = session.remoteAddress;
        return smtpError(
          554,
          `5.7.1 Service unavailable; Client host [${ip}] blocked using zen.spamhaus.org; ` +
            `https://www.spamhaus.org/query/ip/${ip}`,
        );
      }
      case 'recipient-limit':
        if (session.envelope.rcptTo.length >= behaviour.perTransaction) {
          return smtpError(452, '4.5.3 Error: too many recipients');
        }
        return knows(behaviour.mailboxes, address) ? null : userUnknown(address);
      case 'starttls-required':
        return knows(behaviour.mailboxes, address) ? null : userUnknown(address);
      default:
        throw new Error(`not an smtp-server behaviour: ${behaviour.kind}`);
    }
  };

  const server = new SMTPServer({
    name,
    banner: `ESMTP fake (${behaviour.kind})`,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ['AUTH'],
    hideSTARTTLS: !options.tls && !requireTls,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    logger: logger as never,
    closeTimeout: 100,
    onConnect(session, callback) {
      sessionFor(session.id, session.remoteAddress);
      callback();
    },
    onSecure(_socket, session, callback) {
      sessionFor(session.id, session.remoteAddress).tls = true;
      callback();
    },
    onMailFrom(_address: SMTPServerAddress, session, callback) {
      if (requireTls && !session.secure) {
        return callback(smtpError(530, '5.7.0 Must issue a STARTTLS command first'));
      }
      callback();
    },
    onRcptTo(address: SMTPServerAddress, session, callback) {
      if (requireTls && !session.secure) {
        return callback(smtpError(530, '5.7.0 Must issue a STARTTLS command first'));
      }
      callback(checkRecipient(address.address, session) ?? undefined);
    },
    onData(stream, _session, callback) {
      // The test world never delivers anything.
      stream.resume();
      stream.on('end', () => callback(smtpError(554, '5.7.1 No delivery in the test world')));
    },
    onClose(session) {
      const recorded = byCid.get(session.id);
      if (recorded) recorded.closedAt = Date.now();
    },
  });
  server.on('error', noop);
  // Count raw TCP connections and keep them, so stop() never waits for a client.
  server.server.on('connection', (socket: net.Socket) => {
    recorder.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const port = await listen(server.server, options.host, options.port ?? 25);

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });

  return handle(
    options,
    port,
    recorder,
    () => {
      byCid.clear();
      greylistFirstSeen.clear();
    },
    stop,
  );
}

// ---------------------------------------------------------------------------------------------
// Raw node:net fakes

const MAX_LINE = 64 * 1024;

async function startRawFake(options: FakeSmtpOptions): Promise<FakeSmtp> {
  const { behaviour } = options;
  const name = options.name ?? options.host;
  const recorder = new Recorder();
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    recorder.connections++;
    sockets.add(socket);
    const session = recorder.open(socket.remoteAddress ?? '');
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      session.closedAt = Date.now();
      sockets.delete(socket);
    });

    // Serialised writer: replies go out in order, optionally one byte per write.
    let queue: Promise<void> = Promise.resolve();
    const byteDelay = behaviour.kind === 'multiline' ? (behaviour.byteDelayMs ?? 1) : -1;
    const send = (text: string, then?: () => void) => {
      queue = queue.then(async () => {
        if (socket.destroyed) return;
        if (byteDelay < 0) {
          socket.write(text);
        } else {
          const bytes = Buffer.from(text);
          for (let i = 0; i < bytes.length && !socket.destroyed; i++) {
            socket.write(bytes.subarray(i, i + 1));
            await new Promise((r) => setTimeout(r, byteDelay));
          }
        }
        then?.();
      });
    };

    const dialogue = rawDialogue(behaviour, name, send, () => queue.then(() => socket.end()));
    dialogue.greet();

    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      session.bytesReceived += chunk.length;
      buffer += chunk.toString('latin1');
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        Recorder.command(session, line);
        dialogue.line(line);
      }
      if (buffer.length > MAX_LINE) buffer = buffer.slice(-MAX_LINE);
    });
  });
  server.on('error', () => undefined);

  const port = await listen(server, options.host, options.port ?? 25);
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return handle(options, port, recorder, () => undefined, stop);
}

/** Formats one SMTP reply; `multi` spreads the text over several lines. */
function reply(code: number, lines: string[]): string {
  return lines.map((text, i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${text}\r\n`).join('');
}

interface Dialogue {
  greet(): void;
  line(line: string): void;
}

function rawDialogue(
  behaviour: FakeBehaviour,
  name: string,
  send: (text: string) => void,
  close: () => void,
): Dialogue {
  switch (behaviour.kind) {
    case 'tarpit':
      return { greet: () => undefined, line: () => undefined };
    case 'garbage':
      if (behaviour.variant === 'endless-line') {
        return { greet: () => send('x'.repeat(1024 * 1024)), line: () => undefined };
      }
      return { greet: () => send('hello world\r\n'), line: () => send('hello world\r\n') };
    case 'banner-reject':
      return {
        greet() {
          send(
            behaviour.code === 421
              ? reply(421, [`4.3.2 ${name} Service not available, too busy, try again later`])
              : reply(554, [`5.3.2 ${name} No SMTP service here`]),
          );
          close();
        },
        line: () => undefined,
      };
    case 'ehlo-refused':
    case 'multiline':
      return miniSmtp(behaviour, name, send, close);
    default:
      throw new Error(`not a raw behaviour: ${behaviour.kind}`);
  }
}

/** A small, strict-enough SMTP server for the EHLO-refused and multi-line fakes. */
function miniSmtp(
  behaviour: Extract<FakeBehaviour, { kind: 'ehlo-refused' | 'multiline' }>,
  name: string,
  send: (text: string) => void,
  close: () => void,
): Dialogue {
  const multi = behaviour.kind === 'multiline';
  // In multi-line mode every reply gets an extra leading line.
  const answer = (code: number, text: string, extra = 'multi-line reply follows') =>
    send(reply(code, multi ? [extra, text] : [text]));
  let greeted = false;
  let mailFrom: string | null = null;
  let recipients = 0;
  let closed = false;

  return {
    greet() {
      if (multi) {
        send(
          reply(220, [
            `${name} ESMTP fake (multiline)`,
            'every reply here has several lines',
            'and arrives one byte at a time',
          ]),
        );
      } else {
        send(reply(220, [`${name} ESMTP fake (EHLO refused)`]));
      }
    },
    line(line) {
      if (closed) return;
      const verb = (line.split(/[\s:]/, 1)[0] ?? '').toUpperCase();
      const arg = line.slice(verb.length).trim();
      switch (verb) {
        case 'EHLO':
          if (!multi) return answer(500, '5.5.1 Error: command not recognized');
          greeted = true;
          mailFrom = null;
          return send(reply(250, [name, 'PIPELINING', 'SIZE 10240000', '8BITMIME', 'ENHANCEDSTATUSCODES']));
        case 'HELO':
          if (!arg) return answer(501, '5.5.4 Syntax: HELO hostname');
          greeted = true;
          mailFrom = null;
          return answer(250, name, `${name} says hello`);
        case 'MAIL': {
          if (!greeted) return answer(503, '5.5.1 Error: send HELO/EHLO first');
          if (mailFrom !== null) return answer(503, '5.5.1 Error: nested MAIL command');
          const m = /^FROM:\s*<([^>]*)>/i.exec(arg);
          if (!m) return answer(501, '5.5.4 Syntax: MAIL FROM:<address>');
          mailFrom = m[1] ?? '';
          recipients = 0;
          return answer(250, '2.1.0 Ok', '2.1.0 sender accepted');
        }
        case 'RCPT': {
          if (mailFrom === null) return answer(503, '5.5.1 Error: need MAIL command');
          const m = /^TO:\s*<([^>]*)>/i.exec(arg);
          if (!m) return answer(501, '5.5.4 Syntax: RCPT TO:<address>');
          const address = m[1] ?? '';
          if (knows(behaviour.mailboxes, address)) {
            recipients++;
            return answer(250, '2.1.5 Ok', `2.1.5 <${address}> mailbox exists`);
          }
          return answer(
            550,
            `5.1.1 <${address}>: Recipient address rejected: User unknown`,
            '5.1.1 no such mailbox here',
          );
        }
        case 'DATA':
          if (recipients === 0) return answer(554, '5.5.1 Error: no valid recipients');
          return answer(554, '5.7.1 No delivery in the test world');
        case 'RSET':
          mailFrom = null;
          recipients = 0;
          return answer(250, '2.0.0 Ok');
        case 'NOOP':
          return answer(250, '2.0.0 Ok');
        case 'VRFY':
          return answer(252, '2.0.0 Cannot VRFY user');
        case 'QUIT':
          closed = true;
          answer(221, '2.0.0 Bye', '2.0.0 closing connection');
          return close();
        default:
          return answer(502, '5.5.2 Error: command not recognized');
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// strict-mta: a Postfix-like server with the limits and failures of real ones

async function startStrictMta(options: FakeSmtpOptions, mta: StrictMta): Promise<FakeSmtp> {
  const name = options.name ?? options.host;
  const recorder = new Recorder();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    recorder.connections++;
    sockets.add(socket);
    socket.setNoDelay(true);
    const session = recorder.open(socket.remoteAddress ?? '');
    socket.on('close', () => {
      session.closedAt = Date.now();
      sockets.delete(socket);
    });
    socket.on('error', () => undefined);
    strictMtaConnection(socket, session, name, mta, options.tls);
  });
  server.on('error', () => undefined);
  const port = await listen(server, options.host, options.port ?? 25);
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return handle(options, port, recorder, () => undefined, stop);
}

function strictMtaConnection(
  raw: net.Socket,
  session: FakeSession,
  name: string,
  mta: StrictMta,
  tlsFiles: FakeSmtpOptions['tls'],
): void {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let io: net.Socket = raw;
  let out = '';
  let work = Promise.resolve();
  let errors = 0;
  let rcptReplies = 0;
  let transactionRcpts = 0;
  let mailFrom: string | null = null;
  let greeted = false;
  let over = false;
  const flush = () => {
    if (out && !io.destroyed) io.write(out);
    out = '';
  };
  const cutThisSession = mta.cut && session.id <= (mta.cut.sessions ?? Number.POSITIVE_INFINITY);

  /** Queues one reply the way Postfix does: sleep first once errors pile up, then write. */
  const reply = async (code: number, text: string) => {
    const sleepy = mta.softErrorLimit !== undefined && errors >= mta.softErrorLimit && (mta.errorSleepMs ?? 0) > 0;
    if (sleepy) await sleep(mta.errorSleepMs!);
    out += `${code} ${text}\r\n`;
    if (sleepy) flush();
    if (code >= 400) errors++;
  };

  const hangUp = (how: 'close' | 'reset') => {
    over = true;
    flush();
    if (how === 'reset') raw.resetAndDestroy();
    else io.end();
  };

  const command = async (line: string, pipelinedWithOthers: boolean) => {
    if (over) return;
    if (mta.hardErrorLimit !== undefined && errors >= mta.hardErrorLimit) {
      out += `421 4.7.0 ${name} Error: too many errors\r\n`;
      return hangUp('close');
    }
    const verb = (line.split(/[\s:]/, 1)[0] ?? '').toUpperCase();
    const arg = line.slice(verb.length).trim();
    switch (verb) {
      case 'EHLO': {
        greeted = true;
        const keywords = [
          name,
          ...(mta.pipelining === false ? [] : ['PIPELINING']),
          'SIZE 10240000',
          ...(mta.starttls && tlsFiles && io === raw ? ['STARTTLS'] : []),
          'ENHANCEDSTATUSCODES',
          '8BITMIME',
        ];
        out += keywords.map((k, i) => `250${i === keywords.length - 1 ? ' ' : '-'}${k}\r\n`).join('');
        if (mta.mismatch === 'early-reply') out += '250 2.0.0 Ok\r\n';
        return;
      }
      case 'HELO':
        greeted = true;
        return reply(250, name);
      case 'STARTTLS': {
        if (!tlsFiles || io !== raw) return reply(502, '5.5.1 Error: command not implemented');
        out += '220 2.0.0 Ready to start TLS\r\n';
        flush();
        raw.removeAllListeners('data');
        const secure = new tls.TLSSocket(raw, { isServer: true, key: tlsFiles.key, cert: tlsFiles.cert });
        secure.on('error', () => raw.destroy());
        secure.on('secure', () => (session.tls = true));
        io = secure;
        listen(secure);
        greeted = false;
        return;
      }
      case 'MAIL': {
        if (!greeted) return reply(503, '5.5.1 Error: send HELO/EHLO first');
        if (mailFrom !== null) return reply(503, '5.5.1 Error: nested MAIL command');
        mailFrom = /^FROM:\s*<([^>]*)>/i.exec(arg)?.[1] ?? '';
        transactionRcpts = 0;
        await reply(250, '2.1.0 Ok');
        if (mta.mismatch === 'double-mail') await reply(250, '2.1.0 Ok');
        if (mta.mismatch === 'extra-when-pipelined' && pipelinedWithOthers) out += '250 2.0.0 Ok\r\n';
        return;
      }
      case 'RCPT': {
        if (mailFrom === null) return reply(503, '5.5.1 Error: need MAIL command');
        if (cutThisSession && rcptReplies >= mta.cut!.afterRcpts) return cut();
        rcptReplies++;
        const client = session.remoteAddress.replace(/^::ffff:/, '');
        if (mta.blockedClients?.includes(client))
          return reply(554, `5.7.1 Service unavailable; Client host [${client}] blocked using zen.spamhaus.org`);
        if (mta.recipientLimit !== undefined && transactionRcpts >= mta.recipientLimit)
          return reply(452, '4.5.3 Error: too many recipients');
        transactionRcpts++;
        const address = /^TO:\s*<([^>]*)>/i.exec(arg)?.[1] ?? '';
        if (mta.mismatch === 'wrong-code' && rcptReplies > 1) return reply(354, 'End data with <CR><LF>.<CR><LF>');
        if (knows(mta.mailboxes, address)) return reply(250, '2.1.5 Ok');
        return reply(550, `5.1.1 <${address}>: Recipient address rejected: User unknown in virtual mailbox table`);
      }
      case 'RSET':
        mailFrom = null;
        return reply(250, '2.0.0 Ok');
      case 'NOOP':
        return reply(250, '2.0.0 Ok');
      case 'QUIT':
        await reply(221, '2.0.0 Bye');
        return hangUp('close');
      default:
        return reply(502, '5.5.2 Error: command not recognized');
    }
  };

  const cut = () => {
    const how = mta.cut!.how;
    switch (how) {
      case '421':
        out += `421 4.4.2 ${name} Error: timeout exceeded\r\n`;
        return hangUp('close');
      case 'reset':
        return hangUp('reset');
      case 'close':
        return hangUp('close');
      case 'silence':
        flush();
        over = true;
        return;
      case 'tls-garbage':
        flush();
        over = true;
        // Bytes that are no TLS record, below the TLS layer: the client's TLS fails mid-batch.
        if (!raw.destroyed) raw.write(Buffer.from('\x17\x03\x03\x00\x10not-a-tls-record'));
        return;
    }
  };

  function listen(socket: net.Socket): void {
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      session.bytesReceived += chunk.length;
      buffer += chunk.toString('latin1');
      const lines: string[] = [];
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        lines.push(buffer.slice(0, newline).replace(/\r$/, ''));
        buffer = buffer.slice(newline + 1);
      }
      if (buffer.length > MAX_LINE) buffer = buffer.slice(-MAX_LINE);
      for (const line of lines) Recorder.command(session, line);
      // One read, one flush at its end (what a pipelining server does).
      work = work.then(async () => {
        if (mta.replyDelayMs) await sleep(mta.replyDelayMs);
        for (const line of lines) await command(line, lines.length > 1);
        if (!over) flush();
      });
    });
  }

  const banner = `220 ${name} ESMTP fake (strict-mta)\r\n`;
  raw.write(mta.mismatch === 'second-greeting' ? banner + banner : banner);
  listen(raw);
}
