import type { VerifyOptions } from '../engine/options.js';
import type { VerificationResult } from '../../shared/result.js';
import { reachableOf, type Reachable } from './reacher-output.js';

// Where bulk jobs, their inputs and their results live: the embedded SQLite database (one
// server, the default) or PostgreSQL (several server nodes and workers). Both keep the same
// promises, and test/integration/server-bulk.test.ts runs the same tests against each:
// - a job's inputs are written in one transaction when it is accepted: all or nothing;
// - a result is keyed by (job, input index) and written at most once; the job's counters move
//   only for results really inserted, so a batch redone after a crash is stored and counted once.

export interface JobRow {
  id: number;
  key_name: string;
  created_at: string;
  finished_at: string | null;
  total: number;
  /** The job's engine options, as JSON. */
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

export interface IndexedResult {
  idx: number;
  result: VerificationResult;
}

export interface StoreHealth {
  kind: 'sqlite' | 'postgres';
  ok: boolean;
  detail: string;
}

export interface BulkStore {
  /** Saves a new job and all its inputs, or nothing; its id. */
  create(keyName: string, addresses: readonly string[], options: VerifyOptions): Promise<number>;
  /** Saves the results not saved before; how many were new. */
  saveResults(jobId: number, results: readonly IndexedResult[]): Promise<number>;
  job(id: number): Promise<JobRow | null>;
  /** The oldest job still running. */
  nextRunning(): Promise<JobRow | null>;
  /** Inputs after `afterIdx` that have no result yet, in input order. */
  pendingChunk(jobId: number, afterIdx: number, limit: number): Promise<PendingInput[]>;
  complete(jobId: number): Promise<void>;
  /** Addresses of running jobs without a result yet. */
  pending(): Promise<number>;
  page(jobId: number, limit: number, offset: number): Promise<VerificationResult[]>;
  /** Every result in input order, read a page at a time (memory stays bounded on big jobs). */
  all(jobId: number): AsyncGenerator<VerificationResult>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/** The store cannot be reached right now (PostgreSQL down or restarting): retry later. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export type JobCounts = Record<Reachable, number> & { processed: number };

/** What the newly inserted results add to a job's counters. */
export function countResults(inserted: ReadonlyArray<VerificationResult>): JobCounts {
  const counts: JobCounts = { processed: 0, safe: 0, invalid: 0, risky: 0, unknown: 0 };
  for (const result of inserted) {
    counts.processed++;
    counts[reachableOf(result)]++;
  }
  return counts;
}
