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
 * write is done. Messages wait as they are and become bytes when their write is made: 10,000
 * results sent in one burst were 10,000 bodies, 10,000 frames and their concatenation, all
 * outside the JS heap and freed only when a garbage collection happened to run (11 MB at the
 * end of a 10,000 verify); as JSON text they would be no smaller than the results, whose
 * strings are mostly shared.
 */
export class FrameWriter {
  private queued: HostMessage[] = [];
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
    this.queued.push(message);
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

  private readonly writeQueued = (): void => {
    this.scheduled = false;
    if (this.broken) {
      this.unflushed -= this.queued.length;
      this.queued = [];
      return;
    }
    let count = 0;
    let at = 0;
    while (count < this.queued.length && at < WRITE_BYTES) at = this.frameInto(this.queued[count++]!, at);
    this.queued.splice(0, count);
    this.writing = true;
    this.write(this.buffer.subarray(0, at), () => {
      this.writing = false;
      this.unflushed -= count;
      if (this.queued.length > 0) this.writeQueued();
      else if (this.unflushed === 0) this.flushed?.();
    });
  };

  /** Writes the message's frame into the buffer at `at`; returns where the frame ends. */
  private frameInto(message: HostMessage, at: number): number {
    const json = this.jsonOf(message);
    if (typeof json !== 'string') {
      this.makeRoom(at, json.length);
      this.buffer.set(json, at);
      return at + json.length;
    }
    this.makeRoom(at, HEADER_BYTES + json.length * MAX_UTF8_PER_UNIT);
    const written = this.buffer.write(json, at + HEADER_BYTES);
    if (this.littleEndian) this.buffer.writeUInt32LE(written, at);
    else this.buffer.writeUInt32BE(written, at);
    return at + HEADER_BYTES + written;
  }

  /** The message's JSON when it surely fits in a frame, or else its whole frame (shortened to fit). */
  private jsonOf(message: HostMessage): string | Uint8Array {
    const frame = { littleEndian: this.littleEndian };
    try {
      const json = JSON.stringify(message);
      if (json.length * MAX_UTF8_PER_UNIT < LIMITS.maxFrameBytes) return json;
      return encodeFrame(message, frame);
    } catch (error) {
      this.log.error(`could not encode a ${message.type} reply:`, error);
      const id = 'id' in message ? message.id : null;
      return encodeFrame(errorReply(id, 'internal', 'the reply could not be encoded'), frame);
    }
  }

  /** The buffer holds `at` bytes to keep and room for `more`. */
  private makeRoom(at: number, more: number): void {
    if (this.buffer.length >= at + more) return;
    const larger = Buffer.allocUnsafeSlow(Math.max(WRITE_BYTES + more, at + more));
    this.buffer.copy(larger, 0, 0, at);
    this.buffer = larger;
  }
}
