import { describe, expect, it } from 'vitest';
import { judgeReply, matchingRules } from '../../native-host/src/engine/judge.js';
import type { SmtpPhase, SmtpReply } from '../../native-host/shared/result.js';
import { verdictOf } from '../../native-host/shared/verdicts.js';
import { REPLY_CORPUS, type CorpusReply } from './reply-corpus.js';

// The judge, table-driven over real replies collected from public sources (reply-corpus.ts).

const PHASES: SmtpPhase[] = ['connect', 'banner', 'ehlo', 'helo', 'starttls', 'mail', 'rcpt'];
const MAILBOX_REASONS = new Set(['mailbox_exists', 'mailbox_not_found', 'mailbox_disabled', 'mailbox_full']);

const asReply = (c: CorpusReply): SmtpReply => ({ code: c.code, enhanced: c.enhanced, message: c.text });
const label = (c: CorpusReply) =>
  `${c.who}: ${c.phase} ${c.code} ${c.enhanced ?? '-'} ${c.text.split('\n')[0]!.slice(0, 90)}`;

/** An enhanced code whose class speaks of the mailbox (x.1.x, x.2.x) or of policy (x.7.x). */
const codeSays = (c: CorpusReply, detail: string) => c.enhanced !== null && c.enhanced.split('.')[1] === detail;

describe('reply corpus', () => {
  it('holds at least 120 real replies, each with its source, a phase and a consistent expectation', () => {
    expect(REPLY_CORPUS.length).toBeGreaterThanOrEqual(120);
    for (const c of REPLY_CORPUS) {
      expect(c.from.length, label(c)).toBeGreaterThan(10);
      expect(PHASES).toContain(c.phase);
      expect(verdictOf(c.reason), label(c)).toBe(c.verdict);
      if (c.enhanced !== null) expect(c.enhanced).toMatch(/^[245]\.\d{1,3}\.\d{1,3}$/);
    }
  });

  it('covers the providers and products the issue names', () => {
    const who = REPLY_CORPUS.map((c) => c.who.toLowerCase()).join(' | ');
    for (const name of [
      'gmail',
      'microsoft 365',
      'outlook',
      'yahoo',
      'aol',
      'icloud',
      'gmx',
      'zoho',
      'yandex',
      'mail.ru',
      'qq',
      '163',
      'mimecast',
      'proofpoint',
      'barracuda',
      'cisco',
      'postfix',
      'exim',
      'qmail',
      'exchange',
      'postgrey',
    ]) {
      expect(who, name).toContain(name);
    }
  });

  it.each(REPLY_CORPUS.map((c) => [label(c), c] as const))('%s', (_name, c) => {
    const judged = judgeReply(c.phase, asReply(c));
    expect({ verdict: judged.verdict, reason: judged.reason }, `rule ${judged.rule}`).toEqual({
      verdict: c.verdict,
      reason: c.reason,
    });
    expect(judged.retryAfterMs).toBe(c.retryAfterMs);
  });

  it('holds the contradictory-code cases of issue 8, in each direction', () => {
    const contradictions = REPLY_CORPUS.filter((c) => c.note?.startsWith('contradictory code'));
    expect(contradictions.length).toBeGreaterThanOrEqual(12);
    // 5.1.x on a complaint about rate → rate_limited; 5.7.x on "no such user" → mailbox_not_found;
    // 5.1.x on "mailbox full" → mailbox_full; 4.x.x mailbox code on rate words → rate_limited.
    expect(contradictions.some((c) => codeSays(c, '1') && c.reason === 'rate_limited')).toBe(true);
    expect(contradictions.some((c) => codeSays(c, '7') && c.reason === 'mailbox_not_found')).toBe(true);
    expect(contradictions.some((c) => codeSays(c, '1') && c.reason === 'mailbox_full')).toBe(true);
    expect(contradictions.some((c) => codeSays(c, '2') && c.reason === 'rate_limited')).toBe(true);
    expect(contradictions.some((c) => codeSays(c, '1') && c.reason === 'blocked')).toBe(true);
  });

  it('never gives a mailbox answer outside RCPT, in whichever phase a reply is replayed', () => {
    for (const c of REPLY_CORPUS) {
      for (const phase of PHASES.filter((p) => p !== 'rcpt')) {
        const { reason } = judgeReply(phase, asReply(c));
        expect(MAILBOX_REASONS.has(reason), `${label(c)} at ${phase}: ${reason}`).toBe(false);
      }
    }
  });

  it('never calls a temporary (4xx) reply undeliverable', () => {
    const temporary = REPLY_CORPUS.filter((c) => c.code >= 400 && c.code < 500);
    expect(temporary.length).toBeGreaterThan(30);
    for (const c of temporary) expect(judgeReply('rcpt', asReply(c)).verdict, label(c)).not.toBe('undeliverable');
  });

  it('never lets rows of the deciding stage disagree (row order inside a stage carries no meaning)', () => {
    for (const c of REPLY_CORPUS) {
      const all = matchingRules(c.phase, asReply(c));
      const deciding = all.filter((r) => r.stage === all[0]!.stage);
      expect(new Set(deciding.map((r) => r.reason)).size, `${label(c)}: ${deciding.map((r) => r.id).join(', ')}`).toBe(
        1,
      );
    }
  });

  it('stays unknown when a refusal of us is added to any reply, even a 5.1.1 "user unknown"', () => {
    const ofUs = [
      'Client host [192.0.2.25] blocked using zen.spamhaus.org',
      'Your IP has a poor reputation',
      'too many connections from your IP, slow down',
      'Relay access denied',
      'Greylisted, please come back later',
    ];
    for (const c of REPLY_CORPUS.filter((x) => x.code >= 400)) {
      for (const words of ofUs) {
        const judged = judgeReply(c.phase, { ...asReply(c), message: `${c.text}\n${words}` });
        expect(judged.verdict, `${label(c)} + "${words}": ${judged.rule}`).toBe('unknown');
      }
    }
  });
});
