import type net from 'node:net';
import type { SmtpPhase, SmtpReply, TlsInfo } from '../result.js';
import { ReplyParser, type ParseEvent } from './reply-parser.js';
import { connectSocket, describe, TransportFailure, upgradeToTls, type SocksProxy } from './transport.js';

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
  /** One reply per recipient, in order; pipelined when the server offers PIPELINING. */
  rcptTo(recipients: string[]): Promise<SmtpReply[]>;
  reset(): Promise<SmtpReply>;
  /** QUIT, a short wait for 221, then close. Never throws. */
  quit(): Promise<void>;
  /** Destroys the connection now. */
  close(): void;
}

/** EHLO refusals that mean "I do not know EHLO": try HELO. */
const HELO_FALLBACK_CODES = new Set([500, 502, 504, 550]);
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

interface Waiter {
  phase: SmtpPhase;
  command: string;
  timeoutMs: number;
  resolve(reply: SmtpReply): void;
  reject(error: SmtpSessionError): void;
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
  private caps: Capabilities = { keywords: new Set(), sizeLimit: null };
  private tlsInfo: TlsInfo = { used: false, certificateValid: null };

  private socket: net.Socket;
  /** Every socket this session opened (TCP, then TLS on top): all destroyed at the end. */
  private readonly sockets: net.Socket[] = [];
  private parser = new ReplyParser();
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private deadline: number;
  private failure: SmtpSessionError | null = null;
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
    this.bannerReply = this.expect('banner', '', opts.replyTimeoutMs);
    if (opts.signal?.aborted) this.onAbort();
  }

  get capabilities(): ReadonlySet<string> {
    return this.caps.keywords;
  }

  get sizeLimit(): number | null {
    return this.caps.sizeLimit;
  }

  get tls(): TlsInfo {
    return { ...this.tlsInfo };
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
    assertSafe('sender', sender);
    const utf8 = opts.smtputf8 && this.caps.keywords.has('SMTPUTF8') ? ' SMTPUTF8' : '';
    return this.command(`MAIL FROM:<${sender}>${utf8}`, 'mail');
  }

  async rcptTo(recipients: string[]): Promise<SmtpReply[]> {
    for (const recipient of recipients) assertSafe('recipient', recipient);
    if (recipients.length === 0) return [];
    const lines = recipients.map((r) => `RCPT TO:<${r}>`);
    if (this.caps.keywords.has('PIPELINING')) return Promise.all(this.send(lines, 'rcpt'));
    const replies: SmtpReply[] = [];
    for (const line of lines) replies.push(await this.command(line, 'rcpt'));
    return replies;
  }

  /** RSET belongs to the mail transaction, so failures are reported in the 'mail' phase. */
  reset(): Promise<SmtpReply> {
    return this.command('RSET', 'mail');
  }

  async quit(): Promise<void> {
    if (!this.failure && Date.now() < this.deadline) {
      const timeoutMs = Math.min(QUIT_WAIT_MS, this.opts.replyTimeoutMs);
      const [bye] = this.send(['QUIT'], 'mail', timeoutMs);
      await bye?.catch(() => undefined);
    }
    this.close();
  }

  close(): void {
    this.fail('connection', 'mail', null, 'the session is closed');
  }

  // --- greeting and STARTTLS ---

  private async greet(): Promise<void> {
    const ehlo = await this.command(`EHLO ${this.opts.heloName}`, 'ehlo');
    if (isPositive(ehlo)) {
      this.ehloReply = ehlo;
      this.caps = parseCapabilities(ehlo);
      return;
    }
    if (!HELO_FALLBACK_CODES.has(ehlo.code)) throw this.rejected('ehlo', ehlo);
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
      this.tlsInfo = { used: true, certificateValid: secure.authorized };
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

  private command(line: string, phase: SmtpPhase): Promise<SmtpReply> {
    return this.send([line], phase)[0]!;
  }

  /** Writes the lines in one go and returns one promise per expected reply. */
  private send(lines: string[], phase: SmtpPhase, timeoutMs = this.opts.replyTimeoutMs): Promise<SmtpReply>[] {
    if (!this.failure && Date.now() >= this.deadline) {
      this.fail('timeout', phase, null, `the deadline passed before ${verb(lines[0] ?? '')}`);
    }
    const replies = lines.map((line) => this.expect(phase, line, timeoutMs));
    if (this.failure) return replies;
    for (const line of lines) this.record('C', line);
    this.socket.write(lines.map((line) => `${line}\r\n`).join(''));
    return replies;
  }

  private expect(phase: SmtpPhase, command: string, timeoutMs: number): Promise<SmtpReply> {
    if (this.failure) {
      const { kind, reply, message } = this.failure;
      return handled(Promise.reject(new SmtpSessionError(kind, phase, reply, message)));
    }
    const promise = new Promise<SmtpReply>((resolve, reject) => {
      this.waiters.push({ phase, command, timeoutMs, resolve, reject });
    });
    if (this.waiters.length === 1) this.restartTimer();
    return handled(promise);
  }

  private readonly onData = (chunk: Buffer): void => {
    for (const event of this.parser.feed(chunk)) {
      if (this.failure) return;
      this.handle(event);
    }
  };

  private handle(event: ParseEvent): void {
    if (event.type === 'error') {
      this.record('S', `[unparseable: ${event.detail}]`);
      this.fail('protocol', this.currentPhase(), null, `${event.problem.replaceAll('_', ' ')}: ${event.detail}`);
      return;
    }
    this.recordReply(event.reply);
    const waiter = this.waiters.shift();
    if (!waiter) {
      const message = `unexpected reply from the server: ${event.reply.code}`;
      this.fail('connection', this.currentPhase(), event.reply, message);
      return;
    }
    waiter.resolve(event.reply);
    this.restartTimer();
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
    const awaited = head.phase === 'banner' ? 'the banner' : `the reply to ${verb(head.command)}`;
    const message =
      untilDeadline < head.timeoutMs
        ? `the deadline passed while waiting for ${awaited}`
        : `no answer within ${head.timeoutMs} ms while waiting for ${awaited}`;
    const waitMs = Math.max(0, Math.min(untilDeadline, head.timeoutMs));
    this.timer = setTimeout(() => this.fail('timeout', head.phase, null, message), waitMs);
  }

  /** The session is over: every waiter gets the error, the sockets go. Idempotent. */
  private fail(kind: SmtpSessionErrorKind, phase: SmtpPhase, reply: SmtpReply | null, message: string): void {
    if (this.failure) return;
    this.failure = new SmtpSessionError(kind, phase, reply, message);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    for (const waiter of this.waiters.splice(0)) {
      waiter.reject(new SmtpSessionError(kind, waiter.phase, reply, message));
    }
    for (const socket of this.sockets) {
      this.detach(socket);
      socket.on('error', () => undefined); // late errors from a socket we no longer care about
      socket.destroy();
    }
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
