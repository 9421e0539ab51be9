import { describe, expect, it } from 'vitest';
import {
  NetworkWatch,
  RETEST_AFTER_MS,
  routeTo,
  type RouteReport,
  type SecondOpinion,
} from '../../native-host/src/engine/network-watch.js';

// The pure part of port-25-blocked detection: what evidence makes "blocked", what clears it.

const DIRECT = routeTo('192.0.2.1', 25, null);

function watchWithClock() {
  let now = 1_000_000;
  const watch = new NetworkWatch({ now: () => now });
  const changes: RouteReport[] = [];
  watch.onChange((report) => changes.push(report));
  return { watch, changes, advance: (ms: number) => (now += ms) };
}

describe('NetworkWatch', () => {
  it('does not blame the network for one domain whose two mail servers are dead', () => {
    const { watch, changes } = watchWithClock();
    watch.begin(DIRECT).timedOut('mx1.dead.example', ['dead.example'], 5_000);
    watch.begin(DIRECT).timedOut('mx2.dead.example', ['dead.example'], 5_000);
    expect(watch.isBlocked(DIRECT)).toBe(false);
    expect(changes).toEqual([]);
  });

  it('concludes "blocked" from timeouts to two servers of two domains, and says so once', () => {
    const { watch, changes } = watchWithClock();
    watch.begin(DIRECT).timedOut('mx.a.example', ['a.example'], 5_000);
    watch.begin(DIRECT).timedOut('mx.b.example', ['b.example'], 5_000);
    watch.begin(DIRECT).timedOut('mx.c.example', ['c.example'], 5_000);
    expect(watch.isBlocked(DIRECT)).toBe(true);
    expect(watch.failFast(DIRECT)).toBe(true);
    expect(changes).toEqual([
      { port: 25, proxy: null, family: 4, state: 'blocked', servers: ['mx.a.example', 'mx.b.example'] },
    ]);
  });

  it('ignores connects that gave up almost at once (a spent budget proves nothing)', () => {
    const { watch } = watchWithClock();
    watch.begin(DIRECT).timedOut('mx.a.example', ['a.example'], 10);
    watch.begin(DIRECT).timedOut('mx.b.example', ['b.example'], 10);
    expect(watch.isBlocked(DIRECT)).toBe(false);
  });

  it('keeps routes apart: IPv6, another port and a proxy are judged on their own', () => {
    const { watch } = watchWithClock();
    const v6 = routeTo('2001:db8::1', 25, null);
    watch.begin(v6).timedOut('mx.a.example', ['a.example'], 5_000);
    watch.begin(v6).timedOut('mx.b.example', ['b.example'], 5_000);
    expect(watch.isBlocked(v6)).toBe(true);
    expect(watch.isBlocked(DIRECT)).toBe(false);
    expect(watch.isBlocked(routeTo('2001:db8::1', 25, { host: '10.0.0.2', port: 1080 }))).toBe(false);
    expect(watch.isBlocked(routeTo('2001:db8::1', 2525, null))).toBe(false);
  });

  it('lets sessions test the route again after a while, and a connect that gets through clears it', () => {
    const { watch, changes, advance } = watchWithClock();
    watch.begin(DIRECT).timedOut('mx.a.example', ['a.example'], 5_000);
    watch.begin(DIRECT).timedOut('mx.b.example', ['b.example'], 5_000);
    advance(RETEST_AFTER_MS);
    expect(watch.failFast(DIRECT)).toBe(false);
    watch.begin(DIRECT).connected();
    expect(watch.isBlocked(DIRECT)).toBe(false);
    expect(changes.map((c) => c.state)).toEqual(['blocked', 'open']);
    // The old evidence is gone: one new timeout is not enough.
    watch.begin(DIRECT).timedOut('mx.c.example', ['c.example'], 5_000);
    expect(watch.isBlocked(DIRECT)).toBe(false);
  });

  it('judges a timeout together with the connects still under way beside it', async () => {
    const { watch } = watchWithClock();
    const other = watch.begin(DIRECT);
    watch.begin(DIRECT).timedOut('mx.a.example', ['a.example'], 5_000);
    let settled = false;
    const waiting = watch.othersSettled(DIRECT).then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    other.timedOut('mx.b.example', ['b.example'], 5_000);
    await waiting;
    expect(watch.isBlocked(DIRECT)).toBe(true);
  });
});

describe('NetworkWatch second opinion', () => {
  const unreachable = async (): Promise<SecondOpinion> => ({
    reachable: false,
    server: 'mx.probe.example',
    domain: 'probe.example',
  });

  it('asks once, on the first timeout, and a lone address then gets the conclusion', async () => {
    let asked = 0;
    const watch = new NetworkWatch({ secondOpinion: () => (asked++, unreachable()) });
    watch.begin(DIRECT).timedOut('mx.a.example', ['a.example'], 5_000);
    await watch.othersSettled(DIRECT);
    expect(watch.isBlocked(DIRECT)).toBe(true);
    watch.begin(DIRECT).timedOut('mx.b.example', ['b.example'], 5_000);
    expect(asked).toBe(1);
  });

  it('a probe that connects means the server, not the network, is dead', async () => {
    const watch = new NetworkWatch({
      secondOpinion: async () => ({ reachable: true, server: 'mx.probe.example', domain: 'probe.example' }),
    });
    watch.begin(DIRECT).timedOut('mx.a.example', ['a.example'], 5_000);
    await watch.othersSettled(DIRECT);
    expect(watch.isBlocked(DIRECT)).toBe(false);
    expect(watch.reports()).toMatchObject([{ state: 'open' }]);
  });

  it('a probe that could not be made (its DNS failed) concludes nothing', async () => {
    const watch = new NetworkWatch({ secondOpinion: async () => ({ reachable: null, server: '', domain: '' }) });
    watch.begin(DIRECT).timedOut('mx.a.example', ['a.example'], 5_000);
    await watch.othersSettled(DIRECT);
    expect(watch.reports()).toEqual([]);
  });
});
