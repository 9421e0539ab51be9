import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useWorld, type World } from '../world/index.js';
import { startSocks5Proxy, type Socks5Proxy } from '../world/socks5-proxy.js';
import { runMxlens, VERIFY_IN_WORLD, verifyInWorld, verifyOne } from './cli.js';

// How MX Lens uses the network: through a SOCKS5 proxy when port 25 is blocked, and never more
// than two connections at once to one mail server.

let world: World;
let proxy: Socks5Proxy;
beforeAll(async () => {
  world = await useWorld();
  proxy = await startSocks5Proxy({ host: '127.0.0.1', credentials: { user: 'ann', password: 'p@ss word' } });
});
afterAll(async () => {
  await proxy?.stop();
  await world?.stop();
});
beforeEach(() => world.resetFakes());

describe('--proxy', () => {
  it('reaches the mail server through a SOCKS5 proxy with a user and password', async () => {
    const url = `socks5://ann:${encodeURIComponent('p@ss word')}@127.0.0.1:${proxy.port}`;
    const result = await verifyOne('alice@acme.test', ['--proxy', url]);
    expect(result).toMatchObject({ verdict: 'deliverable', reason: 'mailbox_exists' });
    expect(proxy.connects).toContain('127.0.0.2:25');
  });

  it('says connection_failed, not undeliverable, when the proxy refuses us', async () => {
    const result = await verifyOne('alice@acme.test', ['--proxy', `socks5://ann:wrong@127.0.0.1:${proxy.port}`]);
    expect(result).toMatchObject({ verdict: 'unknown', reason: 'connection_failed' });
  });
});

describe('connections per mail server', () => {
  it('opens at most two sessions at once to one MX, even for many domains', async () => {
    const addresses = [1, 2, 3, 4].map((n) => `someone@shared${n}.test`);
    const results = await verifyInWorld([...addresses, 'mia@multiline.test'], ['--concurrency', '8', '--no-catch-all']);
    expect(results.map((r) => r.reason)).toEqual([
      'mailbox_not_found',
      'mailbox_not_found',
      'mailbox_not_found',
      'mailbox_not_found',
      'mailbox_exists',
    ]);

    // A session ends, for the client, when it sends QUIT; the server sees the socket close later.
    // Sessions are per mail server, not per domain: each address is asked once, in few sessions.
    const sessions = world.fakes['mx.multiline.test']!.sessions;
    expect(sessions.flatMap((s) => s.rcptTo).sort()).toEqual([...addresses, 'mia@multiline.test'].sort());
    const mostAtOnce = Math.max(
      ...sessions.map(
        (s) =>
          sessions.filter((o) => o.startedAt <= s.startedAt && (o.quitAt ?? o.closedAt ?? Infinity) > s.startedAt)
            .length,
      ),
    );
    expect(mostAtOnce).toBeLessThanOrEqual(2);
  });

  it('runs one session at a time with --concurrency 1', async () => {
    const run = await runMxlens([
      ...VERIFY_IN_WORLD,
      '--concurrency',
      '1',
      '--no-catch-all',
      'someone@shared1.test',
      'someone@catchall.test',
    ]);
    expect(run.results).toHaveLength(2);
    const sessions = [world.fakes['mx.multiline.test']!.sessions[0]!, world.fakes['mx.catchall.test']!.sessions[0]!];
    const [first, second] = sessions.sort((a, b) => a.startedAt - b.startedAt);
    expect(second!.startedAt).toBeGreaterThanOrEqual(first!.quitAt ?? first!.closedAt!);
  });
});
