import type { VerifyOptions } from '../engine/options.js';
import type { VerificationResult } from '../../shared/result.js';
import {
  countResults,
  type BulkStore,
  type IndexedResult,
  type JobRow,
  type PendingInput,
  type StoreHealth,
} from './bulk-store.js';
import type { Database } from './store.js';

// Bulk jobs in the server's own SQLite database (store.ts has the schema), the default store.
// better-sqlite3 is synchronous: each method does its work at once and returns a settled promise.

const PAGE = 1000;

export class SqliteBulkStore implements BulkStore {
  private readonly statements;
  private readonly createNow: (keyName: string, addresses: readonly string[], options: VerifyOptions) => number;
  private readonly saveNow: (jobId: number, results: readonly IndexedResult[]) => number;

  constructor(db: Database) {
    this.statements = {
      insertJob: db.prepare(
        "INSERT INTO jobs (key_name, created_at, total, options, status) VALUES (?, ?, ?, ?, 'running')",
      ),
      insertInput: db.prepare('INSERT INTO job_inputs (job_id, idx, address) VALUES (?, ?, ?)'),
      insertResult: db.prepare('INSERT OR IGNORE INTO job_results (job_id, idx, result) VALUES (?, ?, ?)'),
      count: db.prepare(
        'UPDATE jobs SET processed = processed + @processed, safe = safe + @safe, invalid = invalid + @invalid, risky = risky + @risky, unknown = unknown + @unknown WHERE id = @id',
      ),
      job: db.prepare('SELECT * FROM jobs WHERE id = ?'),
      nextRunning: db.prepare("SELECT * FROM jobs WHERE status = 'running' ORDER BY id LIMIT 1"),
      pendingChunk: db.prepare(
        'SELECT i.idx, i.address FROM job_inputs i WHERE i.job_id = ? AND i.idx > ? ' +
          'AND NOT EXISTS (SELECT 1 FROM job_results r WHERE r.job_id = i.job_id AND r.idx = i.idx) ORDER BY i.idx LIMIT ?',
      ),
      complete: db.prepare("UPDATE jobs SET status = 'completed', finished_at = ? WHERE id = ?"),
      pendingTotal: db.prepare(
        "SELECT COALESCE(SUM(total - processed), 0) AS pending FROM jobs WHERE status = 'running'",
      ),
      page: db.prepare('SELECT idx, result FROM job_results WHERE job_id = ? ORDER BY idx LIMIT ? OFFSET ?'),
      after: db.prepare('SELECT idx, result FROM job_results WHERE job_id = ? AND idx > ? ORDER BY idx LIMIT ?'),
    };
    this.createNow = db.transaction((keyName: string, addresses: readonly string[], options: VerifyOptions): number => {
      const id = Number(
        this.statements.insertJob.run(keyName, new Date().toISOString(), addresses.length, JSON.stringify(options))
          .lastInsertRowid,
      );
      addresses.forEach((address, idx) => this.statements.insertInput.run(id, idx, address));
      return id;
    });
    this.saveNow = db.transaction((jobId: number, results: readonly IndexedResult[]): number => {
      const inserted = results.filter(
        ({ idx, result }) => this.statements.insertResult.run(jobId, idx, JSON.stringify(result)).changes > 0,
      );
      const counts = countResults(inserted.map(({ result }) => result));
      this.statements.count.run({ id: jobId, ...counts });
      return counts.processed;
    });
  }

  async create(keyName: string, addresses: readonly string[], options: VerifyOptions): Promise<number> {
    return this.createNow(keyName, addresses, options);
  }

  async saveResults(jobId: number, results: readonly IndexedResult[]): Promise<number> {
    return this.saveNow(jobId, results);
  }

  async job(id: number): Promise<JobRow | null> {
    return (this.statements.job.get(id) as JobRow | undefined) ?? null;
  }

  async nextRunning(): Promise<JobRow | null> {
    return (this.statements.nextRunning.get() as JobRow | undefined) ?? null;
  }

  async pendingChunk(jobId: number, afterIdx: number, limit: number): Promise<PendingInput[]> {
    return this.statements.pendingChunk.all(jobId, afterIdx, limit) as PendingInput[];
  }

  async complete(jobId: number): Promise<void> {
    this.statements.complete.run(new Date().toISOString(), jobId);
  }

  async pending(): Promise<number> {
    return (this.statements.pendingTotal.get() as { pending: number }).pending;
  }

  async page(jobId: number, limit: number, offset: number): Promise<VerificationResult[]> {
    return (this.statements.page.all(jobId, limit, offset) as Array<{ result: string }>).map(
      (row) => JSON.parse(row.result) as VerificationResult,
    );
  }

  async *all(jobId: number): AsyncGenerator<VerificationResult> {
    let after = -1;
    for (;;) {
      const rows = this.statements.after.all(jobId, after, PAGE) as Array<{ idx: number; result: string }>;
      if (rows.length === 0) return;
      for (const row of rows) yield JSON.parse(row.result) as VerificationResult;
      after = rows[rows.length - 1]!.idx;
    }
  }

  async health(): Promise<StoreHealth> {
    return { kind: 'sqlite', ok: true, detail: 'the embedded SQLite database' };
  }

  /** The database is the server's (keys and usage live there too): its owner closes it. */
  async close(): Promise<void> {}
}
