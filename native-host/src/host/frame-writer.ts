// The host's one way to stdout: protocol frames. Frames made in the same tick (a session's batch
// of results) leave in one write: one system call instead of one per result. A reply that cannot
// be encoded becomes an `internal` error reply; once stdout is broken nothing more is written.

import { encodeFrame } from '../../shared/protocol/frames.js';
import { errorReply, type HostMessage } from '../../shared/protocol/messages.js';
import type { HostLog } from './log.js';

export type StdoutWrite = (chunk: Uint8Array, done?: (error?: Error | null) => void) => boolean;

export class FrameWriter {
  private queued: Uint8Array[] = [];
  /** Frames sent and not yet written out. */
  private unflushed = 0;
  private flushed: (() => void) | null = null;
  private broken = false;

  constructor(
    private readonly write: StdoutWrite,
    private readonly littleEndian: boolean,
    private readonly log: HostLog,
  ) {}

  readonly send = (message: HostMessage): void => {
    if (this.broken) return;
    let frame: Uint8Array;
    try {
      frame = encodeFrame(message, { littleEndian: this.littleEndian });
    } catch (error) {
      this.log.error(`could not encode a ${message.type} reply:`, error);
      frame = encodeFrame(
        errorReply('id' in message ? message.id : null, 'internal', 'the reply could not be encoded'),
        { littleEndian: this.littleEndian },
      );
    }
    this.unflushed++;
    this.queued.push(frame);
    if (this.queued.length === 1) setImmediate(this.writeQueued);
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
    const frames = this.queued;
    this.queued = [];
    if (this.broken) {
      this.unflushed -= frames.length;
      return;
    }
    this.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames), () => {
      this.unflushed -= frames.length;
      if (this.unflushed === 0) this.flushed?.();
    });
  };
}
