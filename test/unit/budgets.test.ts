import { describe, expect, it } from 'vitest';
import {
  Budgets,
  defaultBudgetRates,
  domainClaim,
  overBudgetDetail,
  serverClaim,
  serverKey,
  spend,
  TokenBucket,
  type BudgetRates,
} from '../../native-host/src/engine/budgets.js';

const OFF: BudgetRates = {
  mxSessionsPerMinute: 0,
  mxRcptsPerMinute: 0,
  domainSessionsPerMinute: 0,
  domainRcptsPerMinute: 0,
  siteChecksPerMinute: 0,
};

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBucket', () => {
  it('starts with one minute of tokens and refills at the per-minute rate', () => {
    const bucket = new TokenBucket(60, 0);
    expect(bucket.admissible(0, 0)).toBe(60);
    expect(bucket.take(60, 0)).toBe(0);
    expect(bucket.admissible(0, 0)).toBe(0);
    expect(bucket.msUntilOne(0)).toBe(1000);
    expect(bucket.admissible(5_000, 0)).toBe(5);
    // Never more than one minute's worth, however long it rested.
    expect(bucket.admissible(10 * 60_000, 0)).toBe(60);
  });

  it('lets a taker reserve what comes within its wait, and says how long to wait', () => {
    const bucket = new TokenBucket(60, 0);
    bucket.take(60, 0);
    expect(bucket.admissible(0, 3_000)).toBe(3);
    expect(bucket.take(3, 0)).toBe(3_000);
    // The reservation counts: the next taker waits behind it.
    expect(bucket.msUntilOne(0)).toBe(4_000);
  });
});

describe('Budgets', () => {
  it('admits what the domain budget holds and refuses the rest with a retry time', () => {
    const time = clock();
    const budgets = new Budgets({ ...OFF, domainRcptsPerMinute: 100, domainSessionsPerMinute: 10 }, time.now);
    const first = budgets.admit(domainClaim('example.com', 5_000, null), 0);
    expect(first).toMatchObject({ admitted: 100, waitMs: 0 });
    expect(first.retryAfterMs).toBe(600);
    expect(first.limitedBy).toBe('100 addresses a minute at example.com');
    // Another domain has its own budget.
    expect(budgets.admit(domainClaim('example.org', 10, null), 0).admitted).toBe(10);
  });

  it('counts sessions: the eleventh session in a minute waits or is refused', () => {
    const time = clock();
    const budgets = new Budgets({ ...OFF, domainSessionsPerMinute: 10 }, time.now);
    for (let i = 0; i < 10; i++) expect(budgets.admit(domainClaim('example.com', 1, null), 0).admitted).toBe(1);
    const refused = budgets.admit(domainClaim('example.com', 1, null), 0);
    expect(refused).toMatchObject({
      admitted: 0,
      retryAfterMs: 6_000,
      limitedBy: '10 sessions a minute for example.com',
    });
    const waiting = budgets.admit(domainClaim('example.com', 1, null), 6_000);
    expect(waiting).toMatchObject({ admitted: 1, waitMs: 6_000 });
  });

  it("charges a page's checks to its site, and the user's to no site", () => {
    const time = clock();
    const budgets = new Budgets({ ...OFF, siteChecksPerMinute: 60 }, time.now);
    expect(budgets.admit(domainClaim('a.example', 50, 'https://evil.example'), 0).admitted).toBe(50);
    const sameSite = budgets.admit(domainClaim('b.example', 50, 'https://evil.example'), 0);
    expect(sameSite).toMatchObject({
      admitted: 10,
      limitedBy: '60 addresses a minute for pages of https://evil.example',
    });
    expect(budgets.admit(domainClaim('b.example', 50, 'https://other.example'), 0).admitted).toBe(50);
    expect(budgets.admit(domainClaim('b.example', 5_000, null), 0).admitted).toBe(5_000);
  });

  it('counts one mail server once, however its address is written', () => {
    const time = clock();
    const budgets = new Budgets({ ...OFF, mxSessionsPerMinute: 1 }, time.now);
    expect(budgets.admit(serverClaim('192.0.2.1', 3), 0).admitted).toBe(3);
    expect(budgets.admit(serverClaim('::ffff:192.0.2.1', 3), 0).admitted).toBe(0);
    expect(serverKey('2001:DB8::1')).toBe(serverKey('2001:db8::1'));
  });

  it('treats a rate of 0 as no limit', () => {
    const budgets = new Budgets(OFF);
    expect(budgets.admit(domainClaim('example.com', 100_000, 'https://a.example'), 0)).toMatchObject({
      admitted: 100_000,
      waitMs: 0,
    });
  });

  it('has documented defaults that bound a page', () => {
    expect(defaultBudgetRates()).toEqual({
      mxSessionsPerMinute: 20,
      mxRcptsPerMinute: 200,
      domainSessionsPerMinute: 10,
      domainRcptsPerMinute: 100,
      siteChecksPerMinute: 60,
    });
  });
});

describe('spend', () => {
  it('waits for reserved tokens, then lets the work go', async () => {
    const time = clock();
    const waits: Array<{ ms: number; budget: string }> = [];
    const budgets = new Budgets({ ...OFF, domainRcptsPerMinute: 600 }, time.now, (wait) => waits.push(wait));
    budgets.admit(domainClaim('example.com', 600, null), 0);
    const admission = await spend(budgets, domainClaim('example.com', 1, null), 1_000);
    expect(admission).toMatchObject({ admitted: 1, waitMs: 100 });
    // Whoever shows progress hears why nothing moves.
    expect(waits).toEqual([{ ms: 100, budget: '600 addresses a minute at example.com' }]);
  });

  it('admits nothing once the check is cancelled', async () => {
    const budgets = new Budgets(defaultBudgetRates());
    const controller = new AbortController();
    controller.abort();
    expect((await spend(budgets, domainClaim('example.com', 5, null), 1_000, controller.signal)).admitted).toBe(0);
  });

  it('explains an over-budget answer', () => {
    expect(
      overBudgetDetail({
        admitted: 0,
        waitMs: 0,
        retryAfterMs: 6_000,
        limitedBy: '10 sessions a minute for example.com',
        waitingFor: null,
      }),
    ).toBe(
      "Not checked: MX Lens's budget of 10 sessions a minute for example.com is spent; no connection was made. Try again in 6 s.",
    );
  });
});
