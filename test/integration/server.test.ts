import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerificationResult } from '../../native-host/shared/result.js';
import { HostProcess } from '../harness/host.js';
import { useWorld, type World } from '../world/index.js';
import { makeSelfSignedCert } from '../world/postfix.js';
import { runMxlens, verifyInWorld } from './cli.js';
import { addKey, call, ndjson, newDataDir, startServe, WORLD_ENV, type ServeProcess } from './server-process.js';
import { schemaErrors } from './server-reacher-schema.js';
import { startRedis, type RedisHandle } from '../world/redis.js';
import { startWorker, type WorkerProcess } from './worker-process.js';

// A real `mxlens serve` in the test world: the native API, the Reacher API (every answer
// checked against our schema of Reacher's), keys, limits and CORS; the routes that run checks
// also with `serve --redis` and a worker.

const EXTENSION_ORIGIN = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
const ENV_KEY = 'ci-key-0123456789abcdef';

const SERVE_ENV = {
  ...WORLD_ENV,
  MXLENS_SERVE_KEYS: `ci:${ENV_KEY}`,
  MXLENS_SERVE_CORS: EXTENSION_ORIGIN,
  MXLENS_SERVE_PROBE_DOMAIN: 'acme.test',
  MXLENS_SERVE_RATE: '100000',
  MXLENS_SERVE_QUOTA: '100000',
};

let world: World;
let server: ServeProcess;
let key: string;

beforeAll(async () => {
  world = await useWorld();
  const dataDir = newDataDir();
  key = await addKey(dataDir, 'alice');
  server = await startServe({ dataDir, env: SERVE_ENV });
});
afterAll(async () => {
  await server?.stop();
  await world?.stop();
});

describe('keys', () => {
  it('answers the open health check without a key, and nothing else', async () => {
    const open = await call(server, 'GET', '/health');
    expect(open).toMatchObject({ status: 200, body: { status: 'ok' } });
    const health = await call(server, 'GET', '/v1/health');
    expect(health.status).toBe(401);
    expect(schemaErrors('errorBody', health.body)).toEqual([]);
  });

  it('refuses a missing or unknown key with a JSON 401 that says what to do', async () => {
    const missing = await call(server, 'POST', '/v1/check_email', { body: { to_email: 'alice@acme.test' } });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({
      code: 'unauthorized',
      error: expect.stringContaining('Authorization: Bearer'),
    });
    const wrong = await call(server, 'POST', '/v1/check_email', {
      key: `${key}x`,
      body: { to_email: 'alice@acme.test' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'unauthorized', error: expect.stringContaining('not known') });
  });

  it('takes the key as a Bearer token, bare (as Reacher clients send it), and from MXLENS_SERVE_KEYS', async () => {
    const body = { to_email: 'bad-address' };
    expect((await call(server, 'POST', '/v1/check_email', { key, body })).status).toBe(200);
    expect((await call(server, 'POST', '/v1/check_email', { authorization: key, body })).status).toBe(200);
    expect((await call(server, 'POST', '/v1/check_email', { authorization: ENV_KEY, body })).status).toBe(200);
  });

  it('keeps only a hash of each key, and a removed key stops working at once', async () => {
    const temporary = await addKey(server.dataDir, 'temporary');
    expect(temporary).toMatch(/^mxl_[A-Za-z0-9_-]{40,}$/);
    const { readFileSync } = await import('node:fs');
    const database = readFileSync(`${server.dataDir}/mxlens-server.sqlite`);
    const wal = readFileSync(`${server.dataDir}/mxlens-server.sqlite-wal`, { flag: 'a+' });
    expect(Buffer.concat([database, wal]).includes(temporary)).toBe(false);

    const listed = await runMxlens(['serve', 'keys', 'list', '--data', server.dataDir]);
    expect(listed.stdout).toMatch(/^temporary\t/m);
    expect(listed.stdout).not.toContain(temporary);

    expect((await call(server, 'GET', '/v1/health', { key: temporary })).status).toBe(200);
    expect((await runMxlens(['serve', 'keys', 'remove', 'temporary', '--data', server.dataDir])).code).toBe(0);
    expect((await call(server, 'GET', '/v1/health', { key: temporary })).status).toBe(401);
  });
});

// The routes that run checks, with each queue: the checks in this process (embedded), or on
// Redis to an `mxlens worker` (serve --redis). The same tests for both implementations.
describe.each(['embedded', 'redis'] as const)('with the %s queue', (queue) => {
  let embedded: { server: ServeProcess; key: string } | null = null;
  let redis: RedisHandle | undefined;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    if (queue === 'embedded') return;
    embedded = { server, key };
    redis = await startRedis();
    const dataDir = newDataDir();
    key = await addKey(dataDir, 'alice');
    server = await startServe({ dataDir, env: { ...SERVE_ENV }, args: ['--redis', redis.url] });
    worker = await startWorker(redis.url, [], WORLD_ENV);
  });
  afterAll(async () => {
    if (!embedded) return;
    await worker?.stop();
    await server.stop();
    await redis?.remove();
    ({ server, key } = embedded);
  });

  describe('native API', () => {
    it('streams one result per address as NDJSON, then done: the same results as mxlens verify --json', async () => {
      const addresses = ['alice@acme.test', 'nobody@acme.test', 'not-an-address', 'someone@catchall.test'];
      const answer = await call(server, 'POST', '/v1/verify', { key, body: { addresses } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toContain('application/x-ndjson');
      const messages = ndjson<{ type: string; index?: number; count?: number; result?: VerificationResult }>(
        answer.text,
      );
      expect(messages.at(-1)).toEqual({ type: 'done', id: 'http', count: 4 });
      const results = messages.filter((message) => message.type === 'result');
      expect(results.map((message) => message.index).sort()).toEqual([0, 1, 2, 3]);
      const byIndex = results.sort((a, b) => a.index! - b.index!).map((message) => message.result!);

      const cli = await verifyInWorld(addresses);
      expect(byIndex).toEqual(cli);
      expect(byIndex.map((result) => result.reason)).toEqual([
        'mailbox_exists',
        'mailbox_not_found',
        'invalid_syntax',
        'catch_all',
      ]);
    });

    it('takes the options of the native verify request, and echoes the id', async () => {
      const answer = await call(server, 'POST', '/v1/verify', {
        key,
        body: { id: 7, addresses: ['alice@acme.test'], options: { level: 'dns' } },
      });
      const messages = ndjson(answer.text);
      expect(messages[0]).toMatchObject({
        type: 'result',
        id: 7,
        index: 0,
        result: { reason: 'dns_only', mx: 'mx1.acme.test' },
      });
      expect(messages[1]).toEqual({ type: 'done', id: 7, count: 1 });
    });

    it('refuses a bad request with the protocol validator own words', async () => {
      const level = await call(server, 'POST', '/v1/verify', {
        key,
        body: { addresses: ['a@b.test'], options: { level: 'deep' } },
      });
      expect(level.status).toBe(400);
      expect(level.body).toMatchObject({
        code: 'bad_request',
        error: expect.stringContaining('`options.level` takes one of syntax, dns, smtp'),
      });
      const hello = await call(server, 'POST', '/v1/verify', { key, body: { type: 'hello', addresses: [] } });
      expect(hello.status).toBe(400);
      const notJson = await call(server, 'POST', '/v1/verify', {
        key,
        rawBody: '{"addresses": [',
        headers: { 'content-type': 'application/json' },
      });
      expect(notJson.status).toBe(400);
      expect(schemaErrors('errorBody', notJson.body)).toEqual([]);
    });

    it('answers 413 to too many addresses and to a body over the limit', async () => {
      const many = Array.from({ length: 10_001 }, (_, i) => `u${i}@acme.test`);
      const tooMany = await call(server, 'POST', '/v1/verify', { key, body: { addresses: many } });
      expect(tooMany.status).toBe(413);
      expect(tooMany.body).toMatchObject({
        code: 'payload_too_large',
        error: expect.stringContaining('at most 10000'),
      });

      const huge = await call(server, 'POST', '/v1/verify', {
        key,
        body: { addresses: ['x'.repeat(1024 * 1024) + '@acme.test'] },
      });
      expect(huge.status).toBe(413);
      expect(huge.body).toMatchObject({ code: 'payload_too_large' });
    });

    it('refuses a proxy chosen by the request unless the server allows it (403)', async () => {
      const answer = await call(server, 'POST', '/v1/verify', {
        key,
        body: { addresses: ['alice@acme.test'], options: { proxy: 'socks5://127.0.0.1:1080' } },
      });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({
        code: 'forbidden',
        error: expect.stringContaining('MXLENS_SERVE_ALLOW_PROXY'),
      });
    });

    it('reports version, outbound port 25 (through doctor) and queue depth', async () => {
      const health = await call<Record<string, any>>(server, 'GET', '/v1/health', { key });
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({
        status: 'ok',
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        protocol: 1,
        queue: { addresses: 0, bulkPending: 0 },
      });
      expect(health.body.port25).toMatchObject({
        ok: true,
        detail: expect.stringContaining('mx1.acme.test (127.0.0.2) port 25'),
      });
    });
  });

  describe('Reacher API', () => {
    const check = async (path: string, body: object) => {
      const answer = await call<Record<string, any>>(server, 'POST', path, { key, body });
      expect(answer.status, answer.text).toBe(200);
      expect(schemaErrors('checkEmailOutput', answer.body)).toEqual([]);
      return answer.body;
    };

    it.each(['/v0/check_email', '/v1/check_email'])(
      '%s answers CheckEmailOutput for an existing mailbox: safe',
      async (path) => {
        const output = await check(path, { to_email: 'alice@acme.test' });
        expect(output).toMatchObject({
          input: 'alice@acme.test',
          is_reachable: 'safe',
          misc: { is_disposable: false, is_role_account: false },
          mx: { accepts_mail: true, records: ['mx1.acme.test'] },
          smtp: {
            can_connect_smtp: true,
            has_full_inbox: false,
            is_catch_all: false,
            is_deliverable: true,
            is_disabled: false,
          },
          syntax: { domain: 'acme.test', is_valid_syntax: true, username: 'alice' },
        });
      },
    );

    it('maps each kind of answer the way the README says', async () => {
      const cases: Array<[string, string, object]> = [
        ['nobody@acme.test', 'invalid', { smtp: { can_connect_smtp: true, is_deliverable: false } }],
        ['info@acme.test', 'risky', { misc: { is_role_account: true }, smtp: { is_deliverable: true } }],
        ['anyone@catchall.test', 'risky', { smtp: { is_catch_all: true, is_deliverable: true } }],
        ['temp@mailinator.com', 'risky', { misc: { is_disposable: true } }],
        ['someone@nowhere.test', 'invalid', { mx: { accepts_mail: false, records: [] } }],
        ['someone@nullmx.test', 'invalid', { mx: { accepts_mail: false } }],
        ['someone@blocked.test', 'unknown', { smtp: { type: 'blocked' } }],
        ['someone@broken.test', 'unknown', { mx: { type: 'dns_error' } }],
        ['not an address', 'invalid', { syntax: { is_valid_syntax: false, domain: '', username: '' } }],
      ];
      for (const [address, reachable, shape] of cases) {
        const output = await check('/v1/check_email', { to_email: address });
        expect(output, address).toMatchObject({ input: address, is_reachable: reachable, ...shape });
      }
    });

    it('uses from_email and hello_name, and refuses bad ones with a 400 naming the field', async () => {
      const output = await check('/v1/check_email', {
        to_email: 'alice@acme.test',
        from_email: 'me@example.com',
        hello_name: 'checker.example.com',
      });
      expect(output.is_reachable).toBe('safe');
      const bad = await call(server, 'POST', '/v1/check_email', {
        key,
        body: { to_email: 'alice@acme.test', hello_name: 'not a name!' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: 'bad_request', error: expect.stringContaining('`hello_name`') });
      const missing = await call(server, 'POST', '/v1/check_email', { key, body: { from_email: 'me@example.com' } });
      expect(missing.status).toBe(400);
      expect(missing.body).toMatchObject({ error: expect.stringContaining('to_email') });
    });

    it('honours smtp_port and proxy only where the server allows: 403 otherwise', async () => {
      const port = await call(server, 'POST', '/v1/check_email', {
        key,
        body: { to_email: 'alice@acme.test', smtp_port: 2525 },
      });
      expect(port.status).toBe(403);
      expect(port.body).toMatchObject({ code: 'forbidden', error: expect.stringContaining('port 25 only') });
      const samePort = await call(server, 'POST', '/v1/check_email', {
        key,
        body: { to_email: 'alice@acme.test', smtp_port: 25 },
      });
      expect(samePort.status).toBe(200);
      const proxy = await call(server, 'POST', '/v1/check_email', {
        key,
        body: { to_email: 'alice@acme.test', proxy: { host: '127.0.0.1', port: 1080 } },
      });
      expect(proxy.status).toBe(403);
    });
  });

  // Bulk jobs: server-bulk.test.ts (run against each job store).
});

describe('CORS', () => {
  it('answers a preflight from the configured extension origin', async () => {
    const preflight = await fetch(`${server.url}/v1/verify`, {
      method: 'OPTIONS',
      headers: {
        origin: EXTENSION_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(EXTENSION_ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');

    const real = await call(server, 'POST', '/v1/check_email', {
      key,
      body: { to_email: 'alice@acme.test' },
      headers: { origin: EXTENSION_ORIGIN },
    });
    expect(real.status).toBe(200);
    expect(real.headers.get('access-control-allow-origin')).toBe(EXTENSION_ORIGIN);
  });

  it('refuses any other origin, preflight or not, and allows it nothing', async () => {
    const origin = 'https://evil.example';
    const preflight = await fetch(`${server.url}/v1/verify`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const real = await call(server, 'POST', '/v1/check_email', {
      key,
      body: { to_email: 'alice@acme.test' },
      headers: { origin },
    });
    expect(real.status).toBe(403);
    expect(real.headers.get('access-control-allow-origin')).toBeNull();
    expect(real.body).toMatchObject({ code: 'forbidden', error: expect.stringContaining(origin) });
  });
});

describe('limits', () => {
  it('limits requests per key per minute: 429 with Retry-After, other keys unaffected', async () => {
    const dataDir = newDataDir();
    const first = await addKey(dataDir, 'first');
    const second = await addKey(dataDir, 'second');
    const limited = await startServe({ dataDir, env: { ...WORLD_ENV, MXLENS_SERVE_RATE: '3' } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await call(limited, 'GET', '/v1/health', { key: first })).status);
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      const refused = await call(limited, 'GET', '/v1/health', { key: first });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.body).toMatchObject({ code: 'rate_limited', error: expect.stringContaining('3 a minute') });
      expect((await call(limited, 'GET', '/v1/health', { key: second })).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it('counts addresses against a daily quota per key, kept across restarts', async () => {
    const dataDir = newDataDir();
    const first = await addKey(dataDir, 'first');
    const second = await addKey(dataDir, 'second');
    const env = { ...WORLD_ENV, MXLENS_SERVE_QUOTA: '3' };
    const body = { addresses: ['a@acme.test', 'b@acme.test'], options: { level: 'syntax' } };
    let limited = await startServe({ dataDir, env });
    try {
      expect((await call(limited, 'POST', '/v1/verify', { key: first, body })).status).toBe(200);
      await limited.stop();
      limited = await startServe({ dataDir, env });
      const refused = await call(limited, 'POST', '/v1/verify', { key: first, body });
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'quota_exceeded', error: expect.stringContaining('1 left today') });
      expect(
        (await call(limited, 'POST', '/v1/check_email', { authorization: first, body: { to_email: 'a@acme.test' } }))
          .status,
      ).toBe(200);
      expect(
        (await call(limited, 'POST', '/v1/check_email', { authorization: first, body: { to_email: 'a@acme.test' } }))
          .status,
      ).toBe(429);
      expect(
        (
          await call(limited, 'POST', '/v1/bulk', {
            key: second,
            body: { input: ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test'] },
          })
        ).status,
      ).toBe(429);
      expect((await call(limited, 'POST', '/v1/verify', { key: second, body })).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});

describe('mxlens verify --server', () => {
  const addresses = ['alice@acme.test', 'nobody@acme.test', 'oops', 'x@catchall.test'];

  it('sends the work to the server and prints the same results as a local check', async () => {
    const remote = await runMxlens(['verify', '--json', '--server', server.url, ...addresses], {
      env: { MXLENS_SERVER_KEY: key },
    });
    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.results).toEqual(await verifyInWorld(addresses));
  });

  it('takes the server from MXLENS_SERVER, passes the level on, and prints the table', async () => {
    const run = await runMxlens(['verify', '--level', 'dns', ...addresses], {
      env: { MXLENS_SERVER: server.url, MXLENS_SERVER_KEY: key },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/alice@acme\.test\s+\? unknown\s+dns_only/);
    expect(run.stdout).toMatch(/oops\s+✘ undeliverable\s+invalid_syntax/);
  });

  it("says why when the server refuses, and refuses flags that are the server's to decide", async () => {
    const refused = await runMxlens(['verify', '--server', server.url, 'alice@acme.test'], {
      env: { MXLENS_SERVER_KEY: 'mxl_wrong' },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the server refused (HTTP 401): this API key is not known');
    const noKey = await runMxlens(['verify', '--server', server.url, 'alice@acme.test'], {
      env: { MXLENS_SERVER_KEY: '' },
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('MXLENS_SERVER_KEY');
    const local = await runMxlens(['verify', '--server', server.url, '--dns', '127.0.0.1:5353', 'alice@acme.test'], {
      env: { MXLENS_SERVER_KEY: key },
    });
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('--dns cannot be used with a server');
    const down = await runMxlens(['verify', '--server', 'http://127.0.0.1:39', 'alice@acme.test'], {
      env: { MXLENS_SERVER_KEY: key },
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach the server at http://127.0.0.1:39: ECONNREFUSED');
  });
});

describe('the native host with MXLENS_SERVER', () => {
  /** Runs `mxlens host` with `env`: hello, one verify, and every frame until its `done`. */
  async function hostVerify(env: NodeJS.ProcessEnv, addresses: string[]): Promise<Array<Record<string, unknown>>> {
    const host = new HostProcess(env);
    try {
      await host.handshake();
      host.send({ type: 'verify', id: 'v', addresses, options: { level: 'dns' }, site: 'https://shop.example' });
      await host.next((m) => m.id === 'v' && (m.type === 'done' || m.type === 'error'));
      return host.of('v');
    } finally {
      await host.kill();
    }
  }

  it('forwards its checks to the server, which answers from where it stands', async () => {
    // The host's own DNS is a dead port: only the server, which asks the world's DNS, can answer.
    const local = { MXLENS_DNS: '127.0.0.1:9', MXLENS_ALLOW_PRIVATE: '1', MXLENS_TIMEOUT: '1000' };
    const verifies = () => server.log.filter((line) => JSON.stringify(line).includes('/v1/verify')).length;
    const before = verifies();
    const frames = await hostVerify({ ...local, MXLENS_SERVER: server.url, MXLENS_SERVER_KEY: key }, [
      'alice@acme.test',
      'oops',
    ]);
    const results = frames
      .filter((frame) => frame.type === 'result')
      .map((frame) => frame.result as VerificationResult);
    expect(results.map((result) => [result.address, result.reason]).sort()).toEqual([
      ['alice@acme.test', 'dns_only'],
      ['oops', 'invalid_syntax'],
    ]);
    expect(verifies()).toBeGreaterThan(before);
    // Without the server the same host cannot reach the world's DNS.
    const alone = await hostVerify(local, ['alice@acme.test']);
    expect(
      alone.filter((frame) => frame.type === 'result').map((frame) => (frame.result as VerificationResult).reason),
    ).toEqual(['dns_error']);
  });
});

describe('the server process', () => {
  it('keeps the SSRF guard on by default: no private mail servers unless the operator allows them', async () => {
    const dataDir = newDataDir();
    const guardedKey = await addKey(dataDir, 'k');
    const guarded = await startServe({ dataDir, env: { MXLENS_DNS: '127.0.0.1:5353', MXLENS_ALLOW_PRIVATE: '' } });
    try {
      const answer = await call(guarded, 'POST', '/v1/verify', {
        key: guardedKey,
        body: { addresses: ['alice@acme.test'] },
      });
      expect(ndjson(answer.text)[0]).toMatchObject({ result: { reason: 'private_target' } });
    } finally {
      await guarded.stop();
    }
  });

  it('serves HTTPS with --tls-cert and --tls-key', async () => {
    const dataDir = newDataDir();
    const tls = await makeSelfSignedCert(`${dataDir}/tls`, '127.0.0.1');
    const secure = await startServe({ dataDir, args: ['--tls-cert', tls.certFile, '--tls-key', tls.keyFile] });
    try {
      expect(secure.url).toMatch(/^https:\/\//);
      const body = await new Promise<string>((resolve, reject) => {
        const request = httpsRequest(
          `${secure.url}/health`,
          { ca: tls.cert, checkServerIdentity: () => undefined },
          (response) => {
            let text = '';
            response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
            response.on('end', () => resolve(text));
          },
        );
        request.on('error', reject);
        request.end();
      });
      expect(JSON.parse(body)).toEqual({ status: 'ok' });
    } finally {
      await secure.stop();
    }
  });

  it('closes gracefully on SIGTERM: exit code 0, after saying so in its log', async () => {
    const closing = await startServe();
    expect(await closing.stop('SIGTERM')).toBe(0);
    expect(closing.log.some((line) => line.msg === 'shutting down' && line.signal === 'SIGTERM')).toBe(true);
  });

  it('refuses half a TLS setup and a bad --listen with a usage error', async () => {
    const half = await runMxlens(['serve', '--tls-cert', '/nonexistent.pem', '--data', newDataDir()]);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--tls-cert and --tls-key go together');
    const listen = await runMxlens(['serve', '--listen', 'nowhere', '--data', newDataDir()]);
    expect(listen.code).toBe(2);
    expect(listen.stderr).toContain('HOST:PORT');
  });
});
