import { randomUUID } from 'node:crypto';
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { MailDns } from '../engine/dns.js';
import type { VerifyOptions } from '../engine/options.js';
import type { VerificationResult } from '../../shared/result.js';
import { unfinishedResult } from '../engine/verifier.js';
import type { QueueHealth, Urgency, WorkQueue } from '../server/work-queue.js';
import { listPauses } from './fleet-limits.js';
import {
  batchByMailServer,
  BatchLedger,
  connectRedis,
  QUEUE_NAME,
  redisOptions,
  type BatchAnswer,
  type BatchData,
  type BatchInput,
} from './batches.js';

// The server's side of the queue: a request's addresses become batches (one mail server each)
// on BullMQ; answers come back as the workers store them (progress events, for streaming), and
// when a batch ends its ledger is read in full, so an event missed while Redis restarted costs
// nothing. Each address is handed over once, whatever arrives twice.

/** A batch's tries: a worker that fails (not one that dies: that is a stall) hands it on. */
const ATTEMPTS = 3;
/** How often unfinished batches are looked at, besides the events. */
const SWEEP_MS = 1_000;
const HEALTH_WAIT_MS = 1_000;
const BULK_PRIORITY = 1;

interface Waiting {
  inputs: BatchInput[];
  /** On the queue (before that, a missing job is not a finished one). */
  queued: boolean;
  handed(index: number): boolean;
  answer(answer: BatchAnswer): void;
  finished(): void;
}

export class RedisWorkQueue implements WorkQueue {
  /**
   * Big chunks make big batches (a list's addresses are mixed across domains), and two of them
   * keep the queue deep enough for every worker to find work while a chunk ends.
   */
  readonly chunks = { size: 10_000, inFlight: 2 };
  private readonly waiting = new Map<string, Waiting>();
  private readonly dnsByServers = new Map<string, MailDns>();
  private readonly ledger: BatchLedger;
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    private readonly redis: Redis,
    /** The BullMQ queue itself (for a dashboard such as Bull Board). */
    readonly queue: Queue<BatchData>,
    private readonly events: QueueEvents,
  ) {
    this.ledger = new BatchLedger(redis);
    events.on('progress', ({ jobId, data }) => {
      const waiting = this.waiting.get(jobId);
      if (!waiting) return;
      // Earlier workers announced one answer per event (a fleet is upgraded one machine at a time).
      const answers = Array.isArray(data) ? data : [data];
      for (const answer of answers as BatchAnswer[]) waiting.answer(answer);
    });
    events.on('completed', ({ jobId }) => void this.settle(jobId, null));
    events.on('failed', ({ jobId, failedReason }) => void this.settle(jobId, failedReason));
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
  }

  /** Waits for Redis (saying so on `say` while it is away). */
  static async connect(url: string, say: (line: string) => void): Promise<RedisWorkQueue> {
    const { Queue, QueueEvents } = await import('bullmq');
    const redis = await connectRedis(url, say);
    const queue = new Queue<BatchData>(QUEUE_NAME, { connection: redisOptions(url) });
    const events = new QueueEvents(QUEUE_NAME, { connection: redisOptions(url) });
    await events.waitUntilReady();
    return new RedisWorkQueue(redis, queue, events);
  }

  async check(
    options: VerifyOptions,
    addresses: readonly string[],
    signal: AbortSignal,
    onResult: (index: number, result: VerificationResult) => void,
    urgency: Urgency,
  ): Promise<'done' | 'aborted'> {
    const batches = await batchByMailServer(this.dns(options), addresses, options);
    const handed = new Set<number>();
    const request = randomUUID();
    const ids = batches.map((_, n) => `${request}-${n}`);
    const allFinished = Promise.all(
      batches.map(
        (batch, n) =>
          new Promise<void>((finished) => {
            this.waiting.set(ids[n]!, {
              inputs: batch.inputs,
              queued: false,
              handed: (index) => handed.has(index),
              answer: ({ index, result }) => {
                if (handed.has(index)) return;
                handed.add(index);
                onResult(index, result);
              },
              finished,
            });
          }),
      ),
    );
    await this.queue.addBulk(
      batches.map((batch, n) => ({
        name: batch.mx,
        data: { ...batch, options },
        opts: {
          jobId: ids[n]!,
          attempts: ATTEMPTS,
          backoff: { type: 'exponential', delay: 1_000 },
          removeOnComplete: true,
          removeOnFail: true,
          // BullMQ serves the jobs without a priority first: a live request passes the bulk batches.
          ...(urgency === 'bulk' ? { priority: BULK_PRIORITY } : {}),
        },
      })),
    );
    for (const id of ids) {
      const waiting = this.waiting.get(id);
      if (waiting) waiting.queued = true;
    }
    const aborted = new Promise<'aborted'>((resolve) => {
      if (signal.aborted) resolve('aborted');
      else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    const ending = await Promise.race([allFinished.then(() => 'done' as const), aborted]);
    if (ending === 'aborted') await this.withdraw(ids);
    return ending;
  }

  /** Batches not started yet are taken off the queue; those running end on their own. */
  private async withdraw(ids: string[]): Promise<void> {
    for (const id of ids) {
      this.waiting.delete(id);
      await this.queue.remove(id).catch(() => undefined);
      await this.ledger.drop(id).catch(() => undefined);
    }
  }

  /** A batch ended: every answer in its ledger is handed over; an address left without one is unfinished. */
  private async settle(jobId: string, failedReason: string | null): Promise<void> {
    const waiting = this.waiting.get(jobId);
    if (!waiting) return;
    const answers = await this.ledger.all(jobId, waiting.handed);
    if (this.waiting.get(jobId) !== waiting) return;
    this.waiting.delete(jobId);
    for (const answer of answers) waiting.answer(answer);
    for (const input of waiting.inputs) {
      if (!waiting.handed(input.index))
        waiting.answer({
          index: input.index,
          result: unfinishedResult(
            input.address,
            new Error(failedReason ?? 'the batch ended without an answer for this address'),
          ),
        });
    }
    await this.ledger.drop(jobId);
    waiting.finished();
  }

  /** Batches whose end was not heard (events lost while Redis restarted) are settled from their state. */
  private async sweep(): Promise<void> {
    for (const [jobId, waiting] of [...this.waiting]) {
      if (!waiting.queued) continue;
      const job = await this.queue.getJob(jobId).catch(() => null);
      if (job === null) continue;
      if (job === undefined) await this.settle(jobId, null);
      else if ((await job.getState()) === 'failed') await this.settle(jobId, job.failedReason);
    }
  }

  private dns(options: VerifyOptions): MailDns {
    const servers = options.dnsServers.join(',');
    let dns = this.dnsByServers.get(servers);
    if (!dns) {
      dns = new MailDns({ servers: options.dnsServers, timeoutMs: 2_500 });
      this.dnsByServers.set(servers, dns);
    }
    return dns;
  }

  /** The queue as /v1/health shows it; a Redis that does not answer within a second is reported, not waited for. */
  async health(): Promise<QueueHealth> {
    const unreachable = new Promise<QueueHealth>((resolve) =>
      setTimeout(() => resolve({ mode: 'redis', reachable: false }), HEALTH_WAIT_MS).unref(),
    );
    const known = Promise.all([
      this.queue.getJobCounts('wait', 'prioritized', 'active', 'delayed'),
      this.queue.getWorkers(),
      listPauses(this.redis),
    ]).then(([batches, workers, pauses]): QueueHealth => ({
      mode: 'redis',
      reachable: true,
      batches,
      workers: workers.map(workerName),
      pauses,
    }));
    return Promise.race([known, unreachable]);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.redis.disconnect();
  }
}

/** BullMQ names a worker's connection "bull:QUEUE:w:NAME"; NAME is the worker's source address or host name. */
function workerName(client: Record<string, string>): string {
  const raw = client.rawname ?? '';
  return raw.includes(':w:') ? raw.slice(raw.indexOf(':w:') + 3) : raw;
}
