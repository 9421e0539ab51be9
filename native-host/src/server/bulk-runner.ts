import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { VerifyOptions } from '../engine/options.js';
import type { VerificationResult } from '../../shared/result.js';
import type { BulkStore, IndexedResult, PendingInput } from './bulk-store.js';

// Works through the bulk jobs oldest first, a few chunks of a job at a time: only those chunks'
// addresses are in memory, and the next chunk starts as soon as one ends, so the checkers never
// wait for a chunk's slowest address with nothing else to do. Results are committed in small
// batches. After a crash or kill -9 the next start picks up every running job's addresses that
// have no committed result; while the store is down (PostgreSQL restarting) the runner waits
// and tries again.

const BATCH = 100;
const STORE_RETRY_MS = 2000;
/** With nothing to do, look again this often: another server node may have died with a job. */
const IDLE_LOOK_MS = 30_000;

/**
 * How a job is handed to the checkers: chunks of `size` addresses, `inFlight` of them at once.
 * Bigger chunks give the queue bigger batches per mail server (the addresses of a list are
 * mixed across domains); the product bounds the addresses in memory.
 */
export interface ChunkPlan {
  size: number;
  inFlight: number;
}

export type CheckChunk = (
  options: VerifyOptions,
  addresses: readonly string[],
  signal: AbortSignal,
  onResult: (index: number, result: VerificationResult) => void,
) => Promise<'done' | 'aborted'>;

export class BulkRunner {
  private wake: (() => void) | null = null;
  /** A job was added since the last look for one (the look is async: a notify may come during it). */
  private added = false;
  private readonly aborter = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private log!: FastifyBaseLogger;

  constructor(
    private readonly store: BulkStore,
    private readonly check: CheckChunk,
    private readonly chunks: ChunkPlan,
  ) {}

  start(log: FastifyBaseLogger): void {
    this.log = log;
    this.loop = this.run().catch((error: unknown) => this.log.error({ err: error }, 'the bulk runner stopped'));
  }

  /** A job was added. */
  notify(): void {
    this.added = true;
    this.wake?.();
  }

  pending(): Promise<number> {
    return this.store.pending();
  }

  /** Stops after the batch in progress is committed (what is not committed is redone next start). */
  async stop(): Promise<void> {
    this.aborter.abort();
    this.notify();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.aborter.signal.aborted) {
      try {
        this.added = false;
        const job = await this.store.nextRunning();
        if (!job) {
          if (!this.added) await this.idle();
          continue;
        }
        this.log.info({ job: job.id, total: job.total, processed: job.processed }, 'bulk job started');
        await this.work(job.id, JSON.parse(job.options) as VerifyOptions);
      } catch (error) {
        // The store is down (PostgreSQL restarting), or another node took the job over: what
        // was committed stays, and the runner looks again for a job it may run.
        this.log.error({ err: error, retryInMs: STORE_RETRY_MS }, 'the bulk store failed; retrying');
        await delay(STORE_RETRY_MS, undefined, { signal: this.aborter.signal }).catch(() => {});
      }
    }
  }

  /** Until a job is added here, or it is time to look for jobs left by other nodes. */
  private async idle(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      timer = setTimeout(resolve, IDLE_LOOK_MS);
    });
    clearTimeout(timer);
    this.wake = null;
  }

  private async work(jobId: number, options: VerifyOptions): Promise<void> {
    // The first chunk to fail (a save) stops its siblings; the job is taken up again from the store.
    const failed = new AbortController();
    const signal = AbortSignal.any([this.aborter.signal, failed.signal]);
    const running = new Set<Promise<void>>();
    let failure: unknown = null;
    let after = -1;
    let allRead = false;
    const stopAll = (error: unknown) => {
      failure ??= error;
      failed.abort();
    };
    try {
      while (!signal.aborted) {
        while (!allRead && running.size < this.chunks.inFlight) {
          const chunk = await this.store.pendingChunk(jobId, after, this.chunks.size);
          if (chunk.length === 0) {
            allRead = true;
            break;
          }
          after = chunk[chunk.length - 1]!.idx;
          const checking: Promise<void> = this.checkChunk(jobId, options, chunk, signal)
            .catch(stopAll)
            .finally(() => running.delete(checking));
          running.add(checking);
        }
        if (running.size === 0) break;
        await Promise.race(running);
      }
    } catch (error) {
      // The next chunk could not be read: the chunks running stop too, before the job is tried again.
      stopAll(error);
    }
    await Promise.all(running);
    if (failure !== null) throw failure;
    if (signal.aborted) return;
    await this.store.complete(jobId);
    this.log.info({ job: jobId }, 'bulk job completed');
  }

  /** Checks one chunk, saving results in batches, one save at a time; a failed save stops the chunk. */
  private async checkChunk(
    jobId: number,
    options: VerifyOptions,
    chunk: readonly PendingInput[],
    jobSignal: AbortSignal,
  ): Promise<void> {
    const saveFailed = new AbortController();
    let failure: unknown = null;
    let saving = Promise.resolve();
    let batch: IndexedResult[] = [];
    const flush = () => {
      const rows = batch;
      batch = [];
      if (rows.length === 0) return;
      saving = saving.then(async () => {
        if (failure !== null) return;
        await this.store.saveResults(jobId, rows).catch((error: unknown) => {
          failure = error;
          saveFailed.abort();
        });
      });
    };
    const ending = await this.check(
      options,
      chunk.map((input) => input.address),
      AbortSignal.any([jobSignal, saveFailed.signal]),
      (index, result) => {
        batch.push({ idx: chunk[index]!.idx, result });
        if (batch.length >= BATCH) flush();
      },
    );
    flush();
    await saving;
    if (failure !== null) throw failure;
    if (ending === 'done')
      this.log.info(
        { job: jobId, checked: chunk.length, processed: (await this.store.job(jobId))?.processed },
        'bulk chunk committed',
      );
  }
}
