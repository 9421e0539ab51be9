// A plain SMTP client for tests that talk to the world's servers directly, one command at a time,
// to pin down what a real server does (independent of the engine under test).

import net from 'node:net';

export interface RawReply {
  code: number;
  /** Every line as sent, without CRLF, e.g. `550 5.1.1 <x@y>: Recipient address rejected: ...`. */
  lines: string[];
  /** Milliseconds from sending the command (or connecting) to the complete reply. */
  elapsedMs: number;
}

export class SmtpClient {
  private buffer = '';
  private waiters: Array<() => void> = [];
  private lastSentAt = Date.now();
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
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
  async read(timeoutMs = 10_000): Promise<RawReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.takeReply();
      if (reply) return reply;
      if (this.closed) throw new Error(`connection closed while waiting for a reply; got ${JSON.stringify(this.buffer)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms; got ${JSON.stringify(this.buffer.slice(0, 200))}`);
      await this.nextEvent(left);
    }
  }

  async send(line: string, timeoutMs?: number): Promise<RawReply> {
    this.lastSentAt = Date.now();
    this.socket.write(`${line}\r\n`);
    return this.read(timeoutMs);
  }

  /** Resolves once the server has closed the connection (rejects after `timeoutMs`). */
  async closedByServer(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the server kept the connection open for ${timeoutMs} ms`);
      await this.nextEvent(left);
    }
  }

  close(): void {
    this.socket.destroy();
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
        return { code: Number(line.slice(0, 3)), lines, elapsedMs: Date.now() - this.lastSentAt };
      }
    }
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
