import { describe, expect, it } from 'vitest';
import {
  classifyReply,
  describeRule,
  isMailboxSpecific,
  matchingRules,
  retryDelayMs,
  RULES,
  STAGES,
} from '../../native-host/src/engine/classify.js';
import type { SmtpPhase, SmtpReply } from '../../native-host/src/engine/result.js';
import { REASONS, verdictOf } from '../../native-host/src/engine/verdicts.js';
import { GOLDEN_REPLIES, type GoldenReply } from './golden-replies.js';

const PHASES: SmtpPhase[] = ['connect', 'banner', 'ehlo', 'helo', 'starttls', 'mail', 'rcpt'];
const MAILBOX_REASONS = new Set(['mailbox_exists', 'mailbox_not_found', 'mailbox_disabled', 'mailbox_full']);

// Written independently of classify.ts: what a human would call "a block" when reading a reply.
const LOOKS_LIKE_BLOCKLIST = /spamhaus|spamcop|barracuda|\brbl\b|dnsbl|block ?list|black ?list|reputation|listed at/i;

const reply = (g: GoldenReply): SmtpReply => ({ code: g.code, enhanced: g.enhanced, message: g.message });
const label = (g: GoldenReply) => `${g.source}: ${g.phase} ${g.code} ${g.enhanced ?? '-'} ${g.message.split('\n')[0]}`;

describe('golden corpus', () => {
  it('is big enough and well-formed', () => {
    expect(GOLDEN_REPLIES.length).toBeGreaterThanOrEqual(60);
    for (const g of GOLDEN_REPLIES) {
      expect(REASONS).toHaveProperty(g.expect);
      if (g.enhanced !== null) expect(g.enhanced).toMatch(/^[245]\.\d{1,3}\.\d{1,3}$/);
    }
  });

  it.each(GOLDEN_REPLIES.map((g) => [label(g), g] as const))('%s', (_name, g) => {
    const result = classifyReply(g.phase, reply(g));
    expect(result.reason, `rule ${result.rule}`).toBe(g.expect);
    expect(result.retryAfterMs).toBe(g.retryAfterMs);
  });

  it('never calls a blocklist, reputation or 5.7.x reply undeliverable', () => {
    const blocks = GOLDEN_REPLIES.filter((g) => g.enhanced?.match(/^[45]\.7\./) || LOOKS_LIKE_BLOCKLIST.test(g.message));
    expect(blocks.length).toBeGreaterThan(10);
    for (const g of blocks) expect(verdictOf(classifyReply(g.phase, reply(g)).reason), label(g)).not.toBe('undeliverable');
  });

  it('never gives a mailbox answer for a reply outside RCPT, in whichever phase it is replayed', () => {
    for (const g of GOLDEN_REPLIES) {
      for (const phase of PHASES.filter((p) => p !== 'rcpt')) {
        const { reason } = classifyReply(phase, reply(g));
        expect(MAILBOX_REASONS.has(reason), `${label(g)} at ${phase}: ${reason}`).toBe(false);
      }
    }
  });

  it('never calls a temporary (4xx) reply undeliverable', () => {
    for (const g of GOLDEN_REPLIES.filter((x) => x.code >= 400 && x.code < 500)) {
      expect(verdictOf(classifyReply('rcpt', reply(g)).reason), label(g)).not.toBe('undeliverable');
    }
  });

  it('stays blocked when a named blocklist is added to any refusal, even a 5.1.1', () => {
    for (const g of GOLDEN_REPLIES.filter((x) => x.code >= 400 && x.code < 600)) {
      const tainted = { ...reply(g), message: `${g.message}\nClient host [192.0.2.25] blocked using zen.spamhaus.org` };
      expect(classifyReply(g.phase, tainted).reason, label(g)).toBe('blocked');
    }
  });

  it('exercises every row of the table', () => {
    const used = new Set(GOLDEN_REPLIES.map((g) => classifyReply(g.phase, reply(g)).rule));
    const unused = RULES.map((r) => r.id).filter((id) => !used.has(id));
    expect(unused).toEqual([]);
  });

  it('never depends on row order inside a stage: rows of the deciding stage agree', () => {
    for (const g of GOLDEN_REPLIES) {
      const all = matchingRules(g.phase, reply(g));
      const deciding = all.filter((r) => r.stage === all[0]!.stage);
      expect(new Set(deciding.map((r) => r.reason)).size, `${label(g)}: ${deciding.map((r) => r.id).join(', ')}`).toBe(1);
    }
  });
});

describe('the table', () => {
  it('has unique rule ids, each with a stage, a reason and an explanation', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const stageIds = STAGES.map((s) => s.id);
    expect(new Set(stageIds).size).toBe(stageIds.length);
    for (const r of RULES) {
      expect(REASONS).toHaveProperty(r.reason);
      expect(stageIds).toContain(r.stage);
      expect(r.why.length).toBeGreaterThan(20);
      expect(describeRule(r.id)).toBe(r.why);
    }
    for (const s of STAGES) expect(s.precedence.length).toBeGreaterThan(20);
  });

  it('gives mailbox answers only at RCPT, and undeliverable ones only for 5xx', () => {
    for (const r of RULES) {
      if (MAILBOX_REASONS.has(r.reason)) expect(r.phases, r.id).toEqual(['rcpt']);
      if (verdictOf(r.reason) === 'undeliverable') {
        expect(r.match.codes, r.id).toBeDefined();
        for (const c of r.match.codes!) expect(c === '5xx' || (typeof c === 'number' && c >= 500 && c < 600), r.id).toBe(true);
      }
    }
  });

  it('answers every code in every phase with a table row', () => {
    for (const phase of PHASES) {
      for (let code = 0; code < 1000; code++) {
        const result = classifyReply(phase, { code, enhanced: null, message: '' });
        expect(RULES.some((r) => r.id === result.rule), `${phase} ${code}`).toBe(true);
      }
    }
  });

  it('explains the catch-all rule decided outside the table, and nothing for unknown ids', () => {
    expect(describeRule('policy-refusal')).toMatch(/random address/);
    expect(describeRule('no-such-rule')).toBeUndefined();
  });
});

describe('precedence, case by case', () => {
  const at = (phase: SmtpPhase, code: number, enhanced: string | null, message: string) =>
    classifyReply(phase, { code, enhanced, message });

  it('reads Microsoft 5.4.1 "Access denied" as no such recipient, but not elsewhere', () => {
    expect(at('rcpt', 550, '5.4.1', 'Recipient address rejected: Access denied. AS(201806281)')).toEqual({
      reason: 'mailbox_not_found',
      rule: 'ms365-directory-reject',
    });
    expect(at('rcpt', 550, '5.7.1', 'Recipient address rejected: Access denied').reason).toBe('blocked');
    expect(at('rcpt', 550, null, 'Access denied').reason).toBe('blocked');
    expect(at('mail', 550, '5.4.1', 'Recipient address rejected: Access denied').reason).toBe('blocked');
  });

  it('lets a precise enhanced code outrank an incidental word, but not a named blocklist', () => {
    expect(at('rcpt', 550, '5.1.1', 'User unknown; see our policy page').reason).toBe('mailbox_not_found');
    expect(at('rcpt', 550, '5.1.1', 'Blocked using bl.spamcop.net').reason).toBe('blocked');
  });

  it('never reads 4.x.x mailbox codes as undeliverable', () => {
    expect(at('rcpt', 450, '4.1.1', 'Recipient address rejected: unverified address').reason).toBe('greylisted');
    expect(at('rcpt', 450, '4.2.1', 'Mailbox temporarily disabled').reason).toBe('greylisted');
  });

  it('treats 421 as rate limiting and a bare 452 as temporary', () => {
    expect(at('rcpt', 421, '4.7.0', 'Try again later').rule).toBe('service-closing-421');
    expect(at('rcpt', 452, null, 'Requested action not taken').reason).toBe('greylisted');
  });

  it('keeps "552 5.3.4 message too big" away from mailbox_full', () => {
    expect(at('rcpt', 552, '5.3.4', 'Message size exceeds fixed limit').reason).toBe('blocked');
  });
});

describe('isMailboxSpecific', () => {
  const r = (code: number, enhanced: string | null, message: string): SmtpReply => ({ code, enhanced, message });

  it.each([
    [r(550, '5.1.1', 'Rejected'), true],
    [r(550, '5.2.2', 'Rejected'), true],
    [r(550, null, 'User unknown'), true],
    [r(550, null, 'No Such User Here'), true],
    [r(550, null, 'Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550'), true],
    [r(550, '5.4.1', 'Recipient address rejected: Access denied'), true],
    [r(550, null, 'Mailbox full'), true],
    [r(550, null, 'Rejected'), false],
    [r(554, '5.7.1', 'Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org'), false],
    [r(550, '5.1.8', 'Domain not found'), false],
    [r(550, null, 'permanent failure for one or more recipients (x@example.com:blocked)'), false],
    [r(554, null, 'Relay access denied'), false],
  ])('%o → %s', (input, expected) => {
    expect(isMailboxSpecific(input)).toBe(expected);
  });
});

describe('retryDelayMs', () => {
  it.each([
    ['try again in 5 minutes', 300_000],
    ['retry in 300 seconds', 300_000],
    ['wait 60 s', 60_000],
    ['Greylisted for 120 seconds', 120_000],
    ['please come back in 00:05:00', 300_000],
    ['Greylisted, see http://postgrey.schweikert.ch/help/example.com.html', 300_000],
    ['Try again after 1 hour', 3_600_000],
    ['try again later', undefined],
    ['sent 4 messages in 2 mins', 120_000],
    ['retry in 0 seconds', undefined],
    ['retry in 999999 hours', undefined],
  ])('%s → %s', (text, expected) => {
    expect(retryDelayMs(text)).toBe(expected);
  });

  it('is given only with greylisted and rate_limited answers', () => {
    expect(classifyReply('rcpt', { code: 550, enhanced: null, message: 'User unknown, try again in 5 minutes' }).retryAfterMs).toBeUndefined();
    expect(classifyReply('rcpt', { code: 421, enhanced: null, message: 'Too busy, try again in 5 minutes' }).retryAfterMs).toBe(300_000);
  });
});
