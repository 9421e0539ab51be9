import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProgressMessage } from '../../native-host/shared/protocol/messages.js';
import { PROGRESS_INTERVAL_MS, ProgressReporter } from '../../native-host/src/host/progress.js';

describe('ProgressReporter: stage events coalesced into progress frames', () => {
  let frames: ProgressMessage['stages'][];
  let reporter: ProgressReporter;
  beforeEach(() => {
    vi.useFakeTimers();
    frames = [];
    reporter = new ProgressReporter((stages) => frames.push(stages));
  });
  afterEach(() => {
    reporter.stop();
    vi.useRealTimers();
  });

  it('sends one frame per interval, with only the latest stage of each address, addresses of one stage together', () => {
    reporter.stage([0, 1, 2], { stage: 'dns' });
    reporter.stage([0, 1], { stage: 'connecting', host: 'mx1.test' });
    reporter.stage([0], { stage: 'smtp', host: 'mx1.test' });
    expect(frames).toEqual([]);
    vi.advanceTimersByTime(PROGRESS_INTERVAL_MS);
    expect(frames).toEqual([
      [
        { stage: 'smtp', host: 'mx1.test', indexes: [0] },
        { stage: 'connecting', host: 'mx1.test', indexes: [1] },
        { stage: 'dns', indexes: [2] },
      ],
    ]);
  });

  it('sends nothing for an address whose stage did not change, nor for one already answered', () => {
    reporter.stage([0, 1], { stage: 'dns' });
    vi.advanceTimersByTime(PROGRESS_INTERVAL_MS);
    reporter.stage([0], { stage: 'dns' });
    reporter.stage([1], { stage: 'connecting', host: 'mx.test' });
    reporter.done(1);
    vi.advanceTimersByTime(PROGRESS_INTERVAL_MS * 4);
    reporter.stage([1], { stage: 'smtp', host: 'mx.test' });
    vi.advanceTimersByTime(PROGRESS_INTERVAL_MS * 4);
    expect(frames).toEqual([[{ stage: 'dns', indexes: [0, 1] }]]);
  });

  it('keeps 10,000 addresses moving through their stages to a handful of frames', () => {
    const all = Array.from({ length: 10_000 }, (_, i) => i);
    reporter.stage(all, { stage: 'dns' });
    for (const index of all) {
      reporter.stage([index], { stage: 'connecting', host: `mx${index % 3}.test` });
      reporter.stage([index], { stage: 'smtp', host: `mx${index % 3}.test` });
      if (index % 1000 === 999) vi.advanceTimersByTime(50);
    }
    vi.advanceTimersByTime(PROGRESS_INTERVAL_MS);
    expect(frames.length).toBeLessThanOrEqual(3);
    expect(frames.flat().reduce((sum, group) => sum + group.indexes.length, 0)).toBeLessThanOrEqual(20_000);
    expect(frames.at(-1)!.every((group) => group.stage === 'smtp')).toBe(true);
  });

  it('counts a greylisting wait down to when the frame is sent', () => {
    reporter.stage([0], { stage: 'greylisted', host: 'mx.test', waitMs: 60_000 });
    vi.advanceTimersByTime(PROGRESS_INTERVAL_MS);
    expect(frames).toEqual([
      [{ stage: 'greylisted', host: 'mx.test', waitMs: 60_000 - PROGRESS_INTERVAL_MS, indexes: [0] }],
    ]);
  });

  it('sends nothing once stopped', () => {
    reporter.stage([0], { stage: 'dns' });
    reporter.stop();
    vi.advanceTimersByTime(PROGRESS_INTERVAL_MS * 4);
    expect(frames).toEqual([]);
  });
});
