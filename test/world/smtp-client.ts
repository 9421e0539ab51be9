// A plain SMTP client for tests that talk to the world's servers directly, one command at a time,
// to pin down what a real server (or a fake) does, independent of the engine under test.

import net from 'node:net';
import tls from 'node:tls';

export interface RawReply {
  code: number;
  /** Every line as sent, without CRLF, e.g. `550 5.1.1 <x@y>: Recipient address rejected: ...`. */
  lines: string[];
  /** The lines without their `NNN-` / `NNN ` prefix, joined with `\n`. */
  text: string;
  /** Milliseconds from sending the command (or connecting) to the complete reply. */
  elapsedMs: number;
}

export class SmtpClient {
  private buffer = '';
  private waiters: Array<() => void> = [];
  private lastSentAt = Date.now();
  /** `data` events so far (how the server split what it wrote). */
  chunks = 0;
  closed = false;

  private constructor(private socket: net.Socket | tls.TLSSocket) {
    this.attach(socket);
  }

  static connect(host: string, port = 25): Promise<SmtpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const startedAt = Date.now();
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        const client = new SmtpClient(socket);
        client.lastSentAt = startedAt;
        resolve(client);
      });
    });
  }

  /** The next complete reply; rejects if the server closes first or nothing comes in time. */
  read(timeoutMs = 10_000): Promise<RawReply> {
    return this.until(() => this.takeReply(), timeoutMs, 'a reply');
  }

  /** Whatever arrived once `enough` says it is enough (for servers that do not speak SMTP). */
  readRaw(enough: (data: string) => boolean, timeoutMs = 10_000): Promise<string> {
    return this.until(() => (enough(this.buffer) ? this.takeAll() : undefined), timeoutMs, 'raw data');
  }

  /** What arrived and was not read yet. */
  unread(): string {
    return this.buffer;
  }

  write(line: string): void {
    this.lastSentAt = Date.now();
    this.socket.write(`${line}\r\n`);
  }

  send(line: string, timeoutMs?: number): Promise<RawReply> {
    this.write(line);
    return this.read(timeoutMs);
  }

  /** STARTTLS, then the session goes on over TLS (self-signed certificates are fine here). */
  async startTls(servername: string): Promise<RawReply> {
    const reply = await this.send('STARTTLS');
    if (reply.code !== 220) return reply;
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    this.socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const secure = tls.connect({ socket: plain, servername, rejectUnauthorized: false }, () => resolve(secure));
      secure.once('error', reject);
    });
    this.attach(this.socket);
    return reply;
  }

  /** Resolves once the server has closed the connection (rejects after `timeoutMs`). */
  async closedByServer(timeoutMs = 5_000): Promise<void> {
    await this.until(() => (this.closed ? true : undefined), timeoutMs, 'close by the server');
  }

  close(): void {
    this.socket.destroy();
  }

  private attach(socket: net.Socket | tls.TLSSocket): void {
    socket.on('data', (chunk: Buffer) => {
      this.chunks++;
      this.buffer += chunk.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  /** Waits, event by event, until `take` returns something. */
  private async until<T>(take: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = take();
      if (value !== undefined) return value;
      if (this.closed)
        throw new Error(`connection closed while waiting for ${what}; got ${JSON.stringify(this.buffer)}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.buffer.slice(0, 200))}`);
      await this.nextEvent(left);
    }
  }

  private takeReply(): RawReply | undefined {
    const lines: string[] = [];
    let offset = 0;
    for (;;) {
      const end = this.buffer.indexOf('\r\n', offset);
      if (end < 0) return undefined;
      const line = this.buffer.slice(offset, end);
      offset = end + 2;
      lines.push(line);
      if (!/^\d{3}-/.test(line)) {
        this.buffer = this.buffer.slice(offset);
        const text = lines.map((l) => l.slice(4)).join('\n');
        return { code: Number(line.slice(0, 3)), lines, text, elapsedMs: Date.now() - this.lastSentAt };
      }
    }
  }

  private takeAll(): string {
    const data = this.buffer;
    this.buffer = '';
    return data;
  }

  private nextEvent(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
