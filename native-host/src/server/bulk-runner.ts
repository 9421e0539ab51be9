import type { FastifyBaseLogger } from 'fastify';
import type { VerifyOptions } from '../engine/options.js';
import type { VerificationResult } from '../../shared/result.js';
import type { BulkStore } from './bulk-store.js';

// Works through the bulk jobs one chunk at a time, oldest job first. Only a chunk's addresses
// are in memory; results are committed in small batches. After a crash or kill -9 the next
// start picks up every running job where its committed results end.

const CHUNK = 500;
const BATCH = 100;

export type CheckChunk = (
  options: VerifyOptions,
  addresses: readonly string[],
  signal: AbortSignal,
  onResult: (index: number, result: VerificationResult) => void,
) => Promise<'done' | 'aborted'>;

export class BulkRunner {
  private wake: (() => void) | null = null;
  private readonly aborter = new AbortController();
  private loop: Promise<void> = Promise.resolve();
  private log!: FastifyBaseLogger;

  constructor(
    private readonly store: BulkStore,
    private readonly check: CheckChunk,
  ) {}

  start(log: FastifyBaseLogger): void {
    this.log = log;
    this.loop = this.run().catch((error: unknown) => this.log.error({ err: error }, 'the bulk runner stopped'));
  }

  /** A job was added. */
  notify(): void {
    this.wake?.();
  }

  pending(): number {
    return this.store.pending();
  }

  /** Stops after the batch in progress is committed (what is not committed is redone next start). */
  async stop(): Promise<void> {
    this.aborter.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.aborter.signal.aborted) {
      const job = this.store.nextRunning();
      if (!job) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      this.log.info({ job: job.id, total: job.total, processed: job.processed }, 'bulk job started');
      await this.work(job.id, JSON.parse(job.options) as VerifyOptions);
    }
  }

  private async work(jobId: number, options: VerifyOptions): Promise<void> {
    let after = -1;
    while (!this.aborter.signal.aborted) {
      const chunk = this.store.pendingChunk(jobId, after, CHUNK);
      if (chunk.length === 0) {
        this.store.complete(jobId);
        this.log.info({ job: jobId }, 'bulk job completed');
        return;
      }
      let batch: Array<{ idx: number; result: VerificationResult }> = [];
      const flush = () => {
        if (batch.length > 0) this.store.saveResults(jobId, batch);
        batch = [];
      };
      const ending = await this.check(options, chunk.map((input) => input.address), this.aborter.signal, (index, result) => {
        batch.push({ idx: chunk[index]!.idx, result });
        if (batch.length >= BATCH) flush();
      });
      flush();
      if (ending === 'aborted') return;
      after = chunk[chunk.length - 1]!.idx;
      this.log.info({ job: jobId, checked: chunk.length, processed: this.store.job(jobId)?.processed }, 'bulk chunk committed');
    }
  }
}
