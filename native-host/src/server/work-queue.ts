import type { Queue } from 'bullmq';
import type { EnginePool } from '../host/engine-pool.js';
import { streamResults } from '../host/stream-results.js';
import type { BatchData } from '../worker/batches.js';
import type { VerificationResult } from '../../shared/result.js';
import type { VerifyOptions } from '../engine/options.js';
import type { ChunkPlan } from './bulk-runner.js';

// Where the server's checks run. In process (the default): the server's own engines. On a
// queue (--redis): workers on any number of machines (worker/redis-queue.ts). Live requests and
// bulk jobs go through the same interface, so both modes run the same routes and tests.

/** What /v1/health shows of the queue. */
export interface QueueHealth {
  mode: 'in-process' | 'redis';
  /** Redis answered (null: in process, no Redis). */
  reachable: boolean | null;
  /** Batches waiting, running and put off (a refused worker handed them back). */
  batches?: Record<string, number>;
  /** Workers connected to the queue, by name (their source address or host name). */
  workers?: string[];
  /** Mail servers that refused a worker's address, and how long that worker rests from them. */
  pauses?: Array<{ worker: string; mx: string; msLeft: number }>;
}

/** A live request (someone is waiting for the answers) goes before the batches of bulk jobs. */
export type Urgency = 'live' | 'bulk';

export interface WorkQueue {
  /** Checks the addresses, handing over each result once, as soon as it is known. */
  check(
    options: VerifyOptions,
    addresses: readonly string[],
    signal: AbortSignal,
    onResult: (index: number, result: VerificationResult) => void,
    urgency: Urgency,
  ): Promise<'done' | 'aborted'>;
  /** How bulk jobs are best handed to `check`. */
  readonly chunks: ChunkPlan;
  health(): Promise<QueueHealth>;
  /** Stops taking work and lets go of connections. */
  close(): Promise<void>;
  /** The BullMQ queue behind it (for Bull Board); none in process. */
  readonly queue?: Queue<BatchData>;
}

export function inProcessQueue(engines: EnginePool): WorkQueue {
  return {
    // The engine groups each chunk's addresses by mail server itself; two chunks keep it busy.
    chunks: { size: 1_000, inFlight: 2 },
    // (In process every check is served in the order it came: bulk jobs hold at most two chunks.)
    check: (options, addresses, signal, onResult) =>
      streamResults(engines.get(options).verifier, addresses, signal, ({ index, result }) => onResult(index, result)),
    health: async () => ({ mode: 'in-process', reachable: null }),
    close: async () => {},
  };
}
