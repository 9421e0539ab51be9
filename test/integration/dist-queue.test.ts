import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { VerificationResult } from '../../native-host/shared/result.js';
import { defaultVerifyOptions } from '../../native-host/src/engine/options.js';
import { QUEUE_NAME, redisOptions, type BatchData } from '../../native-host/src/worker/batches.js';
import { RedisWorkQueue } from '../../native-host/src/worker/redis-queue.js';
import { startFakeSmtp, type FakeSmtp } from '../world/fake-smtp.js';
import { useWorld, type FakeSession, type World } from '../world/index.js';
import { startRedis, type RedisHandle } from '../world/redis.js';
import { runMxlens } from './cli.js';
import { call, startServe, WORLD_ENV, type ServeProcess } from './server-process.js';
import { startWorker, type WorkerProcess } from './worker-process.js';

// The distributed mode: `mxlens serve --redis` queues the checks, three `mxlens worker`s on
// their own loopback addresses run them, with a real redis-server between them. What the mail
// servers saw (their own session records) says whether the fleet kept the per-server limit.

const KEY = 'ci-key-0123456789abcdef';
/** A key the queue dashboard is not open to. */
const OTHER_KEY = 'other-key-0123456789abcdef';
const SOURCES = ['127.0.0.11', '127.0.0.12', '127.0.0.13'];
/** The engine's default: sessions at once to one mail server, for the whole fleet. */
const SESSIONS_PER_SERVER = 2;
/** Budgets high enough that only the session limit shapes these runs. */
const BUDGETS = {
  MXLENS_MX_SESSIONS_PER_MINUTE: '1000',
  MXLENS_MX_RCPTS_PER_MINUTE: '10000',
  MXLENS_DOMAIN_SESSIONS_PER_MINUTE: '1000',
  MXLENS_DOMAIN_RCPTS_PER_MINUTE: '10000',
};

let world: World;
let redis: RedisHandle;
let server: ServeProcess;
let workers: WorkerProcess[] = [];
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  world = await useWorld();
  redis = await startRedis();
  env = {
    ...WORLD_ENV,
    ...BUDGETS,
    XDG_CONFIG_HOME: mkdtempSync(path.join(os.tmpdir(), 'mxlens-worker-config-')),
    MXLENS_WORKER_STALL_MS: '2000',
  };
  server = await startServe({
    env: {
      ...env,
      MXLENS_SERVE_KEYS: `ci:${KEY},other:${OTHER_KEY}`,
      MXLENS_SERVE_BOARD_KEYS: 'ci',
      MXLENS_SERVE_RATE: '100000',
      MXLENS_SERVE_QUOTA: '1000000',
    },
    args: ['--redis', redis.url],
  });
  // One batch at a time each, so that the batches of one mail server go to different workers.
  workers = await Promise.all(
    SOURCES.map((source) => startWorker(redis.url, ['--source-address', source, '--concurrency', '1'], env)),
  );
});

afterAll(async () => {
  await Promise.allSettled(workers.map((worker) => worker.stop('SIGKILL')));
  await server?.stop();
  await redis?.remove();
  await world?.stop();
});

interface Streamed {
  results: Map<number, VerificationResult>;
  /** Result lines received, duplicates included. */
  lines: number;
  done: Record<string, unknown> | null;
}

/** POST /v1/verify, reading the NDJSON as it streams; `onResult` sees each line as it comes. */
async function verifyOnServer(
  addresses: string[],
  onResult: (streamed: Streamed) => void = () => {},
): Promise<Streamed> {
  const response = await fetch(`${server.url}/v1/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ addresses }),
  });
  expect(response.status).toBe(200);
  const streamed: Streamed = { results: new Map(), lines: 0, done: null };
  let pending = '';
  const decoder = new TextDecoder();
  const reader = response.body!.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    pending += decoder.decode(chunk.value, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines.filter((text) => text.trim() !== '')) {
      const message = JSON.parse(line) as { type: string; index: number; result: VerificationResult };
      if (message.type === 'done') streamed.done = message as unknown as Record<string, unknown>;
      if (message.type !== 'result') continue;
      streamed.lines++;
      streamed.results.set(message.index, message.result);
      onResult(streamed);
    }
  }
  return streamed;
}

async function verifyInOneProcess(addresses: string[]): Promise<VerificationResult[]> {
  const run = await runMxlens(['verify', '--json', ...addresses], { env });
  if (run.code !== 0 && run.results.length === 0) throw new Error(`mxlens verify exited ${run.code}: ${run.stderr}`);
  return run.results;
}

/** The most sessions open at once, by the server's own records (a session ends at QUIT or close). */
function mostAtOnce(sessions: readonly FakeSession[]): number {
  const end = (s: FakeSession) => s.quitAt ?? s.closedAt ?? Number.POSITIVE_INFINITY;
  return Math.max(
    0,
    ...sessions.map((s) => sessions.filter((o) => o.startedAt <= s.startedAt && end(o) > s.startedAt).length),
  );
}

const verdicts = (results: Iterable<VerificationResult>) =>
  [...results].map((r) => `${r.address} ${r.verdict} ${r.reason}`).sort();

describe('mxlens worker', () => {
  it('refuses to start without a queue, with a URL that is not Redis, or with a database, and says what it needs', async () => {
    const missing = await runMxlens(['worker'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--redis redis://HOST:PORT');
    const wrong = await runMxlens(['worker', '--redis', 'http://127.0.0.1:6379'], { env });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--redis takes a redis:// or rediss:// URL');
    const badSource = await runMxlens(['worker', '--redis', redis.url, '--source-address', 'eth0'], { env });
    expect(badSource.code).toBe(2);
    expect(badSource.stderr).toContain('--source-address takes an IP address of this machine');
    // A worker keeps no jobs: a --postgres meant for serve is pointed there.
    const database = await runMxlens(['worker', '--redis', redis.url, '--postgres', 'postgres://db/mxlens'], { env });
    expect(database.code).toBe(2);
    expect(database.stderr).toContain('give --postgres to serve');
  });
});

describe('Bull Board', () => {
  it('shows the queue, read-only, at /admin/queues to the keys named for it and to nobody else', async () => {
    expect((await call(server, 'GET', '/admin/queues')).status).toBe(401);
    expect((await call(server, 'GET', '/admin/queues/api/queues')).status).toBe(401);
    // Another key works everywhere else, but would see every key's addresses here.
    expect((await call(server, 'GET', '/v1/health', { key: OTHER_KEY })).status).toBe(200);
    for (const route of ['/admin/queues', '/admin/queues/api/queues']) {
      const refused = await call<{ code: string; error: string }>(server, 'GET', route, { key: OTHER_KEY });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('forbidden');
      expect(refused.body.error).toContain('MXLENS_SERVE_BOARD_KEYS');
    }
    const page = await call(server, 'GET', '/admin/queues', { key: KEY });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const queues = await call<{ queues: Array<{ name: string; readOnlyMode: boolean }> }>(
      server,
      'GET',
      '/admin/queues/api/queues',
      { key: KEY },
    );
    expect(queues.status).toBe(200);
    expect(queues.body.queues.map((queue) => [queue.name, queue.readOnlyMode])).toEqual([['mxlens-checks', true]]);
  });
});

describe('three workers behind one queue', () => {
  it('give the verdicts of the single-process engine and never open more sessions to one MX than the limit', async () => {
    const sharedMx = Array.from({ length: 30 }, (_, i) =>
      ['info', 'nobody', 'sales', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7'].map(
        (local) => `${local}@sharedmx${i + 1}.test`,
      ),
    ).flat();
    const others = [
      'alice@acme.test',
      'bob@acme.test',
      'nosuch@acme.test',
      'carol@aonly.test',
      'someone@catchall.test',
      'a@nullmx.test',
      'a@nosuch-domain.test',
      'not-an-address',
    ];
    const addresses = [...sharedMx, ...others];
    world.resetFakes();

    const distributed = await verifyOnServer(addresses);
    const fake = world.fakes['mx.sharedmx.test']!;
    const sessions = [...fake.sessions];
    expect(distributed.done).toMatchObject({ type: 'done', count: addresses.length });
    expect(distributed.lines).toBe(addresses.length);
    expect([...distributed.results.keys()].sort((a, b) => a - b)).toEqual(addresses.map((_, index) => index));

    // The limit held for the fleet, while the batches were spread over several workers' addresses.
    expect(mostAtOnce(sessions)).toBeGreaterThan(0);
    expect(mostAtOnce(sessions)).toBeLessThanOrEqual(SESSIONS_PER_SERVER);
    const clients = new Set(sessions.map((s) => s.remoteAddress.replace(/^::ffff:/, '')));
    expect([...clients].every((ip) => SOURCES.includes(ip))).toBe(true);
    expect(clients.size).toBeGreaterThan(1);
    // Each mailbox was asked once (probes aside).
    const asked = sessions.flatMap((s) => s.rcptTo).filter((rcpt) => sharedMx.includes(rcpt));
    expect(asked.sort()).toEqual([...sharedMx].sort());

    world.resetFakes();
    const single = await verifyInOneProcess(addresses);
    expect(verdicts(distributed.results.values())).toEqual(verdicts(single));
    expect(verdicts(single)).toContain('alice@acme.test deliverable mailbox_exists');
    expect(verdicts(single)).toContain('info@sharedmx1.test deliverable mailbox_exists');
  });

  it('run the bulk jobs of the server too: every input answered once, in the job store', async () => {
    const input = [
      ...Array.from({ length: 30 }, (_, i) => `info@sharedmx${i + 1}.test`),
      'alice@acme.test',
      'nosuch@acme.test',
      'not-an-address',
    ];
    const accepted = await call<{ job_id: number }>(server, 'POST', '/v1/bulk', { key: KEY, body: { input } });
    expect(accepted.status).toBe(200);
    const jobId = accepted.body.job_id;
    await server.waitForLog((line) => line.msg === 'bulk job completed' && line.job === jobId);

    const status = await call<Record<string, any>>(server, 'GET', `/v1/bulk/${jobId}`, { key: KEY });
    expect(status.body).toMatchObject({
      total_records: input.length,
      total_processed: input.length,
      job_status: 'Completed',
    });
    // info@ is a role address: risky in Reacher's terms.
    expect(status.body.summary).toMatchObject({ total_safe: 1, total_risky: 30, total_invalid: 2, total_unknown: 0 });
    const page = await call<{ results: Array<{ input: string }> }>(
      server,
      'GET',
      `/v1/bulk/${jobId}/results?limit=100`,
      { key: KEY },
    );
    expect(page.body.results.map((result) => result.input)).toEqual(input);
  });
});

describe('a live request behind a bulk job', () => {
  it('is given to the next free worker before the bulk batches queued ahead of it', async () => {
    // A queue of its own, so the fleet above does not take these batches.
    const own = await startRedis();
    const queue = await RedisWorkQueue.connect(own.url, () => undefined);
    const { Worker } = await import('bullmq');
    let worker: InstanceType<typeof Worker<BatchData>> | undefined;
    try {
      const options = defaultVerifyOptions();
      const jobs = () => queue.queue.getJobCounts('wait', 'prioritized');
      // Three mail servers' batches of a bulk job, then one live request.
      const bulk = ['a@[127.0.4.1]', 'a@[127.0.4.2]', 'a@[127.0.4.3]'];
      const bulkDone = queue.check(options, bulk, AbortSignal.timeout(60_000), () => undefined, 'bulk');
      await vi.waitFor(async () => expect(await jobs()).toEqual({ wait: 0, prioritized: 3 }));
      const live = 'b@[127.0.4.9]';
      const liveDone = queue.check(options, [live], AbortSignal.timeout(60_000), () => undefined, 'live');
      await vi.waitFor(async () => expect(await jobs()).toEqual({ wait: 1, prioritized: 3 }));

      // One worker taking one batch at a time: the order it is given them.
      const taken: string[] = [];
      worker = new Worker<BatchData>(
        QUEUE_NAME,
        async (job) => void taken.push(job.data.inputs.map((input) => input.address).join()),
        { connection: redisOptions(own.url), concurrency: 1 },
      );
      // (The worker answers nothing: each address comes back unfinished, and both checks end.)
      expect(await Promise.all([liveDone, bulkDone])).toEqual(['done', 'done']);
      expect(taken[0]).toBe(live);
      expect(taken.slice(1).sort()).toEqual(bulk);
    } finally {
      await worker?.close();
      await queue.close();
      await own.remove();
    }
  });
});

describe('faults', () => {
  let slow: FakeSmtp;
  const SLOW_IP = '127.0.3.1';
  const mailboxes = Array.from({ length: 12 }, (_, i) => `m${i}@[${SLOW_IP}]`);
  const addresses = [...mailboxes, ...Array.from({ length: 12 }, (_, i) => `gone${i}@[${SLOW_IP}]`)];

  beforeAll(async () => {
    // One command per round trip, 100 ms each, three recipients per transaction: a batch takes
    // seconds, answered a few addresses at a time.
    slow = await startFakeSmtp({
      name: 'mx.slow.test',
      host: SLOW_IP,
      port: 25,
      behaviour: { kind: 'strict-mta', pipelining: false, replyDelayMs: 100, recipientLimit: 3, mailboxes },
    });
  });
  afterAll(async () => {
    await slow?.stop();
  });

  const expectAllAnsweredOnce = (streamed: Streamed) => {
    expect(streamed.done).toMatchObject({ type: 'done', count: addresses.length });
    expect(streamed.lines).toBe(addresses.length);
    for (const [index, result] of streamed.results) {
      expect(result.address).toBe(addresses[index]);
      expect(`${result.verdict} ${result.reason}`).toBe(
        index < mailboxes.length ? 'deliverable mailbox_exists' : 'undeliverable mailbox_not_found',
      );
    }
  };

  it('a worker killed mid-batch: another takes the batch after stall detection, and what was answered is neither asked nor reported again', async () => {
    slow.reset();
    let killed: Promise<unknown> | null = null;
    let answeredBeforeKill: string[] = [];
    let killedAt = 0;
    const streamed = await verifyOnServer(addresses, ({ results }) => {
      if (killed || results.size < 4) return;
      const busy = slow.sessions[slow.sessions.length - 1]!;
      const victim = workers[SOURCES.indexOf(busy.remoteAddress.replace(/^::ffff:/, ''))]!;
      answeredBeforeKill = [...results.values()].map((r) => r.address);
      killedAt = Date.now();
      killed = victim.stop('SIGKILL').then(async () => {
        const index = workers.indexOf(victim);
        workers[index] = await startWorker(redis.url, ['--source-address', SOURCES[index]!, '--concurrency', '1'], env);
      });
    });
    await killed;
    expectAllAnsweredOnce(streamed);
    expect(answeredBeforeKill.length).toBeGreaterThanOrEqual(4);
    // The batch went on from another worker, and what was answered was not asked again.
    const after = slow.sessions.filter((s) => s.startedAt > killedAt);
    expect(after.length).toBeGreaterThan(0);
    expect(after.flatMap((s) => s.rcptTo).filter((rcpt) => answeredBeforeKill.includes(rcpt))).toEqual([]);
    expect(after.flatMap((s) => s.rcptTo).length).toBeGreaterThan(0);
  });

  it('Redis stopped and started again mid-batch: server and workers reconnect and finish, each answer once', async () => {
    slow.reset();
    let restarted: Promise<void> | null = null;
    const streamed = await verifyOnServer(addresses, ({ results }) => {
      if (restarted || results.size < 3) return;
      restarted = redis.stop().then(async () => {
        // While Redis is away, the server says so rather than hanging.
        const health = await fetch(`${server.url}/v1/health`, { headers: { authorization: `Bearer ${KEY}` } }).then(
          (response) => response.json(),
        );
        expect(health.queue).toMatchObject({ mode: 'redis', reachable: false });
        await redis.start();
      });
    });
    await restarted;
    expect(restarted).not.toBeNull();
    expectAllAnsweredOnce(streamed);
  });
});

describe('budgets shared by the fleet', () => {
  it('three workers together send one mail server no more recipients a minute than one would', async () => {
    const perMinute = 12;
    await Promise.all(workers.map((worker) => worker.stop()));
    workers = await Promise.all(
      SOURCES.map((source) =>
        startWorker(redis.url, ['--source-address', source, '--concurrency', '1'], {
          ...env,
          MXLENS_MX_RCPTS_PER_MINUTE: String(perMinute),
        }),
      ),
    );
    const fake = world.fakes['mx.catchall.test']!;
    fake.reset();
    // Three batches for one mail server, one per worker.
    const addresses = Array.from({ length: 250 }, (_, i) => `user${i}@catchall.test`);

    const streamed = await verifyOnServer(addresses);
    expect(streamed.lines).toBe(addresses.length);
    const rcpts = fake.sessions.flatMap((s) => s.rcptTo);
    expect(rcpts.length).toBeGreaterThan(0);
    expect(rcpts.length).toBeLessThanOrEqual(perMinute);
    const overBudget = [...streamed.results.values()].filter(
      (r) => r.reason === 'rate_limited' && r.rule === 'over-budget',
    );
    expect(overBudget.length).toBeGreaterThanOrEqual(addresses.length - perMinute);
  });
});

describe('a mail server that refuses one worker', () => {
  it('pauses that worker for that server only, and another worker answers the batch', async () => {
    const BLOCKING_IP = '127.0.3.2';
    const [refused, ...others] = SOURCES;
    const mailboxes = [`ann@[${BLOCKING_IP}]`, `ben@[${BLOCKING_IP}]`];
    const fake = await startFakeSmtp({
      name: 'mx.picky.test',
      host: BLOCKING_IP,
      port: 25,
      behaviour: { kind: 'strict-mta', mailboxes, blockedClients: [refused!] },
    });
    const redisClient = new Redis(redis.url);
    try {
      // Only the refused worker runs when the batch is queued, so it is the one that meets the refusal.
      await Promise.all(workers.slice(1).map((worker) => worker.stop()));
      const answered = verifyOnServer([...mailboxes, `nobody@[${BLOCKING_IP}]`]);
      await vi.waitFor(() => expect(fake.sessions.some((s) => s.rcptTo.length > 0)).toBe(true), { timeout: 20_000 });
      workers = [
        workers[0]!,
        ...(await Promise.all(
          others.map((source) => startWorker(redis.url, ['--source-address', source!, '--concurrency', '1'], env)),
        )),
      ];
      const streamed = await answered;

      expect([...streamed.results.values()].map((r) => `${r.address} ${r.reason}`).sort()).toEqual([
        `ann@[${BLOCKING_IP}] mailbox_exists`,
        `ben@[${BLOCKING_IP}] mailbox_exists`,
        `nobody@[${BLOCKING_IP}] mailbox_not_found`,
      ]);
      const asking = (source: string) =>
        fake.sessions.filter((s) => s.remoteAddress.replace(/^::ffff:/, '') === source && s.rcptTo.length > 0);
      expect(asking(refused!)).toHaveLength(1);
      expect(others.some((source) => asking(source!).length > 0)).toBe(true);
      expect(await redisClient.pttl(`mxlens:pause:${refused} ${BLOCKING_IP}`)).toBeGreaterThan(0);
      for (const source of others) expect(await redisClient.exists(`mxlens:pause:${source} ${BLOCKING_IP}`)).toBe(0);
      const health = await fetch(`${server.url}/v1/health`, { headers: { authorization: `Bearer ${KEY}` } }).then(
        (response) => response.json(),
      );
      expect(health.queue).toMatchObject({ mode: 'redis', reachable: true, batches: { wait: 0, active: 0 } });
      expect([...health.queue.workers].sort()).toEqual([...SOURCES].sort());
      expect(health.queue.pauses).toEqual([{ worker: refused, mx: BLOCKING_IP, msLeft: expect.any(Number) }]);
    } finally {
      redisClient.disconnect();
      await fake.stop();
    }
  });
});

describe('Redis not up when the server starts', () => {
  it('a server started while Redis is down says so on stderr, keeps trying, and serves once Redis is up', async () => {
    // A Redis of its own, stopped before the server starts: the fleet's stays up.
    const lateRedis = await startRedis();
    await lateRedis.stop();
    let saidIt: () => void;
    const said = new Promise<void>((resolve) => (saidIt = resolve));
    const starting = startServe({
      env: { ...env, MXLENS_SERVE_KEYS: `ci:${KEY}` },
      args: ['--redis', lateRedis.url],
      onStderr: (text) => {
        if (
          text.includes(`mxlens serve: cannot reach Redis at ${lateRedis.url}`) &&
          text.includes('retrying until it answers')
        )
          saidIt();
      },
    });
    await said;
    await lateRedis.start();
    const late = await starting;
    try {
      expect(late.stderr()).toContain(`mxlens serve: Redis at ${lateRedis.url} answers again`);
      const health = await call<Record<string, any>>(late, 'GET', '/v1/health', { key: KEY });
      expect(health.body.queue).toMatchObject({ mode: 'redis', reachable: true });
    } finally {
      await late.stop();
      await lateRedis.remove();
    }
  });
});
