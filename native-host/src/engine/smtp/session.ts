import type net from 'node:net';
import type { SmtpPhase, SmtpReply, TlsInfo } from '../../../shared/result.js';
import { ReplyParser, type ParseEvent } from './reply-parser.js';
import type { SocksProxy } from '../../../shared/protocol/messages.js';
import { connectSocket, describe, TransportFailure, upgradeToTls } from './transport.js';

// One SMTP client session over one TCP connection: banner, EHLO (or HELO), opportunistic
// STARTTLS, then MAIL FROM / RCPT TO / RSET / QUIT on demand. Never DATA.
// Server replies, even refusals, are returned; only transport, protocol and timeout
// problems throw (SmtpSessionError). Classifying replies is someone else's job.

export interface SessionOptions {
  /** IP address to connect to (already resolved and checked). */
  host: string;
  port: number;
  /** MX host name: TLS server name (SNI) and certificate check. */
  mxName: string;
  /** Our EHLO name. */
  heloName: string;
  connectTimeoutMs: number;
  /** Longest wait for one reply. */
  replyTimeoutMs: number;
  /** Date.now()-based time after which everything fails with 'timeout' (see setDeadline). */
  deadline: number;
  /** Opportunistic STARTTLS when the server advertises it. */
  startTls?: boolean;
  proxy?: SocksProxy;
  /** The local address to connect from. */
  localAddress?: string;
  /** When given, receives "C: ..." and "S: ..." lines. */
  transcript?: string[];
  signal?: AbortSignal;
}

export type SmtpSessionErrorKind = 'connection' | 'timeout' | 'tls' | 'protocol' | 'rejected' | 'aborted';

export class SmtpSessionError extends Error {
  constructor(
    readonly kind: SmtpSessionErrorKind,
    readonly phase: SmtpPhase,
    readonly reply: SmtpReply | null,
    message: string,
  ) {
    super(message);
    this.name = 'SmtpSessionError';
  }
}

export interface SmtpSession {
  readonly banner: SmtpReply;
  /** The reply to the last EHLO (or HELO, when EHLO was refused). */
  readonly ehloReply: SmtpReply;
  /** Upper-cased EHLO keywords (PIPELINING, STARTTLS, SIZE, ...). Empty after HELO. */
  readonly capabilities: ReadonlySet<string>;
  /** The number advertised with SIZE, or null. */
  readonly sizeLimit: number | null;
  readonly tls: TlsInfo;
  /** Moves the absolute deadline (e.g. one per transaction). */
  setDeadline(deadline: number): void;
  mailFrom(sender: string, opts?: { smtputf8?: boolean }): Promise<SmtpReply>;
  /** The MAIL FROM command, for exchange() (SMTPUTF8 only when asked for and offered). */
  mailCommand(sender: string, opts?: { smtputf8?: boolean }): Command;
  /** One reply per recipient, in order; pipelined when the server offers PIPELINING. */
  rcptTo(recipients: string[]): Promise<SmtpReply[]>;
  /**
   * Sends the commands as one pipelined group (one at a time without PIPELINING, or when told
   * so) and collects every reply that arrives, even when the session ends part-way. Never throws
   * for what the server does.
   */
  exchange(commands: readonly Command[], opts?: ExchangeOptions): Promise<Exchange>;
  /** The session can still carry commands. */
  readonly alive: boolean;
  /** Round trip of the last EHLO/HELO, a yardstick for "this reply is slow". */
  readonly greetingRttMs: number;
  reset(): Promise<SmtpReply>;
  /** QUIT, a short wait for 221, then close. Never throws. */
  quit(): Promise<void>;
  /** Destroys the connection now. */
  close(): void;
}

export interface Command {
  line: string;
  phase: SmtpPhase;
  /** The command whose reply is awaited, for accounting ('rset' and 'quit' are sentinels). */
  verb: 'mail' | 'rcpt' | 'rset' | 'quit';
}

interface ExchangeOptions {
  /** One command at a time even when PIPELINING is offered. */
  lockstep?: boolean;
  /**
   * Called as each reply arrives (all replies of one read are delivered together): when
   * (Date.now() of the read) and which read from the socket brought it (same read, same chunk).
   */
  onReply?(reply: SmtpReply, at: number, chunk: number): void;
}

export interface Exchange {
  /** One entry per command, in order: its reply, or null when none was read. */
  replies: Array<SmtpReply | null>;
  /** Why some replies are missing: the session ended. Null when every command was answered. */
  failure: SmtpSessionError | null;
  /** Replies could not be matched to commands (an extra, early or impossible reply): none of
   *  this exchange's replies may be taken as the answer to its command. */
  desync: boolean;
}

/** EHLO refused with any 5xx means "I do not take EHLO": try HELO (RFC 5321 §4.1.4). */
function heloFallback(ehlo: SmtpReply): boolean {
  return ehlo.code >= 500 && ehlo.code < 600;
}

/**
 * Reply codes that can answer each command (RFC 5321 §4.3.2, plus 421 and the 5xx any command
 * may get). Anything else, such as a second 220 greeting or a 354 to RCPT, is a reply to
 * something else: from then on replies and commands can no longer be matched.
 */
function replyFits(phase: SmtpPhase | 'quit' | 'rset', reply: SmtpReply): boolean {
  const { code } = reply;
  if (code >= 400 && code < 600) return true;
  switch (phase) {
    case 'banner':
    case 'starttls':
      return code === 220;
    case 'ehlo':
    case 'helo':
      return code === 250;
    case 'mail':
      return code === 250 && enhancedSubject(reply) !== '1.5';
    case 'rcpt':
      return (code === 250 || code === 251 || code === 252) && enhancedSubject(reply) !== '1.0';
    case 'rset':
      // Any 250: Gmail, for one, answers RSET with "250 2.1.5 Flushed".
      return code === 250;
    case 'quit':
      return code === 221;
    case 'connect':
      return false;
  }
}

/** "2.1.5" -> "1.5": what an enhanced success code is about (MAIL's 2.1.0, RCPT's 2.1.5). */
function enhancedSubject(reply: SmtpReply): string | null {
  return reply.enhanced ? reply.enhanced.slice(reply.enhanced.indexOf('.') + 1) : null;
}
const QUIT_WAIT_MS = 1_000;
const TRANSCRIPT_LINE_CHARS = 300;
const UNSAFE_ARGUMENT = /[\r\n\0<>]/;

export async function openSession(opts: SessionOptions): Promise<SmtpSession> {
  assertSafe('EHLO name', opts.heloName);
  const socket = await connect(opts);
  const session = new Session(socket, opts);
  try {
    await session.handshake();
    return session;
  } catch (error) {
    session.close();
    throw error;
  }
}

async function connect(opts: SessionOptions): Promise<net.Socket> {
  const remaining = opts.deadline - Date.now();
  if (remaining <= 0) throw new SmtpSessionError('timeout', 'connect', null, 'the deadline passed before connecting');
  try {
    return await connectSocket({
      host: opts.host,
      port: opts.port,
      proxy: opts.proxy,
      localAddress: opts.localAddress,
      timeoutMs: Math.min(opts.connectTimeoutMs, remaining),
      signal: opts.signal,
    });
  } catch (error) {
    throw asSessionError(error, 'connect');
  }
}

function asSessionError(error: unknown, phase: SmtpPhase): SmtpSessionError {
  if (error instanceof SmtpSessionError) return error;
  if (error instanceof TransportFailure) return new SmtpSessionError(error.kind, phase, null, error.message);
  return new SmtpSessionError('connection', phase, null, describe(error));
}

function assertSafe(what: string, value: string): void {
  // Not a server problem but a caller bug: a plain Error, so nobody mistakes it for a verdict.
  if (UNSAFE_ARGUMENT.test(value)) {
    throw new TypeError(`${what} contains CR, LF, NUL, < or >: ${JSON.stringify(value)}`);
  }
}

function isPositive(reply: SmtpReply): boolean {
  return reply.code >= 200 && reply.code < 300;
}

type Expectation = SmtpPhase | 'rset' | 'quit';

/** A reply, when it arrived, and which read from the socket brought it (same read, same chunk). */
interface Arrival {
  reply: SmtpReply;
  at: number;
  chunk: number;
}

/**
 * What becomes of the awaited replies of a group of commands (by index in the group): each
 * arrived, or the session ended first. One per group, not one per command: a group carries up
 * to 100 RCPTs, and a run of 10,000 addresses has them all in flight at once.
 */
interface Settle {
  resolve(index: number, reply: SmtpReply, at: number, chunk: number): void;
  reject(index: number, error: SmtpSessionError): void;
}

interface Waiter {
  phase: SmtpPhase;
  expects: Expectation;
  command: string;
  timeoutMs: number;
  index: number;
  settle: Settle;
}

interface Capabilities {
  keywords: Set<string>;
  sizeLimit: number | null;
}

function parseCapabilities(ehlo: SmtpReply): Capabilities {
  const keywords = new Set<string>();
  let sizeLimit: number | null = null;
  // The first line is the server's greeting, the others are "KEYWORD [params]".
  for (const line of ehlo.message.split('\n').slice(1)) {
    const [keyword = '', param] = line.trim().split(/\s+/);
    if (!keyword) continue;
    const upper = keyword.toUpperCase();
    keywords.add(upper);
    if (upper === 'SIZE' && param && /^\d+$/.test(param)) sizeLimit = Number(param);
  }
  return { keywords, sizeLimit };
}

class Session implements SmtpSession {
  banner: SmtpReply = { code: 0, enhanced: null, message: '' };
  ehloReply: SmtpReply = { code: 0, enhanced: null, message: '' };
  greetingRttMs = 0;
  private caps: Capabilities = { keywords: new Set(), sizeLimit: null };
  /** Frozen, so every outcome of the session can carry the same object. */
  private tlsInfo: TlsInfo = Object.freeze({ used: false, certificateValid: null });

  private socket: net.Socket;
  /** Every socket this session opened (TCP, then TLS on top): all destroyed at the end. */
  private readonly sockets: net.Socket[] = [];
  private parser = new ReplyParser();
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private deadline: number;
  private failure: SmtpSessionError | null = null;
  /** Set once a reply could not be matched to a command; never cleared. */
  private desynced = false;
  private quitSent = false;
  /** Reads from the socket so far: replies of one read share a number. */
  private chunks = 0;
  private readonly bannerReply: Promise<SmtpReply>;

  constructor(
    socket: net.Socket,
    private readonly opts: SessionOptions,
  ) {
    this.socket = socket;
    this.deadline = opts.deadline;
    this.attach(socket);
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    // The banner is a reply we expect without asking.
    this.bannerReply = handled(
      new Promise((resolve, reject) =>
        this.expect('banner', 'banner', '', opts.replyTimeoutMs, 0, {
          resolve: (_index, reply) => resolve(reply),
          reject: (_index, error) => reject(error),
        }),
      ),
    );
    if (opts.signal?.aborted) this.onAbort();
  }

  get capabilities(): ReadonlySet<string> {
    return this.caps.keywords;
  }

  get sizeLimit(): number | null {
    return this.caps.sizeLimit;
  }

  get tls(): TlsInfo {
    return this.tlsInfo;
  }

  get alive(): boolean {
    return this.failure === null && !this.quitSent;
  }

  setDeadline(deadline: number): void {
    this.deadline = deadline;
    this.restartTimer();
  }

  async handshake(): Promise<void> {
    this.banner = await this.bannerReply;
    if (!isPositive(this.banner)) throw this.rejected('banner', this.banner);
    await this.greet();
    if ((this.opts.startTls ?? true) && this.caps.keywords.has('STARTTLS')) {
      if (await this.startTls()) await this.greet();
    }
  }

  async mailFrom(sender: string, opts: { smtputf8?: boolean } = {}): Promise<SmtpReply> {
    return this.command(this.mailCommand(sender, opts).line, 'mail');
  }

  /** The MAIL FROM command (SMTPUTF8 only when asked for and offered). */
  mailCommand(sender: string, opts: { smtputf8?: boolean } = {}): Command {
    assertSafe('sender', sender);
    const utf8 = opts.smtputf8 && this.caps.keywords.has('SMTPUTF8') ? ' SMTPUTF8' : '';
    return { line: `MAIL FROM:<${sender}>${utf8}`, phase: 'mail', verb: 'mail' };
  }

  async rcptTo(recipients: string[]): Promise<SmtpReply[]> {
    for (const recipient of recipients) assertSafe('recipient', recipient);
    if (recipients.length === 0) return [];
    const done = await this.exchange(recipients.map((r) => ({ line: `RCPT TO:<${r}>`, phase: 'rcpt', verb: 'rcpt' })));
    if (done.failure) throw done.failure;
    return done.replies as SmtpReply[];
  }

  async exchange(commands: readonly Command[], opts: ExchangeOptions = {}): Promise<Exchange> {
    for (const { line } of commands) {
      if (/[\r\n\0]/.test(line)) throw new TypeError(`command contains CR, LF or NUL: ${JSON.stringify(line)}`);
    }
    const replies: Array<SmtpReply | null> = new Array(commands.length).fill(null);
    let failure: SmtpSessionError | null = null;
    const pipelined = this.caps.keywords.has('PIPELINING') && !opts.lockstep;
    if (pipelined) {
      // Callbacks, not a promise per reply: a group carries up to 100 RCPTs, and a run of
      // 10,000 addresses has them all in flight at once.
      failure = await new Promise<SmtpSessionError | null>((finished) => {
        let waiting = commands.length;
        let first: SmtpSessionError | null = null;
        this.sendEach(commands, this.opts.replyTimeoutMs, undefined, {
          resolve: (index, reply, at, chunk) => {
            replies[index] = reply;
            opts.onReply?.(reply, at, chunk);
            if (--waiting === 0) finished(first);
          },
          // Waiters fail in command order, so this is the earliest unanswered command's error.
          reject: (_index, error) => {
            first ??= error;
            if (--waiting === 0) finished(first);
          },
        });
      });
    } else {
      for (const [index, command] of commands.entries()) {
        try {
          const { reply, at, chunk } = await this.sendAll([command])[0]!;
          replies[index] = reply;
          opts.onReply?.(reply, at, chunk);
        } catch (error) {
          failure = error as SmtpSessionError;
          break;
        }
      }
    }
    // Replies read in the same chunk as the last one have been handled by now: an extra reply
    // among them has already set `desynced`.
    if (commands.some((c) => c.verb === 'quit')) this.close();
    return { replies, failure, desync: this.desynced };
  }

  /** RSET belongs to the mail transaction, so failures are reported in the 'mail' phase. */
  async reset(): Promise<SmtpReply> {
    return (await this.sendAll([{ line: 'RSET', phase: 'mail', verb: 'rset' }])[0]!).reply;
  }

  async quit(): Promise<void> {
    if (this.alive) {
      const timeoutMs = Math.min(QUIT_WAIT_MS, this.opts.replyTimeoutMs);
      const [bye] = this.sendAll([{ line: 'QUIT', phase: 'mail', verb: 'quit' }], timeoutMs);
      await bye?.catch(() => undefined);
    }
    this.close();
  }

  /**
   * Ends the session now: QUIT when it is still up, without waiting for the reply (the
   * connection is left to close within a second, so the server sees an orderly end).
   */
  close(): void {
    const graceful = !this.failure && this.sayGoodbye(true);
    this.fail('connection', 'mail', null, 'the session is closed', graceful);
  }

  // --- greeting and STARTTLS ---

  private async greet(): Promise<void> {
    const sentAt = Date.now();
    const ehlo = await this.command(`EHLO ${this.opts.heloName}`, 'ehlo');
    this.greetingRttMs = Date.now() - sentAt;
    if (isPositive(ehlo)) {
      this.ehloReply = ehlo;
      this.caps = parseCapabilities(ehlo);
      return;
    }
    if (!heloFallback(ehlo)) throw this.rejected('ehlo', ehlo);
    const helo = await this.command(`HELO ${this.opts.heloName}`, 'helo');
    if (!isPositive(helo)) throw this.rejected('helo', helo);
    this.ehloReply = helo;
    this.caps = { keywords: new Set(), sizeLimit: null };
  }

  /** true when TLS is up; false when the server declined STARTTLS (we go on in plain text). */
  private async startTls(): Promise<boolean> {
    const reply = await this.command('STARTTLS', 'starttls');
    if (this.failure) throw this.failure;
    if (reply.code === 421) throw this.rejected('starttls', reply);
    if (!isPositive(reply)) return false;
    // Bytes after the 220 were sent in plain text and must not be taken as TLS-protected.
    if (this.parser.midReply) {
      throw this.protocolFailure('starttls', 'the server sent data after its STARTTLS reply');
    }

    this.detach(this.socket);
    const remaining = this.deadline - Date.now();
    try {
      const secure = await upgradeToTls(
        this.socket,
        this.opts.mxName,
        Math.min(this.opts.replyTimeoutMs, remaining),
        this.opts.signal,
      );
      this.socket = secure;
      this.parser = new ReplyParser();
      this.attach(secure);
      this.tlsInfo = Object.freeze({ used: true, certificateValid: secure.authorized });
      this.note(`TLS established (certificate ${secure.authorized ? 'valid' : 'not valid'} for ${this.opts.mxName})`);
      return true;
    } catch (error) {
      const failure = asSessionError(error, 'starttls');
      this.fail(failure.kind, 'starttls', null, failure.message);
      throw failure;
    }
  }

  private rejected(phase: SmtpPhase, reply: SmtpReply): SmtpSessionError {
    const firstLine = reply.message.split('\n')[0] ?? '';
    const summary = [reply.code, reply.enhanced, firstLine].filter(Boolean).join(' ');
    return new SmtpSessionError('rejected', phase, reply, summary);
  }

  private protocolFailure(phase: SmtpPhase, message: string): SmtpSessionError {
    this.fail('protocol', phase, null, message);
    return this.failure ?? new SmtpSessionError('protocol', phase, null, message);
  }

  // --- commands and replies ---

  private async command(line: string, phase: SmtpPhase): Promise<SmtpReply> {
    const verbOf = phase === 'rcpt' ? 'rcpt' : 'mail';
    return (await this.sendAll([{ line, phase, verb: verbOf }], this.opts.replyTimeoutMs, phase)[0]!).reply;
  }

  /** Writes the lines in one go and returns one promise per expected reply. */
  private sendAll(
    commands: readonly Command[],
    timeoutMs = this.opts.replyTimeoutMs,
    greeting?: SmtpPhase,
  ): Promise<Arrival>[] {
    const settles: Array<{ resolve(arrival: Arrival): void; reject(error: SmtpSessionError): void }> = [];
    const replies = commands.map(() =>
      handled(new Promise<Arrival>((resolve, reject) => settles.push({ resolve, reject }))),
    );
    this.sendEach(commands, timeoutMs, greeting, {
      resolve: (index, reply, at, chunk) => settles[index]!.resolve({ reply, at, chunk }),
      reject: (index, error) => settles[index]!.reject(error),
    });
    return replies;
  }

  /** Writes the lines in one go; `settle` is told the reply to each command, or why none came. */
  private sendEach(
    commands: readonly Command[],
    timeoutMs: number,
    greeting: SmtpPhase | undefined,
    settle: Settle,
  ): void {
    const first = commands[0];
    if (!this.failure && Date.now() >= this.deadline) {
      this.fail('timeout', first?.phase ?? 'mail', null, `the deadline passed before ${verb(first?.line ?? '')}`);
    }
    commands.forEach((c, index) => {
      const expects: Expectation = greeting ?? (c.verb === 'rset' || c.verb === 'quit' ? c.verb : c.phase);
      this.expect(
        c.phase,
        expects,
        c.line,
        c.verb === 'quit' ? Math.min(timeoutMs, QUIT_WAIT_MS) : timeoutMs,
        index,
        settle,
      );
    });
    if (this.failure) return;
    for (const { line } of commands) this.record('C', line);
    if (commands.some((c) => c.verb === 'quit')) this.quitSent = true;
    let text = '';
    for (const { line } of commands) text += `${line}\r\n`;
    this.socket.write(text);
  }

  private expect(
    phase: SmtpPhase,
    expects: Expectation,
    command: string,
    timeoutMs: number,
    index: number,
    settle: Settle,
  ): void {
    if (this.failure) {
      const { kind, reply, message } = this.failure;
      settle.reject(index, new SmtpSessionError(kind, phase, reply, message));
      return;
    }
    this.waiters.push({ phase, expects, command, timeoutMs, index, settle });
    if (this.waiters.length === 1) this.restartTimer();
  }

  private readonly onData = (chunk: Buffer): void => {
    this.chunks++;
    const waiting = this.waiters.length;
    const at = Date.now();
    for (const event of this.parser.feed(chunk)) {
      if (this.failure) return;
      this.handle(event, at);
    }
    // Once per chunk, not per reply (a pipelined batch answers 100 RCPTs in one chunk), and only
    // when a reply was completed: a server dribbling bytes does not push its timeout back.
    if (this.waiters.length !== waiting) this.restartTimer();
  };

  private handle(event: ParseEvent, at: number): void {
    if (event.type === 'error') {
      this.record('S', `[unparseable: ${event.detail}]`);
      this.fail('protocol', this.currentPhase(), null, `${event.problem.replaceAll('_', ' ')}: ${event.detail}`);
      return;
    }
    const reply = event.reply;
    this.recordReply(reply);
    const waiter = this.waiters[0];
    if (!waiter) {
      // A server may say 421 and hang up at any time (RFC 5321 §3.8); anything else is a reply
      // to a command not sent yet, or one too many.
      if (reply.code === 421) {
        this.fail(
          'connection',
          this.currentPhase(),
          reply,
          `the server closed the session: ${reply.code} ${reply.message.split('\n')[0]}`,
        );
      } else {
        this.desynced = true;
        this.fail(
          'protocol',
          this.currentPhase(),
          reply,
          `a reply (${reply.code}) arrived before its command was sent`,
        );
      }
      return;
    }
    if (!replyFits(waiter.expects, reply)) {
      this.desynced = true;
      this.fail(
        'protocol',
        waiter.phase,
        reply,
        `a ${reply.code} reply cannot answer ${verb(waiter.command) || 'the greeting'}`,
      );
      return;
    }
    this.waiters.shift();
    waiter.settle.resolve(waiter.index, reply, at, this.chunks);
  }

  private readonly onError = (error: Error): void => {
    this.fail('connection', this.currentPhase(), null, `connection error: ${describe(error)}`);
  };

  private readonly onClose = (): void => {
    const where = this.parser.midReply ? ' in the middle of a reply' : '';
    this.fail('connection', this.currentPhase(), null, `the server closed the connection${where}`);
  };

  private readonly onAbort = (): void => {
    this.fail('aborted', this.currentPhase(), null, 'the check was cancelled');
  };

  private currentPhase(): SmtpPhase {
    return this.waiters[0]?.phase ?? 'connect';
  }

  // --- timers and failure ---

  /** One timer, for the reply at the head of the queue: its own timeout or the deadline. */
  private restartTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const head = this.waiters[0];
    if (!head || this.failure) return;
    const untilDeadline = this.deadline - Date.now();
    const waitMs = Math.max(0, Math.min(untilDeadline, head.timeoutMs));
    this.timer = setTimeout(() => {
      const awaited = head.phase === 'banner' ? 'the banner' : `the reply to ${verb(head.command)}`;
      const message =
        untilDeadline < head.timeoutMs
          ? `the deadline passed while waiting for ${awaited}`
          : `no answer within ${head.timeoutMs} ms while waiting for ${awaited}`;
      this.fail('timeout', head.phase, null, message);
    }, waitMs);
  }

  /** The session is over: every waiter gets the error, the sockets go. Idempotent. */
  private fail(
    kind: SmtpSessionErrorKind,
    phase: SmtpPhase,
    reply: SmtpReply | null,
    message: string,
    graceful = false,
  ): void {
    if (this.failure) return;
    this.failure = new SmtpSessionError(kind, phase, reply, message);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    for (const waiter of this.waiters.splice(0)) {
      waiter.settle.reject(waiter.index, new SmtpSessionError(kind, waiter.phase, reply, message));
    }
    if (kind === 'timeout' || kind === 'protocol' || kind === 'aborted') this.sayGoodbye(false);
    const sockets = this.sockets.splice(0);
    for (const socket of sockets) {
      this.detach(socket);
      socket.on('error', () => undefined); // late errors from a socket we no longer care about
      if (!graceful) socket.destroy();
    }
    if (graceful) {
      const destroyAll = () => sockets.forEach((socket) => socket.destroy());
      this.socket.resume(); // read (and drop) the 221, so the server's close is seen
      this.socket.unref(); // and never keep the process alive for it
      const timer = setTimeout(destroyAll, QUIT_WAIT_MS).unref();
      this.socket.once('close', () => {
        clearTimeout(timer);
        destroyAll();
      });
    }
  }

  /**
   * A session that is still up gets a QUIT, also when we give up on it (timeout, bad replies).
   * `end`: half-close after it, so the server's 221 can still arrive. True when QUIT was sent.
   */
  private sayGoodbye(end: boolean): boolean {
    if (this.quitSent || this.socket.destroyed || !this.socket.writable) return false;
    this.quitSent = true;
    this.record('C', 'QUIT');
    if (end) this.socket.end('QUIT\r\n');
    else this.socket.write('QUIT\r\n');
    return true;
  }

  private attach(socket: net.Socket): void {
    if (!this.sockets.includes(socket)) this.sockets.push(socket);
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private detach(socket: net.Socket): void {
    socket.off('data', this.onData);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
  }

  // --- transcript ---

  private recordReply(reply: SmtpReply): void {
    if (!this.opts.transcript) return;
    const lines = reply.message.split('\n');
    lines.forEach((text, index) => {
      const separator = index === lines.length - 1 ? ' ' : '-';
      const enhanced = reply.enhanced ? `${reply.enhanced} ` : '';
      this.record('S', `${reply.code}${separator}${enhanced}${text}`.trimEnd());
    });
  }

  private record(side: 'C' | 'S', line: string): void {
    if (!this.opts.transcript) return;
    const short = line.length > TRANSCRIPT_LINE_CHARS ? `${line.slice(0, TRANSCRIPT_LINE_CHARS)}…` : line;
    this.opts.transcript.push(`${side}: ${short}`);
  }

  private note(text: string): void {
    this.opts.transcript?.push(`-- ${text}`);
  }
}

/** "MAIL FROM:<a@b>" -> "MAIL" */
function verb(command: string): string {
  return command.split(/[ :]/)[0] ?? command;
}

/** Marks a promise as handled (callers may drop some of the pipelined ones) and returns it. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
