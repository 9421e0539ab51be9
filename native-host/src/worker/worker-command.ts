import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import { Budgets } from '../engine/budgets.js';
import { NetworkWatch } from '../engine/network-watch.js';
import type { VerificationResult } from '../../shared/result.js';
import { parseStrictArgs, UsageError } from '../cli/usage-error.js';
import { keepYoungGenerationSmall } from '../engine/young-generation.js';
import { EnginePool } from '../host/engine-pool.js';
import { streamResults } from '../host/stream-results.js';
import { applySettingFlag, loadSettings, type Settings } from '../settings.js';
import { BatchLedger, connectRedis, QUEUE_NAME, redisOptions, type BatchAnswer, type BatchData } from './batches.js';
import { AddressPauses, FleetBudgets, FleetSessionGate, loadFleetModules, refusesOurAddress } from './fleet-limits.js';

export const WORKER_HELP = `Usage: mxlens worker --redis URL [--source-address IP] [--proxy URL] [--concurrency N]

Takes checks from the queue of an "mxlens serve --redis URL" and runs them from this machine:
each batch holds the addresses of one mail server. Run one worker per IP address (or proxy);
the per-mail-server limits hold for all workers together. See "Scale out" in the README.

Options:
  --redis URL            the queue, e.g. redis://10.0.0.5:6379 (MXLENS_REDIS)
  --source-address IP    connect to mail servers from this address of the machine (MXLENS_SOURCE_ADDRESS)
  --proxy URL            or through this SOCKS5 proxy (MXLENS_PROXY)
  --concurrency N        batches (mail servers) worked on at once (config "concurrency", default 256)
A worker that dies loses its batches to the others after MXLENS_WORKER_STALL_MS (default 30000).
`;

/** How long a batch waits before a worker whose address a mail server refused hands it on. */
const HAND_BACK_DELAY_MS = 1_000;
/** After this many hand-backs a refusal is the answer: every worker may be refused. */
const MAX_HAND_BACKS = 3;
/**
 * How long a refused batch waits for a worker whose address is not paused for its mail server.
 * With one worker, or all of them paused, no one else will come: then the refusal is the answer.
 */
const MAX_WAIT_FOR_ANOTHER_MS = 10_000;

export async function runWorker(argv: string[]): Promise<number> {
  const settings = loadSettings();
  applyWorkerArgs(argv, settings);
  // A server and a worker see large runs all day long.
  await keepYoungGenerationSmall(Number.POSITIVE_INFINITY);
  for (const problem of settings.problems)
    process.stderr.write(`mxlens: ignoring ${problem.setting}: ${problem.message}\n`);
  if (settings.serve.redis === '')
    throw new UsageError('worker needs the queue: --redis redis://HOST:PORT (or MXLENS_REDIS)');

  const loaded = await Promise.all([import('bullmq'), loadFleetModules()]).catch((error: Error) => error);
  if (loaded instanceof Error) {
    process.stderr.write(
      `mxlens worker: a module of the distributed mode is missing (${loaded.message.split('\n')[0]}): install bullmq, ioredis, rate-limiter-flexible and redis-semaphore beside mxlens\n`,
    );
    return 1;
  }
  const [{ Worker, DelayedError }, modules] = loaded;
  const log = (line: string) => process.stderr.write(`mxlens worker: ${line}\n`);
  const redis = await connectRedis(settings.serve.redis, log);
  const source = settings.verify.sourceAddress ?? hostname();
  const budgets = new Budgets(settings.verify.budgets, Date.now, null, new FleetBudgets(modules, redis));
  const gate = new FleetSessionGate(modules, redis, settings.verify.connectionsPerHost, (error) =>
    log(`a session slot was lost: ${error.message}`),
  );
  const engines = new EnginePool(budgets, new NetworkWatch(), gate);
  const batches = new BatchWork(
    engines,
    new BatchLedger(redis),
    new AddressPauses(redis, source),
    settings,
    () => new DelayedError(),
  );
  const worker = new Worker<BatchData>(QUEUE_NAME, (job, token) => batches.run(job, token), {
    connection: redisOptions(settings.serve.redis),
    name: source,
    concurrency: settings.verify.concurrency,
    lockDuration: settings.serve.workerStallMs,
    stalledInterval: settings.serve.workerStallMs,
    maxStalledCount: 10,
  });
  worker.on('error', (error) => log(`queue: ${error.message}`));
  worker.on('failed', (job, error) => log(`batch ${job?.id ?? '?'} failed: ${error.message}`));
  await worker.waitUntilReady();
  log(
    `ready (connecting from ${settings.verify.sourceAddress ?? (settings.verify.proxy ? 'the proxy' : "the system's address")}, ${settings.verify.concurrency} batches at once)`,
  );

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: finishing the batches in hand`);
      void worker.close().finally(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  redis.disconnect();
  return 0;
}

function applyWorkerArgs(argv: string[], settings: Settings): void {
  const { values, positionals } = parseStrictArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      redis: { type: 'string' },
      'source-address': { type: 'string' },
      proxy: { type: 'string' },
      concurrency: { type: 'string' },
      postgres: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`worker takes no arguments (got "${positionals.join(' ')}")`);
  if (values.postgres !== undefined)
    throw new UsageError(
      'worker takes no --postgres: its answers go back through Redis to "mxlens serve", which keeps the jobs (give --postgres to serve)',
    );
  const flags = [
    ['redis', 'redis'],
    ['source-address', 'sourceAddress'],
    ['proxy', 'proxy'],
    ['concurrency', 'concurrency'],
  ] as const;
  for (const [flag, key] of flags) applySettingFlag(settings, flag, key, values[flag]);
}

/** One batch on one worker: the engine over the addresses not answered yet, each answer stored once. */
class BatchWork {
  constructor(
    private readonly engines: EnginePool,
    private readonly ledger: BatchLedger,
    private readonly pauses: AddressPauses,
    private readonly settings: Settings,
    /** BullMQ's "moved to delayed" signal (its module is loaded at start). */
    private readonly delayed: () => Error,
  ) {}

  async run(job: Job<BatchData>, token: string | undefined): Promise<void> {
    const jobId = job.id!;
    const { handedBack = 0, refusedAt } = job.data;
    const waitedEnough = refusedAt !== undefined && Date.now() - refusedAt > MAX_WAIT_FOR_ANOTHER_MS;
    const mayHandBack = handedBack < MAX_HAND_BACKS && !waitedEnough;
    if (mayHandBack && (await this.pauses.isPaused(job.data.mx))) return this.handBack(job, token, false);
    const answered = await this.ledger.answered(jobId);
    const todo = job.data.inputs.filter((input) => !answered.has(input.index));
    const { verifier } = this.engines.get({
      ...job.data.options,
      sourceAddress: this.settings.verify.sourceAddress,
      proxy: this.settings.verify.proxy ?? job.data.options.proxy,
    });
    const aborter = new AbortController();
    let refusal: VerificationResult | null = null;
    const answers = new AnswerSink(this.ledger, job);
    await streamResults(
      verifier,
      todo.map((input) => input.address),
      aborter.signal,
      ({ index, result }) => {
        if (mayHandBack && refusesOurAddress(result)) {
          refusal ??= result;
          return aborter.abort();
        }
        answers.add({ index: todo[index]!.index, result });
      },
    );
    await answers.drained();
    if (refusal) {
      await this.pauses.pause(job.data.mx, refusal);
      return this.handBack(job, token, true);
    }
  }

  /** This worker's address may not ask this mail server now: the batch goes back for another worker. */
  private async handBack(job: Job<BatchData>, token: string | undefined, refused: boolean): Promise<never> {
    if (refused)
      await job.updateData({
        ...job.data,
        handedBack: (job.data.handedBack ?? 0) + 1,
        refusedAt: job.data.refusedAt ?? Date.now(),
      });
    await job.moveToDelayed(Date.now() + HAND_BACK_DELAY_MS, token);
    throw this.delayed();
  }
}

/**
 * A batch's answers, stored and announced as they come, but those that come together in one
 * go: one Redis round trip and one progress event for a session's group of replies, not two
 * per address. An answer stored before (the batch is redone after its worker died) is not
 * announced again.
 */
class AnswerSink {
  private waiting: BatchAnswer[] = [];
  private storing: Promise<void> = Promise.resolve();

  constructor(
    private readonly ledger: BatchLedger,
    private readonly job: Job<BatchData>,
  ) {}

  add(answer: BatchAnswer): void {
    if (this.waiting.push(answer) === 1) setImmediate(() => this.store());
  }

  /** Resolves once every answer added is stored and announced; rejects if one could not be. */
  async drained(): Promise<void> {
    this.store();
    await this.storing;
  }

  private store(): void {
    const answers = this.waiting;
    if (answers.length === 0) return;
    this.waiting = [];
    this.storing = this.storing.then(async () => {
      const fresh = await this.ledger.save(this.job.id!, answers);
      if (fresh.length > 0) await this.job.updateProgress(fresh as unknown as object);
    });
    // A failure is drained()'s to report: it must not count as unhandled meanwhile.
    this.storing.catch(() => undefined);
  }
}
