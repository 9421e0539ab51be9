import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startPostgres, type PostgresHandle } from '../world/postgres.js';
import { useWorld, type World } from '../world/index.js';
import { JobLeaseLostError, openPostgresStore } from '../../native-host/src/server/bulk-store-postgres.js';
import type { VerificationResult } from '../../native-host/shared/result.js';
import { runMxlens } from './cli.js';
import { addKey, call, newDataDir, startServe, WORLD_ENV, type ServeProcess } from './server-process.js';
import { schemaErrors } from './server-reacher-schema.js';
import { startRedis, type RedisHandle } from '../world/redis.js';
import { startWorker, type WorkerProcess } from './worker-process.js';

// Bulk jobs on both job stores, with the same tests: the embedded SQLite (the default) and a
// real PostgreSQL (`--postgres URL`, a cluster this file starts in a temp folder). Then what
// PostgreSQL alone brings: stopped during a submission, it costs a 503 and nothing else. The
// PostgreSQL store also runs with the checks on Redis (serve --redis and a worker): the
// distributed mode whole.

const ENV_KEY = 'ci-key-0123456789abcdef';
type StoreKind = 'sqlite' | 'postgres';
type QueueKind = 'embedded' | 'redis';
const SETUPS: Array<{ kind: StoreKind; queue: QueueKind }> = [
  { kind: 'sqlite', queue: 'embedded' },
  { kind: 'postgres', queue: 'embedded' },
  { kind: 'postgres', queue: 'redis' },
];

let world: World;
let postgres: PostgresHandle;
let redis: RedisHandle | undefined;
const workers: WorkerProcess[] = [];
const running: ServeProcess[] = [];
let databases = 0;

beforeAll(async () => {
  [world, postgres] = await Promise.all([useWorld(), startPostgres()]);
});
afterAll(async () => {
  for (const server of running) await server.stop('SIGKILL');
  for (const worker of workers) await worker.stop('SIGKILL');
  await redis?.remove();
  await postgres?.remove();
  await world?.stop();
});

/**
 * A data folder, for PostgreSQL a new database of its own, one stored key (in the database the
 * server uses), and for the Redis queue a redis-server (one for the file) and a worker.
 */
async function newSetup(
  kind: StoreKind,
  queue: QueueKind = 'embedded',
): Promise<{ dataDir: string; key: string; args: string[]; databaseUrl: string | null }> {
  const dataDir = newDataDir();
  const databaseUrl = kind === 'postgres' ? await postgres.createDatabase(`bulk_${++databases}`) : null;
  const args = databaseUrl ? ['--postgres', databaseUrl] : [];
  const key = await addKey(dataDir, 'bulk', args);
  if (queue === 'redis') {
    redis ??= await startRedis();
    workers.push(await startWorker(redis.url, [], WORLD_ENV));
    args.push('--redis', redis.url);
  }
  return { dataDir, key, args, databaseUrl };
}

async function serve(setup: { dataDir: string; args: string[] }, env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const server = await startServe({
    dataDir: setup.dataDir,
    args: setup.args,
    env: {
      ...WORLD_ENV,
      MXLENS_SERVE_KEYS: `ci:${ENV_KEY}`,
      MXLENS_SERVE_PROBE_DOMAIN: 'acme.test',
      MXLENS_SERVE_RATE: '100000',
      ...env,
    },
  });
  running.push(server);
  return server;
}

/** Half at domains that do not exist, a tenth at acme.test, the rest bad syntax: every verdict appears. */
function address(i: number, domains = 2_000): string {
  if (i % 10 === 0) return `user${i}@acme.test`;
  if (i % 10 === 1) return `not an address ${i}`;
  return `user${i}@d${i % domains}.test`;
}

describe.each(SETUPS)('bulk jobs in the $kind store, $queue queue', ({ kind, queue }) => {
  let server: ServeProcess;
  let key: string;

  beforeAll(async () => {
    const setup = await newSetup(kind, queue);
    key = setup.key;
    server = await serve(setup, { MXLENS_SERVE_QUOTA: '100000' });
  });

  it('checks a job in the background (SMTP level), reports progress and summary, and pages results as JSON and CSV', async () => {
    const input = [
      'alice@acme.test',
      'nobody@acme.test',
      'info@acme.test',
      'x@catchall.test',
      'bad',
      'someone@nowhere.test',
      'bob@acme.test',
    ];
    const accepted = await call<{ job_id: number }>(server, 'POST', '/v1/bulk', { key, body: { input } });
    expect(accepted.status).toBe(200);
    expect(schemaErrors('bulkAccepted', accepted.body)).toEqual([]);
    const jobId = accepted.body.job_id;
    await server.waitForLog((line) => line.msg === 'bulk job completed' && line.job === jobId);

    const status = await call<Record<string, any>>(server, 'GET', `/v1/bulk/${jobId}`, { key });
    expect(schemaErrors('bulkStatus', status.body)).toEqual([]);
    expect(status.body).toMatchObject({
      job_id: jobId,
      total_records: 7,
      total_processed: 7,
      job_status: 'Completed',
      summary: { total_safe: 2, total_invalid: 3, total_risky: 2, total_unknown: 0 },
    });
    expect(Date.parse(status.body.finished_at)).toBeGreaterThanOrEqual(Date.parse(status.body.created_at));

    const all = await call<{ results: Array<{ input: string }> }>(
      server,
      'GET',
      `/v1/bulk/${jobId}/results?limit=100`,
      { key },
    );
    expect(schemaErrors('bulkResults', all.body)).toEqual([]);
    expect(all.body.results.map((result) => result.input)).toEqual(input);
    const page = await call<{ results: Array<{ input: string }> }>(
      server,
      'GET',
      `/v1/bulk/${jobId}/results?limit=2&offset=3`,
      { key },
    );
    expect(page.body.results.map((result) => result.input)).toEqual(input.slice(3, 5));

    const csv = await call(server, 'GET', `/v1/bulk/${jobId}/results?format=csv`, { key });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^input,is_reachable,/);
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(input);
    expect(lines[1]).toMatch(/^alice@acme\.test,safe,/);
  });

  it("hides one key's jobs from another key (404), and checks the input", async () => {
    const accepted = await call<{ job_id: number }>(server, 'POST', '/v1/bulk', {
      key,
      body: { input: ['a@acme.test'], options: { level: 'syntax' } },
    });
    const other = await call(server, 'GET', `/v1/bulk/${accepted.body.job_id}`, { authorization: ENV_KEY });
    expect(other.status).toBe(404);
    expect(schemaErrors('errorBody', other.body)).toEqual([]);
    expect((await call(server, 'GET', '/v1/bulk/999999', { key })).status).toBe(404);
    expect((await call(server, 'POST', '/v1/bulk', { key, body: { input: [] } })).status).toBe(400);
    expect((await call(server, 'POST', '/v1/bulk', { key, body: { input: [1, 2] } })).status).toBe(400);
    const webhook = await call(server, 'POST', '/v1/bulk', {
      key,
      body: { input: ['a@acme.test'], webhook: { on_each_email: { url: 'http://127.0.0.1:9/' } } },
    });
    expect(webhook.status).toBe(400);
    expect(webhook.body).toMatchObject({ error: expect.stringContaining('webhooks are not supported') });
  });

  it('names its job store in /v1/health', async () => {
    // (Once the job an earlier test left running has its one address answered.)
    await vi.waitFor(async () => {
      const health = await call<Record<string, any>>(server, 'GET', '/v1/health', { key });
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', store: { kind, ok: true }, queue: { addresses: 0 } });
      expect(health.body.queue.bulkPending).toBeGreaterThanOrEqual(0);
    });
  });

  // A 100,000-address job at DNS level survives kill -9 of the server: after a restart it resumes
  // where its committed results end, and in the end every address has exactly one result.
  // The store's resume, whichever queue: with Redis it would only make one worker check 100,000.
  it.skipIf(queue === 'redis')(
    'survives kill -9 in a job of 100,000 addresses: resumed on restart, no address lost, none reported twice',
    async () => {
      const TOTAL = 100_000;
      const setup = await newSetup(kind);
      const env = { MXLENS_SERVE_QUOTA: String(TOTAL) };
      const first = await serve(setup, env);

      const input = Array.from({ length: TOTAL }, (_, i) => address(i));
      const accepted = await call<{ job_id: number }>(first, 'POST', '/v1/bulk', {
        key: setup.key,
        body: { input, options: { level: 'dns' } },
      });
      expect(accepted.status, accepted.text).toBe(200);
      const jobId = accepted.body.job_id;

      // Killed as soon as some results are committed, in the middle of the job.
      const committed = await first.waitForLog((line) => line.msg === 'bulk chunk committed' && line.job === jobId);
      expect(await first.stop('SIGKILL')).toBe('SIGKILL');
      expect(Number(committed.processed)).toBeLessThan(TOTAL);

      const second = await serve(setup, env);
      const resumed = await second.waitForLog((line) => line.msg === 'bulk job started' && line.job === jobId);
      expect(Number(resumed.processed)).toBeGreaterThan(0);
      expect(Number(resumed.processed)).toBeLessThan(TOTAL);
      await second.waitForLog((line) => line.msg === 'bulk job completed' && line.job === jobId);
      // The restarted server checked only what had no committed result: it resumed, not restarted.
      const checkedAfterRestart = second.log
        .filter((line) => line.msg === 'bulk chunk committed' && line.job === jobId)
        .reduce((sum, line) => sum + Number(line.checked), 0);
      expect(checkedAfterRestart).toBe(TOTAL - Number(resumed.processed));

      const status = await call<Record<string, any>>(second, 'GET', `/v1/bulk/${jobId}`, { key: setup.key });
      expect(schemaErrors('bulkStatus', status.body)).toEqual([]);
      expect(status.body).toMatchObject({ total_records: TOTAL, total_processed: TOTAL, job_status: 'Completed' });
      const { total_safe, total_invalid, total_risky, total_unknown } = status.body.summary;
      expect(total_safe + total_invalid + total_risky + total_unknown).toBe(TOTAL);
      // acme.test answers at DNS level (unknown: the mailbox was not asked); the rest are invalid.
      expect(total_unknown).toBe(TOTAL / 10);
      expect(total_invalid).toBe(TOTAL - TOTAL / 10);

      // Every input exactly once, in input order, streamed as CSV.
      const csv = await call(second, 'GET', `/v1/bulk/${jobId}/results?format=csv`, { key: setup.key });
      const rows = csv.text.trimEnd().split('\r\n').slice(1);
      expect(rows.length).toBe(TOTAL);
      const mismatched = rows
        .map((row, i) => [i, row.startsWith('"') ? row.slice(1, row.indexOf('"', 1)) : row.split(',')[0]] as const)
        .filter(([i, input]) => input !== address(i));
      expect(mismatched.slice(0, 5)).toEqual([]);

      const page = await call<{ results: Array<{ input: string }> }>(
        second,
        'GET',
        `/v1/bulk/${jobId}/results?limit=3&offset=99997`,
        { key: setup.key },
      );
      expect(schemaErrors('bulkResults', page.body)).toEqual([]);
      expect(page.body.results.map((result) => result.input)).toEqual([
        address(99_997),
        address(99_998),
        address(99_999),
      ]);
    },
  );
});

describe('PostgreSQL stopped during a bulk submission', () => {
  // Up again for the files' other tests, whatever became of this one.
  afterAll(() => postgres.start());

  it('answers 503 and writes nothing of it; once PostgreSQL is back, the running job completes and new jobs are taken', async () => {
    const RUNNING = 20_000;
    const FRESH = 50;
    const setup = await newSetup('postgres');
    // The quota fits exactly the jobs that get in: a refused submission must give its addresses back.
    const server = await serve(setup, { MXLENS_SERVE_QUOTA: String(RUNNING + FRESH) });
    const [locker, watcher] = await Promise.all([
      postgres.connect(setup.databaseUrl!),
      postgres.connect(setup.databaseUrl!),
    ]);

    const first = await call<{ job_id: number }>(server, 'POST', '/v1/bulk', {
      key: setup.key,
      body: { input: Array.from({ length: RUNNING }, (_, i) => address(i)), options: { level: 'dns' } },
    });
    expect(first.status, first.text).toBe(200);
    const runningJob = first.body.job_id;
    await server.waitForLog((line) => line.msg === 'bulk chunk committed' && line.job === runningJob);

    // Hold the inputs table, so the next submission is caught in the middle of its transaction
    // (its job row written, its inputs waiting), and the running job cannot read its next chunk.
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE bulk_inputs IN ACCESS EXCLUSIVE MODE');
    const submitting = call<Record<string, any>>(server, 'POST', '/v1/bulk', {
      key: setup.key,
      body: { input: ['a@acme.test', 'b@acme.test'] },
    });
    // (From another connection: inside a transaction, pg_stat_activity stays as first read.)
    await waitFor(async () => {
      const { rows } = await watcher.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO bulk_inputs%'",
      );
      return rows[0].n === 1;
    });
    // Down at once, as in a crash. A fast shutdown ends the lock holder's session first, and the
    // waiting submission could take the lock and commit before it reads its own end (seen on CI).
    await postgres.stop('immediate');

    const refused = await submitting;
    expect(refused.status, refused.text).toBe(503);
    expect(refused.body).toMatchObject({ code: 'unavailable', error: expect.stringContaining('nothing was saved') });
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(schemaErrors('errorBody', refused.body)).toEqual([]);
    const whileDown = await call<Record<string, any>>(server, 'POST', '/v1/bulk', {
      key: setup.key,
      body: { input: ['c@acme.test'] },
    });
    expect(whileDown.status).toBe(503);
    expect((await call(server, 'GET', `/v1/bulk/${runningJob}`, { key: setup.key })).status).toBe(503);
    // The stored key cannot be looked up now (503 above); a key from the environment still can.
    const health = await call<Record<string, any>>(server, 'GET', '/v1/health', { authorization: ENV_KEY });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'degraded',
      store: { kind: 'postgres', ok: false },
      queue: { bulkPending: null },
    });
    await server.waitForLog((line) => line.msg === 'the bulk store failed; retrying');

    await postgres.start();
    await server.waitForLog((line) => line.msg === 'bulk job completed' && line.job === runningJob);
    const fresh = await call<{ job_id: number }>(server, 'POST', '/v1/bulk', {
      key: setup.key,
      body: { input: Array.from({ length: FRESH }, (_, i) => `fresh${i}@acme.test`), options: { level: 'dns' } },
    });
    expect(fresh.status, fresh.text).toBe(200);
    await server.waitForLog((line) => line.msg === 'bulk job completed' && line.job === fresh.body.job_id);
    expect((await call<Record<string, any>>(server, 'GET', '/v1/health', { key: setup.key })).body).toMatchObject({
      status: 'ok',
      store: { ok: true },
    });

    // In the database: the two accepted jobs, complete, each input and each result once; of the
    // refused submissions, not a row.
    const db = await postgres.connect(setup.databaseUrl!);
    try {
      const jobs = await db.query('SELECT id, total, processed, status FROM bulk_jobs ORDER BY id');
      expect(jobs.rows).toEqual([
        { id: runningJob, total: RUNNING, processed: RUNNING, status: 'completed' },
        { id: fresh.body.job_id, total: FRESH, processed: FRESH, status: 'completed' },
      ]);
      const counts = await db.query(
        'SELECT (SELECT count(*)::int FROM bulk_inputs) AS inputs, (SELECT count(*)::int FROM bulk_results) AS results',
      );
      expect(counts.rows[0]).toEqual({ inputs: RUNNING + FRESH, results: RUNNING + FRESH });
    } finally {
      await db.end();
      await Promise.all([locker.end(), watcher.end()].map((ending) => ending.catch(() => {})));
    }
  });
});

describe('several server nodes on one PostgreSQL', () => {
  it('run each job on one node at a time; a node whose lease ran out leaves the job to the node that took it', async () => {
    const url = await postgres.createDatabase(`bulk_${++databases}`);
    const [first, second] = await Promise.all([openPostgresStore(url, 'node-a'), openPostgresStore(url, 'node-b')]);
    const db = await postgres.connect(url);
    try {
      const jobId = await first.create('k', ['a@acme.test', 'b@acme.test', 'c@acme.test'], {} as never);
      expect((await first.nextRunning())?.id).toBe(jobId);
      expect(await second.nextRunning()).toBeNull();
      expect((await first.pendingChunk(jobId, -1, 10)).map((input) => input.address)).toEqual([
        'a@acme.test',
        'b@acme.test',
        'c@acme.test',
      ]);

      // Results are idempotent whoever writes them: the same (job, index) counts once.
      const result = { address: 'a@acme.test', verdict: 'unknown', reason: 'skipped' } as unknown as VerificationResult;
      expect(await first.saveResults(jobId, [{ idx: 0, result }])).toBe(1);
      expect(await second.saveResults(jobId, [{ idx: 0, result }])).toBe(0);
      expect((await first.job(jobId))?.processed).toBe(1);

      // node-a stops renewing (it died): once its lease is past, node-b takes the job, and
      // node-a, should it come back, is told so instead of checking the job a second time.
      await db.query("UPDATE bulk_jobs SET runner_until = now() - interval '1 second' WHERE id = $1", [jobId]);
      expect((await second.nextRunning())?.id).toBe(jobId);
      await expect(first.pendingChunk(jobId, -1, 10)).rejects.toBeInstanceOf(JobLeaseLostError);
      expect((await second.pendingChunk(jobId, -1, 10)).map((input) => input.idx)).toEqual([1, 2]);
    } finally {
      await db.end();
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe('two mxlens serve nodes on one PostgreSQL', () => {
  it('share the jobs: a job submitted to one node is read on both, and each address is checked once', async () => {
    const TOTAL = 20_000;
    const setup = await newSetup('postgres');
    const env = { MXLENS_SERVE_QUOTA: String(TOTAL) };
    const first = await serve(setup, env);
    const accepted = await call<{ job_id: number }>(first, 'POST', '/v1/bulk', {
      authorization: ENV_KEY,
      body: { input: Array.from({ length: TOTAL }, (_, i) => address(i)), options: { level: 'dns' } },
    });
    expect(accepted.status, accepted.text).toBe(200);
    const jobId = accepted.body.job_id;
    await first.waitForLog((line) => line.msg === 'bulk job started' && line.job === jobId);

    // The second node (its own data folder, so another name) looks for jobs as it starts and
    // finds this one held by the first.
    const second = await serve({ ...setup, dataDir: newDataDir() }, env);
    const completed = await Promise.race(
      [first, second].map((node) => node.waitForLog((line) => line.msg === 'bulk job completed' && line.job === jobId)),
    );
    // (The second node was up while the job ran, or the test would prove nothing.)
    const secondUp = await second.waitForLog((line) => line.msg === 'listening');
    expect(Number(secondUp.time)).toBeLessThan(Number(completed.time));
    const status = await call<Record<string, any>>(second, 'GET', `/v1/bulk/${jobId}`, { authorization: ENV_KEY });
    expect(status.body).toMatchObject({ total_records: TOTAL, total_processed: TOTAL, job_status: 'Completed' });
    const checked = (node: ServeProcess) =>
      node.log
        .filter((line) => line.msg === 'bulk chunk committed' && line.job === jobId)
        .reduce((sum, line) => sum + Number(line.checked), 0);
    expect(checked(first)).toBe(TOTAL);
    expect(checked(second)).toBe(0);
    expect(second.log.some((line) => line.msg === 'bulk job started')).toBe(false);
  });
});

describe('mxlens serve --postgres at start', () => {
  const serveArgs = (url: string) => ['serve', '--listen', '127.0.0.1:0', '--data', newDataDir(), '--postgres', url];

  it('refuses a URL that is not a PostgreSQL one, and says why it cannot use a database it cannot reach', async () => {
    const notPostgres = await runMxlens(serveArgs('mysql://db.example.com/x'));
    expect(notPostgres.code).toBe(2);
    expect(notPostgres.stderr).toContain('--postgres takes a postgres:// URL');

    // Nothing listens on port 1: the server stops at once, naming the database without its password.
    const unreachable = await runMxlens(serveArgs('postgres://mxlens:secret@127.0.0.1:1/mxlens'));
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /cannot use the PostgreSQL database postgres:\/\/mxlens@127\.0\.0\.1:1\/mxlens: .*ECONNREFUSED/,
    );
    expect(unreachable.stderr).not.toContain('secret');
  });
});

/** Polls a condition of the database until it holds. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}
