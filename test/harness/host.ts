// The real, built native host (`npm run build` first), spoken to in frames over its stdin and
// stdout, the way a browser does: the one way tests talk to a host process.
//
//   const startHost = hostsForEachTest(() => ({ XDG_STATE_HOME: stateDir }));   // killed after each test
//   const host = startHost({ MXLENS_DNS: '127.0.0.1:5353' });
//   await host.handshake();
//   const done = await host.request({ type: 'verify', id: 'v', addresses: ['a@b.test'] }, 'done');
//   host.results('v') ...; expect(await host.close()).toBe(0); host.expectCleanStdout();

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { endianness } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';
import type { VerificationResult } from '../../native-host/shared/result.js';
import { FrameReader, frameBytes } from '../../native-host/shared/protocol/frames.js';
import { LIMITS, PROTOCOL_VERSION, type HostMessage } from '../../native-host/shared/protocol/messages.js';

export const MXLENS_BIN = fileURLToPath(new URL('../../native-host/bin/mxlens.mjs', import.meta.url));
/** The byte order of frame headers: the machine's own, as browsers use. */
export const LITTLE_ENDIAN = endianness() === 'LE';
const MESSAGE_TYPES = new Set(['hello', 'result', 'progress', 'done', 'cancelled', 'error', 'network']);

export type HostFrame = HostMessage & Record<string, unknown>;

/** A `result` frame. */
export interface ResultFrame {
  index: number;
  result: VerificationResult;
  cached?: true;
  recheck?: true;
}

/** A frame header for a body of `length` bytes. */
export function frameHeader(length: number): Uint8Array {
  const bytes = Buffer.alloc(4);
  if (LITTLE_ENDIAN) bytes.writeUInt32LE(length);
  else bytes.writeUInt32BE(length);
  return bytes;
}

export class HostProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every frame received, in order. */
  readonly messages: HostFrame[] = [];
  /** stdout exactly as received. */
  readonly raw: Buffer[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly reader = new FrameReader({ littleEndian: LITTLE_ENDIAN, maxFrameBytes: 0xffffffff });
  private readonly waiters: Array<{ test: (m: HostFrame) => boolean; resolve: (m: HostFrame) => void }> = [];

  /** `mxlens host ARGS` with this process's environment plus `env` (an undefined value removes a variable). */
  constructor(env: NodeJS.ProcessEnv = {}, args: string[] = []) {
    const fullEnv = Object.fromEntries(
      Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined),
    );
    this.child = spawn(process.execPath, [MXLENS_BIN, 'host', ...args], {
      env: fullEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stderr.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    this.child.stdin.on('error', () => undefined); // writes after the host has gone
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  send(message: unknown): void {
    this.sendRaw(frameBytes(new TextEncoder().encode(JSON.stringify(message)), LITTLE_ENDIAN));
  }

  sendRaw(bytes: Uint8Array): void {
    this.child.stdin.write(bytes);
  }

  /** The first message (already received or still to come) that passes `test`. */
  next(test: (m: HostFrame) => boolean, timeoutMs = 15_000): Promise<HostFrame> {
    const seen = this.messages.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve: (m: HostFrame) => (clearTimeout(timer), resolve(m)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(
          new Error(
            `no matching message in ${timeoutMs} ms; got ${JSON.stringify(this.messages).slice(0, 2000)}\nstderr: ${this.stderr.slice(-2000)}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The message of `type` for request `id`. */
  reply(id: unknown, type: string, timeoutMs?: number): Promise<HostFrame> {
    return this.next((m) => m.id === id && m.type === type, timeoutMs);
  }

  /** Sends `message` and waits for its reply of `type`. */
  request(message: { id: unknown; [field: string]: unknown }, type: string, timeoutMs?: number): Promise<HostFrame> {
    this.send(message);
    return this.reply(message.id, type, timeoutMs);
  }

  /** Every message of request `id`. */
  of(id: unknown): HostFrame[] {
    return this.messages.filter((m) => m.id === id);
  }

  /** The `result` frames of request `id`. */
  results(id: unknown): ResultFrame[] {
    return this.of(id).filter((m) => m.type === 'result') as unknown as ResultFrame[];
  }

  /** hello, as the extension says it; returns the host's hello. */
  handshake(): Promise<HostFrame> {
    return this.request({ type: 'hello', id: 'hello', protocol: PROTOCOL_VERSION, extension: '0.0.1' }, 'hello');
  }

  /** Closes stdin and waits for the exit code. */
  close(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }

  /** SIGKILL, unless it has exited already; resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Everything the host wrote to stdout is a sequence of whole frames, each a JSON object under 1 MiB. */
  expectCleanStdout(): void {
    const all = Buffer.concat(this.raw);
    let at = 0;
    let frames = 0;
    while (at < all.length) {
      expect(all.length - at, 'a partial frame header on stdout').toBeGreaterThanOrEqual(4);
      const length = LITTLE_ENDIAN ? all.readUInt32LE(at) : all.readUInt32BE(at);
      expect(length, 'frame length').toBeLessThan(LIMITS.maxFrameBytes);
      expect(all.length - at - 4, 'a partial frame body on stdout').toBeGreaterThanOrEqual(length);
      const message = JSON.parse(all.subarray(at + 4, at + 4 + length).toString('utf8')) as Record<string, unknown>;
      expect(MESSAGE_TYPES.has(message.type as string), `frame type ${String(message.type)}`).toBe(true);
      expect(message).toHaveProperty('id');
      at += 4 + length;
      frames++;
    }
    expect(frames).toBe(this.messages.length);
  }

  private receive(chunk: Buffer): void {
    this.raw.push(chunk);
    for (const event of this.reader.push(chunk)) {
      if (event.kind !== 'frame') continue;
      const message = JSON.parse(new TextDecoder().decode(event.body)) as HostFrame;
      this.messages.push(message);
      for (const waiter of [...this.waiters]) {
        if (!waiter.test(message)) continue;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  }
}

/**
 * A host starter for a test file: each host gets `defaults()` (read when it starts), then its own
 * env; every host a test started is killed after that test.
 */
export function hostsForEachTest(
  defaults: () => NodeJS.ProcessEnv = () => ({}),
): (env?: NodeJS.ProcessEnv, args?: string[]) => HostProcess {
  const started: HostProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((host) => host.kill()));
  });
  return (env = {}, args = []) => {
    const host = new HostProcess({ ...defaults(), ...env }, args);
    started.push(host);
    return host;
  };
}
