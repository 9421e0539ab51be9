import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresHandle } from '../world/postgres.js';
import { runMxlens, type CliRun } from './cli.js';
import { call, newDataDir, startServe, WORLD_ENV, type ServeProcess } from './server-process.js';

// API keys and daily quotas with `--postgres`: two mxlens serve nodes (each its own data
// folder) on one real PostgreSQL see the same keys, added and removed with `mxlens serve keys`
// against the database, and charge one quota per key between them. PostgreSQL down costs a
// 503 with Retry-After, never a 401 for a key that exists.

const ENV_KEY = 'ci-key-0123456789abcdef';
let postgres: PostgresHandle;
const running: ServeProcess[] = [];
let databases = 0;

beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  for (const server of running) await server.stop('SIGKILL');
  await postgres?.remove();
});

/** `mxlens serve keys ...` against the database at `url`, from a data folder of its own. */
function keys(url: string, args: string[], how: 'flag' | 'env' = 'flag'): Promise<CliRun> {
  const dataDir = newDataDir();
  const env = { XDG_CONFIG_HOME: `${dataDir}/config`, ...(how === 'env' ? { MXLENS_POSTGRES: url } : {}) };
  return runMxlens(['serve', 'keys', ...args, '--data', dataDir, ...(how === 'flag' ? ['--postgres', url] : [])], {
    env,
  });
}

/** Two server nodes on one new database, each with its own data folder. */
async function twoNodes(env: NodeJS.ProcessEnv = {}): Promise<{ url: string; nodes: ServeProcess[] }> {
  const url = await postgres.createDatabase(`keys_${++databases}`);
  const nodes = await Promise.all(
    [0, 1].map(() =>
      startServe({
        args: ['--postgres', url],
        env: { ...WORLD_ENV, MXLENS_SERVE_KEYS: `ci:${ENV_KEY}`, MXLENS_SERVE_RATE: '100000', ...env },
      }),
    ),
  );
  running.push(...nodes);
  return { url, nodes };
}

/** An authenticated request that checks nothing and charges nothing: 404 with a known key. */
async function knock(node: ServeProcess, key: string): Promise<number> {
  return (await call(node, 'GET', '/v1/bulk/999999', { key })).status;
}

function verify(node: ServeProcess, key: string, addresses: string[]) {
  return call<Record<string, unknown>>(node, 'POST', '/v1/verify', {
    key,
    body: { addresses, options: { level: 'syntax' } },
  });
}

describe('API keys in PostgreSQL, shared by two server nodes', () => {
  let url: string;
  let nodes: ServeProcess[];

  beforeAll(async () => {
    ({ url, nodes } = await twoNodes());
  });

  it('a key added with "serve keys add" against the database works on both nodes; removed, on neither', async () => {
    const added = await keys(url, ['add', 'alice']);
    expect(added.code, added.stderr).toBe(0);
    const key = added.stdout.trim();
    expect(key).toMatch(/^mxl_/);
    for (const node of nodes) expect(await knock(node, key)).toBe(404);
    expect(await knock(nodes[0]!, `${key}x`)).toBe(401);

    // MXLENS_POSTGRES names the database as well as --postgres does.
    const listed = await keys(url, ['list'], 'env');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^alice\t\d{4}-\d\d-\d\dT/m);
    const twice = await keys(url, ['add', 'alice']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('a key named "alice" exists');

    expect((await keys(url, ['remove', 'alice'])).code).toBe(0);
    for (const node of nodes) {
      const refused = await call(node, 'GET', '/v1/bulk/999999', { key });
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: 'unauthorized' });
    }
    expect((await keys(url, ['remove', 'alice'])).code).toBe(1);
    // Keys from the environment stay as they were.
    for (const node of nodes) expect(await knock(node, ENV_KEY)).toBe(404);
  });

  it('a node does not keep keys in its own SQLite any more: one added there is unknown to the servers', async () => {
    const local = await runMxlens(['serve', 'keys', 'add', 'local', '--data', nodes[0]!.dataDir], {
      env: { XDG_CONFIG_HOME: `${nodes[0]!.dataDir}/config` },
    });
    expect(local.code, local.stderr).toBe(0);
    expect(await knock(nodes[0]!, local.stdout.trim())).toBe(401);
  });
});

describe('the daily quota with PostgreSQL', () => {
  it('is one per key across the nodes: N addresses in all, then 429 on both', async () => {
    const QUOTA = 5;
    const { url, nodes } = await twoNodes({ MXLENS_SERVE_QUOTA: String(QUOTA) });
    const key = (await keys(url, ['add', 'bob'])).stdout.trim();
    expect((await verify(nodes[0]!, key, ['a@acme.test', 'b@acme.test', 'c@acme.test'])).status).toBe(200);
    expect((await verify(nodes[1]!, key, ['d@acme.test', 'e@acme.test'])).status).toBe(200);
    for (const node of nodes) {
      const refused = await verify(node, key, ['f@acme.test']);
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'quota_exceeded', error: expect.stringContaining('0 left today') });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('holds when both nodes charge one key at once: exactly N addresses get in', async () => {
    const QUOTA = 12;
    const REQUESTS = 40;
    const { url, nodes } = await twoNodes({ MXLENS_SERVE_QUOTA: String(QUOTA) });
    const key = (await keys(url, ['add', 'carol'])).stdout.trim();
    const answers = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => verify(nodes[i % 2]!, key, [`user${i}@acme.test`])),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(QUOTA);
    expect(statuses.filter((status) => status === 429)).toHaveLength(REQUESTS - QUOTA);
    // And in the database, exactly the quota: no node charged past it.
    const db = await postgres.connect(url);
    try {
      const { rows } = await db.query("SELECT addresses FROM key_usage WHERE key_name = 'carol'");
      expect(rows).toEqual([{ addresses: QUOTA }]);
    } finally {
      await db.end();
    }
  });
});

describe('PostgreSQL down', () => {
  afterAll(() => postgres.start());

  it('a request with a stored key gets 503 with Retry-After, not 401; once it is back, the key works again', async () => {
    const { url, nodes } = await twoNodes();
    const key = (await keys(url, ['add', 'dave'])).stdout.trim();
    expect(await knock(nodes[0]!, key)).toBe(404);
    // A fast shutdown, not a crash: the test cluster runs with synchronous_commit=off, and a
    // crash could lose the key's own commit.
    await postgres.stop('fast');
    for (const node of nodes) {
      const refused = await call(node, 'GET', '/v1/bulk/999999', { key });
      expect(refused.status, refused.text).toBe(503);
      expect(refused.body).toMatchObject({ code: 'unavailable' });
      expect(refused.headers.get('retry-after')).toBe('5');
    }
    const cannotAdd = await keys(url, ['add', 'erin']);
    expect(cannotAdd.code).toBe(1);
    expect(cannotAdd.stderr).toContain('cannot use the PostgreSQL database');
    await postgres.start();
    for (const node of nodes) expect(await knock(node, key)).toBe(404);
  });
});
