import { describe, expect, it } from 'vitest';
import { KeyedSemaphore, Semaphore } from '../../native-host/src/engine/limits.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Semaphore', () => {
  it('lets at most `size` holders in at once and serves the rest in order', async () => {
    const semaphore = new Semaphore(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    const runs = gates.map((gate, i) =>
      semaphore.use(async () => {
        inside++;
        most = Math.max(most, inside);
        order.push(i);
        await gate.promise;
        inside--;
      }),
    );
    await Promise.resolve();
    expect(order).toEqual([0, 1]);
    gates[1]!.resolve();
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    await Promise.all(runs);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
    expect(semaphore.idle).toBe(true);
  });

  it('releases its slot when the work throws', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.use(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(semaphore.use(async () => 'next')).resolves.toBe('next');
  });
});

describe('KeyedSemaphore', () => {
  it('limits each key on its own', async () => {
    const limits = new KeyedSemaphore(1);
    const gate = deferred();
    const started: string[] = [];
    const a1 = limits.use('a', async () => {
      started.push('a1');
      await gate.promise;
    });
    const a2 = limits.use('a', async () => void started.push('a2'));
    const b1 = limits.use('b', async () => void started.push('b1'));
    await b1;
    expect(started).toEqual(['a1', 'b1']);
    gate.resolve();
    await Promise.all([a1, a2]);
    expect(started).toEqual(['a1', 'b1', 'a2']);
  });
});
