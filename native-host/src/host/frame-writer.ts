// The host's one way to stdout: protocol frames. Frames made in the same tick (a session's batch
// of results) leave in one write: one system call instead of one per result. A reply that cannot
// be encoded becomes an `internal` error reply; once stdout is broken nothing more is written.

import { encodeFrame } from '../../shared/protocol/frames.js';
import { errorReply, LIMITS, type HostMessage } from '../../shared/protocol/messages.js';
import type { HostLog } from './log.js';

export type StdoutWrite = (chunk: Uint8Array, done?: (error?: Error | null) => void) => boolean;

/** One write carries frames up to about this many bytes. */
const WRITE_BYTES = 256 * 1024;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit. */
const MAX_UTF8_PER_UNIT = 3;
const HEADER_BYTES = 4;

/**
 * Writes frames to stdout, one write at a time, all from one buffer that is reused once its
 * write is done. A message waits as its JSON text, not as bytes: 10,000 results sent in one
 * burst were 10,000 bodies, 10,000 frames and their concatenation, all outside the JS heap and
 * freed only when a garbage collection happened to run (11 MB at the end of a 10,000 verify).
 */
export class FrameWriter {
  /** JSON bodies to frame, or whole frames (a message that had to be shortened to fit). */
  private queued: Array<string | Uint8Array> = [];
  /** Frames sent and not yet written out. */
  private unflushed = 0;
  private flushed: (() => void) | null = null;
  private broken = false;
  private writing = false;
  private scheduled = false;
  private buffer = Buffer.alloc(0);

  constructor(
    private readonly write: StdoutWrite,
    private readonly littleEndian: boolean,
    private readonly log: HostLog,
  ) {}

  readonly send = (message: HostMessage): void => {
    if (this.broken) return;
    this.queued.push(this.encode(message));
    this.unflushed++;
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.writeQueued);
  };

  /** stdout failed (the browser went away): drop what is queued and everything after. */
  markBroken(): void {
    this.broken = true;
  }

  /** Resolves once every frame sent so far is written, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.unflushed === 0 || this.broken) return;
    await new Promise<void>((done) => {
      this.flushed = done;
      setTimeout(done, timeoutMs).unref();
    });
  }

  private encode(message: HostMessage): string | Uint8Array {
    const frame = { littleEndian: this.littleEndian };
    try {
      const json = JSON.stringify(message);
      // Surely under the limit, whatever its characters: framed when written.
      if (json.length * MAX_UTF8_PER_UNIT < LIMITS.maxFrameBytes) return json;
      return encodeFrame(message, frame);
    } catch (error) {
      this.log.error(`could not encode a ${message.type} reply:`, error);
      return encodeFrame(
        errorReply('id' in message ? message.id : null, 'internal', 'the reply could not be encoded'),
        frame,
      );
    }
  }

  private readonly writeQueued = (): void => {
    this.scheduled = false;
    if (this.broken) {
      this.unflushed -= this.queued.length;
      this.queued = [];
      return;
    }
    let count = 0;
    let room = 0;
    while (count < this.queued.length && room < WRITE_BYTES) room += bytesAtMost(this.queued[count++]!);
    if (this.buffer.length < room) this.buffer = Buffer.allocUnsafeSlow(Math.max(room, WRITE_BYTES));
    let at = 0;
    for (const item of this.queued.splice(0, count)) {
      if (typeof item !== 'string') {
        this.buffer.set(item, at);
        at += item.length;
        continue;
      }
      const written = this.buffer.write(item, at + HEADER_BYTES);
      if (this.littleEndian) this.buffer.writeUInt32LE(written, at);
      else this.buffer.writeUInt32BE(written, at);
      at += HEADER_BYTES + written;
    }
    this.writing = true;
    this.write(this.buffer.subarray(0, at), () => {
      this.writing = false;
      this.unflushed -= count;
      if (this.queued.length > 0) this.writeQueued();
      else if (this.unflushed === 0) this.flushed?.();
    });
  };
}

function bytesAtMost(item: string | Uint8Array): number {
  return typeof item === 'string' ? HEADER_BYTES + item.length * MAX_UTF8_PER_UNIT : item.length;
}
