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
  it("finds Postfix's error sleep: the buffered replies arrive with the first delayed one, and the next is late too", () => {
    const watch = new ErrorPaceWatch(0, 500);
    watch.sent(0);
    // MAIL 250, then 10 rejections, all held back and sent with the 11th after a 1 s sleep.
    watch.reply(250, 1000, 1);
    for (let i = 0; i < 10; i++) watch.reply(550, 1000, 1);
    watch.reply(550, 1000, 1);
    expect(watch.slowedDownAfter()).toBeNull();
    // The server sleeps before each reply from now on.
    watch.reply(550, 2000, 2);
    expect(watch.slowedDownAfter()).toBe(10);
    watch.reply(550, 3000, 3);
    expect(watch.slowedDownAfter()).toBe(10);
  });

  it('takes neither a slow server without rejections nor fast rejections for an error sleep', () => {
    const slow = new ErrorPaceWatch(0, 500);
    slow.reply(250, 900, 1);
    slow.reply(250, 900, 1);
    slow.reply(250, 1800, 2);
    expect(slow.slowedDownAfter()).toBeNull();

    const fast = new ErrorPaceWatch(0, 500);
    for (let i = 0; i < 30; i++) fast.reply(550, 10 + i, i + 1);
    expect(fast.slowedDownAfter()).toBeNull();
    expect(fast.rejected).toBe(30);
  });

  it('does not take a server that paces its replies (late once per group, then fast) for an error sleep', () => {
    const watch = new ErrorPaceWatch(0, 500);
    for (let group = 0; group < 3; group++) {
      const start = group * 2000;
      watch.sent(start);
      watch.reply(250, start + 20, group * 10 + 1);
      // Held for the client's rate: the RCPT replies come late, then one a millisecond.
      for (let i = 0; i < 6; i++) watch.reply(i % 2 ? 250 : 550, start + 1500 + i, group * 10 + 2 + i);
      expect(watch.slowedDownAfter()).toBeNull();
    }
    expect(watch.rejected).toBe(9);
  });

  it('does not count a 421 goodbye as a rejection', () => {
    const watch = new ErrorPaceWatch(0, 500);
    watch.reply(550, 10, 1);
    watch.reply(421, 10, 1);
    expect(watch.rejected).toBe(1);
  });
});
