import { describe, expect, it } from 'vitest';
import {
  ErrorPaceWatch,
  MxToleranceMemory,
  recipientsForNextTransaction,
} from '../../native-host/src/engine/mx-tolerance.js';

describe('MxToleranceMemory', () => {
  it('keeps the smallest limit seen, per server, for an hour', () => {
    let now = 0;
    const memory = new MxToleranceMemory(() => now);
    expect(memory.get('192.0.2.1')).toEqual({ errorLimit: null, recipientLimit: null, lockstep: false });
    memory.learnErrorLimit('192.0.2.1', 20);
    memory.learnErrorLimit('192.0.2.1', 10);
    memory.learnErrorLimit('192.0.2.1', 15);
    memory.learnLockstep('192.0.2.1');
    expect(memory.get('192.0.2.1')).toMatchObject({ errorLimit: 10, lockstep: true });
    expect(memory.get('192.0.2.2').errorLimit).toBeNull();
    now = 61 * 60_000;
    expect(memory.get('192.0.2.1').errorLimit).toBeNull();
  });
});

describe('recipientsForNextTransaction', () => {
  it('stays at 100 for a server with no known limit', () => {
    expect(recipientsForNextTransaction({ errorLimit: null, recipientLimit: null, lockstep: false }, 50)).toBe(100);
  });

  it('keeps every possible rejection of a session below the learned limit', () => {
    const postfix = { errorLimit: 10, recipientLimit: null, lockstep: false };
    expect(recipientsForNextTransaction(postfix, 0)).toBe(9);
    expect(recipientsForNextTransaction(postfix, 7)).toBe(2);
    expect(recipientsForNextTransaction(postfix, 9)).toBe(0);
    expect(recipientsForNextTransaction({ errorLimit: null, recipientLimit: 2, lockstep: false }, 0)).toBe(2);
  });
});

describe('ErrorPaceWatch', () => {
  it("finds Postfix's error sleep: the buffered replies arrive with the first delayed one", () => {
    const watch = new ErrorPaceWatch(0, 500);
    watch.sent(0);
    // MAIL 250, then 10 rejections, all held back and sent with the 12th reply after a 1 s sleep.
    watch.reply(250, 1000, 1);
    for (let i = 0; i < 10; i++) watch.reply(550, 1000, 1);
    watch.reply(550, 1000, 1);
    expect(watch.slowedDownAfter()).toBe(10);
  });

  it('takes neither a slow server without rejections nor fast rejections for an error sleep', () => {
    const slow = new ErrorPaceWatch(0, 500);
    slow.reply(250, 900, 1);
    slow.reply(250, 900, 1);
    expect(slow.slowedDownAfter()).toBeNull();

    const fast = new ErrorPaceWatch(0, 500);
    for (let i = 0; i < 30; i++) fast.reply(550, 10 + i, i + 1);
    expect(fast.slowedDownAfter()).toBeNull();
    expect(fast.rejected).toBe(30);
  });

  it('does not count a 421 goodbye as a rejection', () => {
    const watch = new ErrorPaceWatch(0, 500);
    watch.reply(550, 10, 1);
    watch.reply(421, 10, 1);
    expect(watch.rejected).toBe(1);
  });
});
