import { afterEach, describe, expect, it, vi } from 'vitest';
import { Slices } from '../../extension/src/content/core/slices.js';

afterEach(() => {
  vi.useRealTimers();
});

function* counting(steps: string[], name: string, count: number): Generator<void> {
  for (let i = 0; i < count; i++) {
    steps.push(`${name}${i}`);
    yield;
  }
}

describe('slices', () => {
  it('runs the first slice at once, the rest in later tasks, jobs in the order they came', () => {
    vi.useFakeTimers();
    const steps: string[] = [];
    let slices = 0;
    const runner = new Slices({ sliceMs: 0, afterSlice: () => slices++ });
    runner.add(counting(steps, 'a', 2));
    runner.add(counting(steps, 'b', 1));
    expect(steps).toEqual(['a0']); // the time was up after one step: the page gets its turn
    expect(slices).toBe(1);
    vi.runAllTimers();
    expect(steps).toEqual(['a0', 'a1', 'b0']);
    expect(slices).toBeGreaterThanOrEqual(3);
  });

  it('without a time limit runs everything now; a job added by a step runs in the same go', () => {
    const steps: string[] = [];
    const runner = new Slices({ sliceMs: Infinity });
    runner.add(
      (function* (): Generator<void> {
        steps.push('outer');
        runner.add(counting(steps, 'inner', 2));
        yield;
      })(),
    );
    expect(steps).toEqual(['outer', 'inner0', 'inner1']);
  });

  it('tells when a job is done; a job that throws ends without stopping the others', () => {
    const done: string[] = [];
    const steps: string[] = [];
    const runner = new Slices({ sliceMs: Infinity });
    runner.add(
      (function* (): Generator<void> {
        yield;
        throw new Error('broken');
      })(),
      () => done.push('broken'),
    );
    runner.add(counting(steps, 'c', 2), () => done.push('counting'));
    expect(done).toEqual(['broken', 'counting']);
    expect(steps).toEqual(['c0', 'c1']);
  });

  it('stops: queued jobs never run', () => {
    vi.useFakeTimers();
    const steps: string[] = [];
    const runner = new Slices({ sliceMs: 0 });
    runner.add(counting(steps, 'a', 3));
    runner.stop();
    vi.runAllTimers();
    expect(steps).toEqual(['a0']);
  });
});
