import { describe, expect, it } from 'vitest';
import { BulkRun, clockText } from '../../extension/src/popup/bulk-run.js';

function run(count: number, window = 3) {
  let now = 1_000;
  const sent: string[][] = [];
  const addresses = Array.from({ length: count }, (_, i) => `a${i}@example.com`);
  const bulk = new BulkRun(
    addresses,
    (batch) => sent.push(batch),
    () => now,
    window,
  );
  return { bulk, sent, addresses, advance: (ms: number) => (now += ms) };
}

describe('BulkRun', () => {
  it('hands over a window of addresses, and one more as each settles', () => {
    const { bulk, sent } = run(5);
    expect(sent).toEqual([['a0@example.com', 'a1@example.com', 'a2@example.com']]);
    expect(bulk.settle('a1@example.com')).toBe(true);
    expect(sent.at(-1)).toEqual(['a3@example.com']);
    expect(bulk.settle('a1@example.com')).toBe(false); // already settled
    expect(bulk.settle('other@example.com')).toBe(false);
    expect(bulk.progress()).toMatchObject({ total: 5, done: 1, running: true, cancelled: false });
  });

  it('counts done of total, elapsed time, and estimates what is left from the pace so far', () => {
    const { bulk, advance } = run(4, 4);
    expect(bulk.progress().remainingMs).toBeNull(); // nothing to go by yet
    advance(500);
    bulk.settle('a0@example.com');
    expect(bulk.progress().remainingMs).toBeNull(); // one result in half a second: too early to say
    advance(1_500);
    expect(bulk.progress()).toMatchObject({ done: 1, elapsedMs: 2_000, remainingMs: 6_000 });
    for (const address of ['a1@example.com', 'a2@example.com', 'a3@example.com']) bulk.settle(address);
    advance(5_000);
    expect(bulk.progress()).toMatchObject({ done: 4, elapsedMs: 2_000, remainingMs: null, running: false });
  });

  it('on Cancel hands nothing more over, returns what was never sent, and ends when the last sent one settles', () => {
    const { bulk, sent } = run(6);
    const never = bulk.cancel();
    expect(never).toEqual(['a3@example.com', 'a4@example.com', 'a5@example.com']);
    expect(bulk.running).toBe(true); // three are still with the host
    bulk.settle('a0@example.com');
    expect(sent).toHaveLength(1); // nothing new handed over
    bulk.settle('a1@example.com');
    bulk.settle('a2@example.com');
    expect(bulk.progress()).toMatchObject({ done: 3, total: 6, running: false, cancelled: true });
    expect(bulk.cancel()).toEqual([]);
  });
});

describe('clockText', () => {
  it('writes minutes:seconds, and hours when needed', () => {
    expect(clockText(0)).toBe('0:00');
    expect(clockText(75_000)).toBe('1:15');
    expect(clockText(3_725_000)).toBe('1:02:05');
  });
});
