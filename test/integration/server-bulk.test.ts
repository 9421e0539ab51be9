import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWorld, type World } from '../world/index.js';
import { addKey, call, newDataDir, startServe, WORLD_ENV, type ServeProcess } from './server-process.js';
import { schemaErrors } from './server-reacher-schema.js';

// A 100,000-address bulk job at DNS level survives kill -9 of the server: after a restart it
// resumes where its committed results end, and in the end every address has exactly one result.

const TOTAL = 100_000;
const DOMAINS = 2_000;

let world: World;
const running: ServeProcess[] = [];

beforeAll(async () => {
  world = await useWorld();
});
afterAll(async () => {
  for (const server of running) await server.stop('SIGKILL');
  await world?.stop();
});

/** Half at domains that do not exist, a tenth at acme.test, the rest bad syntax: every verdict appears. */
function address(i: number): string {
  if (i % 10 === 0) return `user${i}@acme.test`;
  if (i % 10 === 1) return `not an address ${i}`;
  return `user${i}@d${i % DOMAINS}.test`;
}

describe('a bulk job of 100,000 addresses', () => {
  it('survives kill -9: resumed on restart, no address lost, none reported twice', async () => {
    const dataDir = newDataDir();
    const key = await addKey(dataDir, 'bulk');
    const env = { ...WORLD_ENV, MXLENS_SERVE_QUOTA: String(TOTAL) };
    const first = await startServe({ dataDir, env });
    running.push(first);

    const input = Array.from({ length: TOTAL }, (_, i) => address(i));
    const accepted = await call<{ job_id: number }>(first, 'POST', '/v1/bulk', { key, body: { input, options: { level: 'dns' } } });
    expect(accepted.status, accepted.text).toBe(200);
    const jobId = accepted.body.job_id;

    // Killed as soon as some results are committed, in the middle of the job.
    const committed = await first.waitForLog((line) => line.msg === 'bulk chunk committed' && line.job === jobId);
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    expect(Number(committed.processed)).toBeLessThan(TOTAL);

    const second = await startServe({ dataDir, env });
    running.push(second);
    const resumed = await second.waitForLog((line) => line.msg === 'bulk job started' && line.job === jobId);
    expect(Number(resumed.processed)).toBeGreaterThan(0);
    expect(Number(resumed.processed)).toBeLessThan(TOTAL);
    await second.waitForLog((line) => line.msg === 'bulk job completed' && line.job === jobId);
    // The restarted server checked only what had no committed result: it resumed, not restarted.
    const checkedAfterRestart = second.log
      .filter((line) => line.msg === 'bulk chunk committed' && line.job === jobId)
      .reduce((sum, line) => sum + Number(line.checked), 0);
    expect(checkedAfterRestart).toBe(TOTAL - Number(resumed.processed));

    const status = await call<Record<string, any>>(second, 'GET', `/v1/bulk/${jobId}`, { key });
    expect(schemaErrors('bulkStatus', status.body)).toEqual([]);
    expect(status.body).toMatchObject({ total_records: TOTAL, total_processed: TOTAL, job_status: 'Completed' });
    const { total_safe, total_invalid, total_risky, total_unknown } = status.body.summary;
    expect(total_safe + total_invalid + total_risky + total_unknown).toBe(TOTAL);
    // acme.test answers at DNS level (unknown: the mailbox was not asked); the rest are invalid.
    expect(total_unknown).toBe(TOTAL / 10);
    expect(total_invalid).toBe(TOTAL - TOTAL / 10);

    // Every input exactly once, in input order, streamed as CSV.
    const csv = await call(second, 'GET', `/v1/bulk/${jobId}/results?format=csv`, { key });
    const rows = csv.text.trimEnd().split('\r\n').slice(1);
    expect(rows.length).toBe(TOTAL);
    const mismatched = rows.map((row, i) => [i, row.startsWith('"') ? row.slice(1, row.indexOf('"', 1)) : row.split(',')[0]] as const).filter(([i, input]) => input !== address(i));
    expect(mismatched.slice(0, 5)).toEqual([]);

    const page = await call<{ results: Array<{ input: string }> }>(second, 'GET', `/v1/bulk/${jobId}/results?limit=3&offset=99997`, { key });
    expect(schemaErrors('bulkResults', page.body)).toEqual([]);
    expect(page.body.results.map((result) => result.input)).toEqual([address(99_997), address(99_998), address(99_999)]);
  });
});
