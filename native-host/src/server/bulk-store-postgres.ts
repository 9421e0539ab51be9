import type * as PgModule from 'pg';
import type { Pool, PoolClient } from 'pg';
import type { VerifyOptions } from '../engine/options.js';
import type { VerificationResult } from '../../shared/result.js';
import {
  countResults,
  StoreUnavailableError,
  type BulkStore,
  type IndexedResult,
  type JobRow,
  type PendingInput,
  type StoreHealth,
} from './bulk-store.js';
import { ServerSetupError } from './store.js';

// Bulk jobs in PostgreSQL, shared by every server node (`--postgres URL`). The tables are
// created on start by numbered migrations, under a lock, so nodes starting together do not race.
// A job's inputs go in with one statement inside the job's transaction; results go in with
// INSERT ... ON CONFLICT DO NOTHING, and the counters move by the rows it returned. A node runs a
// job under a lease it renews with each chunk and batch: the other nodes leave the job alone
// until the lease runs out (the node died), then one of them takes it over.

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE bulk_jobs (
     id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     key_name text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     finished_at timestamptz,
     total integer NOT NULL,
     options text NOT NULL,
     status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed')),
     processed integer NOT NULL DEFAULT 0,
     safe integer NOT NULL DEFAULT 0,
     invalid integer NOT NULL DEFAULT 0,
     risky integer NOT NULL DEFAULT 0,
     unknown integer NOT NULL DEFAULT 0);
   CREATE INDEX bulk_jobs_running ON bulk_jobs (id) WHERE status = 'running';
   CREATE TABLE bulk_inputs (
     job_id integer NOT NULL REFERENCES bulk_jobs ON DELETE CASCADE,
     idx integer NOT NULL,
     address text NOT NULL,
     PRIMARY KEY (job_id, idx));
   CREATE TABLE bulk_results (
     job_id integer NOT NULL REFERENCES bulk_jobs ON DELETE CASCADE,
     idx integer NOT NULL,
     result jsonb NOT NULL,
     PRIMARY KEY (job_id, idx));`,
  // Which server node runs a job, and until when (renewed as it goes): one node per job.
  `ALTER TABLE bulk_jobs ADD COLUMN runner text, ADD COLUMN runner_until timestamptz;`,
  // API keys and their daily usage, shared by the nodes (account-store-postgres.ts).
  `CREATE TABLE api_keys (
     name text PRIMARY KEY,
     hash text NOT NULL UNIQUE,
     created_at timestamptz NOT NULL DEFAULT now());
   CREATE TABLE key_usage (
     key_name text NOT NULL,
     day date NOT NULL,
     addresses integer NOT NULL,
     PRIMARY KEY (key_name, day));`,
];

/** Any 64-bit number of our own: pg_advisory_xact_lock's key for "migrating". */
const MIGRATION_LOCK = 0x6d786c656e73;
const PAGE = 1000;
const ANALYZE_FROM = 10_000;
const JOB_COLUMNS =
  'id, key_name, created_at, finished_at, total, options, status, processed, safe, invalid, risky, unknown';

/** How long a node's claim on a job lasts without being renewed. */
const JOB_LEASE_SECONDS = 120;

/**
 * Connects, creates or updates the tables, and returns the store; a clear error when it cannot.
 * `runner` names this server node in job leases: the same after a restart, so a node that was
 * killed takes its own jobs back at once.
 */
export async function openPostgresStore(url: string, runner: string): Promise<PostgresBulkStore> {
  let pg: typeof PgModule;
  try {
    pg = (await import('pg')).default as unknown as typeof PgModule;
  } catch (error) {
    throw new ServerSetupError(
      `the module pg is missing (${(error as Error).message.split('\n')[0]}): install it beside mxlens (npm install pg)`,
    );
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    application_name: 'mxlens',
  });
  // An idle connection that PostgreSQL closed (restart, failover) is an 'error' on the pool;
  // unhandled it would end the process. The pool drops it, and the next query opens a new one.
  pool.on('error', () => {});
  const store = new PostgresBulkStore(pool, runner);
  try {
    await store.migrate();
  } catch (error) {
    await pool.end();
    throw new ServerSetupError(`cannot use the PostgreSQL database ${redactUrl(url)}: ${(error as Error).message}`);
  }
  return store;
}

/** postgres://user:secret@host/db → postgres://user@host/db, for logs and messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.href;
  } catch {
    return 'the configured database';
  }
}

/** Another node took the job over (this node's lease ran out): this node leaves it. */
export class JobLeaseLostError extends Error {
  override readonly name = 'JobLeaseLostError';
}

export class PostgresBulkStore implements BulkStore {
  constructor(
    /** Shared with the keys and usage (account-store-postgres.ts); closed with this store. */
    readonly pool: Pool,
    private readonly runner: string,
  ) {}

  async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS mxlens_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ version: number | null }>(
        'SELECT max(version) AS version FROM mxlens_migrations',
      );
      for (let version = (rows[0]?.version ?? 0) + 1; version <= MIGRATIONS.length; version++) {
        await client.query(MIGRATIONS[version - 1]!);
        await client.query('INSERT INTO mxlens_migrations (version) VALUES ($1)', [version]);
      }
    });
  }

  async create(keyName: string, addresses: readonly string[], options: VerifyOptions): Promise<number> {
    const id = await this.transaction(async (client) => {
      const { rows } = await client.query<{ id: number }>(
        'INSERT INTO bulk_jobs (key_name, total, options) VALUES ($1, $2, $3) RETURNING id',
        [keyName, addresses.length, JSON.stringify(options)],
      );
      const id = rows[0]!.id;
      await client.query(
        'INSERT INTO bulk_inputs (job_id, idx, address) SELECT $1, n - 1, address FROM unnest($2::text[]) WITH ORDINALITY AS t(address, n)',
        [id, addresses],
      );
      return id;
    });
    // Until autovacuum counts a big job's rows, the planner thinks the inputs are few and reads
    // every result of the job to find the next chunk (seconds per chunk at 100,000 addresses).
    // The job is saved by now: a failure here changes nothing.
    if (addresses.length >= ANALYZE_FROM) await this.pool.query('ANALYZE bulk_inputs').catch(() => {});
    return id;
  }

  async saveResults(jobId: number, results: readonly IndexedResult[]): Promise<number> {
    if (results.length === 0) return 0;
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ result: VerificationResult }>(
        'INSERT INTO bulk_results (job_id, idx, result) SELECT $1, idx, result::jsonb FROM unnest($2::integer[], $3::text[]) AS t(idx, result) ' +
          'ON CONFLICT (job_id, idx) DO NOTHING RETURNING result',
        [jobId, results.map(({ idx }) => idx), results.map(({ result }) => JSON.stringify(result))],
      );
      const counts = countResults(rows.map((row) => row.result));
      await client.query(
        'UPDATE bulk_jobs SET processed = processed + $2, safe = safe + $3, invalid = invalid + $4, risky = risky + $5, unknown = unknown + $6, ' +
          `runner_until = CASE WHEN runner = $7 THEN now() + interval '${JOB_LEASE_SECONDS} seconds' ELSE runner_until END WHERE id = $1`,
        [jobId, counts.processed, counts.safe, counts.invalid, counts.risky, counts.unknown, this.runner],
      );
      return counts.processed;
    });
  }

  async job(id: number): Promise<JobRow | null> {
    const { rows } = await this.query(`SELECT ${JOB_COLUMNS} FROM bulk_jobs WHERE id = $1`, [id]);
    return rows[0] ? jobRow(rows[0]) : null;
  }

  /** The oldest running job no other node holds, now held by this one. */
  async nextRunning(): Promise<JobRow | null> {
    const { rows } = await this.query(
      `UPDATE bulk_jobs SET runner = $1, runner_until = now() + interval '${JOB_LEASE_SECONDS} seconds' WHERE id = (` +
        "SELECT id FROM bulk_jobs WHERE status = 'running' AND (runner IS NULL OR runner = $1 OR runner_until < now()) " +
        `ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING ${JOB_COLUMNS}`,
      [this.runner],
    );
    return rows[0] ? jobRow(rows[0]) : null;
  }

  /** Renews this node's lease on the job first; JobLeaseLostError when another node holds it. */
  async pendingChunk(jobId: number, afterIdx: number, limit: number): Promise<PendingInput[]> {
    const renewed = await this.query(
      `UPDATE bulk_jobs SET runner_until = now() + interval '${JOB_LEASE_SECONDS} seconds' WHERE id = $1 AND runner = $2`,
      [jobId, this.runner],
    );
    if (renewed.rowCount === 0) throw new JobLeaseLostError(`another server node runs bulk job ${jobId} now`);
    const { rows } = await this.query(
      'SELECT i.idx, i.address FROM bulk_inputs i WHERE i.job_id = $1 AND i.idx > $2 ' +
        'AND NOT EXISTS (SELECT 1 FROM bulk_results r WHERE r.job_id = i.job_id AND r.idx = i.idx) ORDER BY i.idx LIMIT $3',
      [jobId, afterIdx, limit],
    );
    return rows as PendingInput[];
  }

  async complete(jobId: number): Promise<void> {
    await this.query("UPDATE bulk_jobs SET status = 'completed', finished_at = now() WHERE id = $1", [jobId]);
  }

  async pending(): Promise<number> {
    const { rows } = await this.query(
      "SELECT COALESCE(SUM(total - processed), 0)::integer AS pending FROM bulk_jobs WHERE status = 'running'",
    );
    return (rows[0] as { pending: number }).pending;
  }

  async page(jobId: number, limit: number, offset: number): Promise<VerificationResult[]> {
    const { rows } = await this.query(
      'SELECT result FROM bulk_results WHERE job_id = $1 ORDER BY idx LIMIT $2 OFFSET $3',
      [jobId, limit, offset],
    );
    return rows.map((row) => (row as { result: VerificationResult }).result);
  }

  async *all(jobId: number): AsyncGenerator<VerificationResult> {
    let after = -1;
    for (;;) {
      const { rows } = await this.query(
        'SELECT idx, result FROM bulk_results WHERE job_id = $1 AND idx > $2 ORDER BY idx LIMIT $3',
        [jobId, after, PAGE],
      );
      if (rows.length === 0) return;
      for (const row of rows) yield (row as { result: VerificationResult }).result;
      after = (rows[rows.length - 1] as { idx: number }).idx;
    }
  }

  async health(): Promise<StoreHealth> {
    try {
      const { rows } = await this.query('SELECT current_database() AS database');
      return {
        kind: 'postgres',
        ok: true,
        detail: `PostgreSQL, database ${(rows[0] as { database: string }).database}`,
      };
    } catch (error) {
      return { kind: 'postgres', ok: false, detail: (error as Error).message };
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private query(text: string, values: unknown[] = []) {
    return queryPool(this.pool, text, values);
  }

  /** Runs `work` in one transaction: committed whole, or rolled back (or lost with the connection). */
  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw asStoreError(error);
    }
    // A connection lost while checked out is an 'error' on the client (the pool listens only
    // while it is idle); the query in progress fails too, and that failure is what counts.
    const lost = () => {};
    client.on('error', lost);
    const release = (broken: boolean) => {
      client.removeListener('error', lost);
      client.release(broken);
    };
    try {
      await client.query('BEGIN');
      const value = await work(client);
      await client.query('COMMIT');
      release(false);
      return value;
    } catch (error) {
      // A broken connection is not given back to the pool; a healthy one is, after ROLLBACK.
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      release(!rolledBack);
      throw asStoreError(error);
    }
  }
}

/** One statement on the pool; a StoreUnavailableError when PostgreSQL cannot be reached. */
export async function queryPool(pool: Pool, text: string, values: unknown[] = []) {
  try {
    return await pool.query(text, values);
  } catch (error) {
    throw asStoreError(error);
  }
}

function jobRow(row: Record<string, unknown>): JobRow {
  return {
    ...(row as unknown as JobRow),
    created_at: (row.created_at as Date).toISOString(),
    finished_at: row.finished_at ? (row.finished_at as Date).toISOString() : null,
  };
}

/**
 * Errors that mean "PostgreSQL cannot be reached now": a socket error (refused, reset), the
 * connection dropped or timed out, or the server's connection exceptions (SQLSTATE 08),
 * shutdown or crash (57P) and lack of resources (53). Anything else is a real failure.
 */
function asStoreError(error: unknown): unknown {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
  const lost =
    sqlState === null && (typeof code === 'string' || /connection|terminated|timeout/i.test(String(message)));
  if (lost || (sqlState !== null && /^(08|57P|53)/.test(sqlState))) {
    return new StoreUnavailableError(`PostgreSQL cannot be reached: ${(error as Error).message}`, { cause: error });
  }
  return error;
}
