import type { VerifyOptions } from '../engine/options.js';
import type { VerificationResult } from '../../shared/result.js';
import { reachableOf, type Reachable } from './reacher-output.js';
import type { Database } from './store.js';

// Bulk jobs in the database. Inputs are written once, in one transaction, when the job is
// accepted; results are written in batches keyed by (job, index) with INSERT OR IGNORE, and
// the job's counters move only for rows really inserted: after a crash, the addresses of an
// unfinished batch are checked again, and none is stored or counted twice.

export interface JobRow {
  id: number;
  key_name: string;
  created_at: string;
  finished_at: string | null;
  total: number;
  options: string;
  status: 'running' | 'completed';
  processed: number;
  safe: number;
  invalid: number;
  risky: number;
  unknown: number;
}

export interface PendingInput {
  idx: number;
  address: string;
}

export class BulkStore {
  private readonly statements;
  readonly create: (keyName: string, addresses: readonly string[], options: VerifyOptions) => number;
  readonly saveResults: (jobId: number, results: ReadonlyArray<{ idx: number; result: VerificationResult }>) => number;

  constructor(db: Database) {
    this.statements = {
      insertJob: db.prepare("INSERT INTO jobs (key_name, created_at, total, options, status) VALUES (?, ?, ?, ?, 'running')"),
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
      pendingTotal: db.prepare("SELECT COALESCE(SUM(total - processed), 0) AS pending FROM jobs WHERE status = 'running'"),
      page: db.prepare('SELECT idx, result FROM job_results WHERE job_id = ? ORDER BY idx LIMIT ? OFFSET ?'),
      after: db.prepare('SELECT idx, result FROM job_results WHERE job_id = ? AND idx > ? ORDER BY idx LIMIT ?'),
    };
    this.create = db.transaction((keyName: string, addresses: readonly string[], options: VerifyOptions): number => {
      const id = Number(this.statements.insertJob.run(keyName, new Date().toISOString(), addresses.length, JSON.stringify(options)).lastInsertRowid);
      addresses.forEach((address, idx) => this.statements.insertInput.run(id, idx, address));
      return id;
    });
    this.saveResults = db.transaction((jobId: number, results: ReadonlyArray<{ idx: number; result: VerificationResult }>): number => {
      const counts: Record<Reachable, number> & { processed: number; id: number } = { id: jobId, processed: 0, safe: 0, invalid: 0, risky: 0, unknown: 0 };
      for (const { idx, result } of results) {
        if (this.statements.insertResult.run(jobId, idx, JSON.stringify(result)).changes === 0) continue;
        counts.processed++;
        counts[reachableOf(result)]++;
      }
      this.statements.count.run(counts);
      return counts.processed;
    });
  }

  job(id: number): JobRow | null {
    return (this.statements.job.get(id) as JobRow | undefined) ?? null;
  }

  nextRunning(): JobRow | null {
    return (this.statements.nextRunning.get() as JobRow | undefined) ?? null;
  }

  /** Inputs after `afterIdx` that have no result yet, in input order. */
  pendingChunk(jobId: number, afterIdx: number, limit: number): PendingInput[] {
    return this.statements.pendingChunk.all(jobId, afterIdx, limit) as PendingInput[];
  }

  complete(jobId: number): void {
    this.statements.complete.run(new Date().toISOString(), jobId);
  }

  /** Addresses of running jobs without a result yet. */
  pending(): number {
    return (this.statements.pendingTotal.get() as { pending: number }).pending;
  }

  page(jobId: number, limit: number, offset: number): VerificationResult[] {
    return (this.statements.page.all(jobId, limit, offset) as Array<{ result: string }>).map((row) => JSON.parse(row.result) as VerificationResult);
  }

  /** Every result in input order, read a page at a time (memory stays bounded on big jobs). */
  *all(jobId: number, pageSize = 1000): Generator<VerificationResult> {
    let after = -1;
    for (;;) {
      const rows = this.statements.after.all(jobId, after, pageSize) as Array<{ idx: number; result: string }>;
      if (rows.length === 0) return;
      for (const row of rows) yield JSON.parse(row.result) as VerificationResult;
      after = rows[rows.length - 1]!.idx;
    }
  }
}
