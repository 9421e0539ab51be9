import { describe, expect, it } from 'vitest';
import {
  DECISIONS,
  decide,
  describeRule,
  isMailboxSpecific,
  judgeCatchAllProbe,
  judgeRecipient,
  judgeReply,
  judgeRouting,
  judgeSessionFailure,
  judgeWithFlags,
  matchingRules,
  retryDelayMs,
  RULES,
  STAGES,
  type DecisionId,
} from '../../native-host/src/engine/judge.js';
import type { Flags, SmtpPhase, SmtpReply } from '../../native-host/shared/result.js';
import { REASONS, verdictOf } from '../../native-host/shared/verdicts.js';
import { GOLDEN_REPLIES, type GoldenReply } from './golden-replies.js';
import { REPLY_CORPUS } from './reply-corpus.js';

const PHASES: SmtpPhase[] = ['connect', 'banner', 'ehlo', 'helo', 'starttls', 'mail', 'rcpt'];
const MAILBOX_REASONS = new Set(['mailbox_exists', 'mailbox_not_found', 'mailbox_disabled', 'mailbox_full']);

// Written independently of judge.ts: what a human would call "a block" when reading a reply.
const LOOKS_LIKE_BLOCKLIST = /spamhaus|spamcop|barracuda|\brbl\b|dnsbl|block ?list|black ?list|reputation|listed at/i;

const reply = (g: GoldenReply): SmtpReply => ({ code: g.code, enhanced: g.enhanced, message: g.message });
const label = (g: GoldenReply) => `${g.source}: ${g.phase} ${g.code} ${g.enhanced ?? '-'} ${g.message.split('\n')[0]}`;
const at = (phase: SmtpPhase, code: number, enhanced: string | null, message: string) =>
  judgeReply(phase, { code, enhanced, message });

// Replies whose words say nothing either way, so that only the codes can decide (real servers
// rarely send them: their words usually decide first). They exercise the code rows of the table.
const CODES_ALONE: Array<[SmtpPhase, number, string | null, string, string, string]> = [
  ['rcpt', 550, '5.1.1', 'Rejected', 'mailbox_not_found', 'enhanced-no-such-mailbox'],
  ['rcpt', 550, '5.2.1', 'Rejected', 'mailbox_disabled', 'enhanced-mailbox-disabled'],
  ['rcpt', 552, '5.2.2', 'Requested mail action aborted', 'mailbox_full', 'enhanced-mailbox-full'],
  ['rcpt', 550, '5.1.8', 'Rejected', 'blocked', 'enhanced-sender-refused'],
  ['rcpt', 550, '5.7.1', 'Mailbox unavailable', 'blocked', 'enhanced-policy'],
  ['rcpt', 452, '4.5.3', 'Requested action not taken', 'rate_limited', 'enhanced-too-many-recipients'],
  ['rcpt', 550, null, 'Mailbox unavailable', 'mailbox_not_found', 'vague-mailbox-text'],
  ['rcpt', 552, null, 'Requested mail action aborted', 'mailbox_full', 'storage-552'],
  ['rcpt', 421, null, 'Service not available', 'rate_limited', 'service-closing-421'],
];

describe('golden formats', () => {
  it('is big enough and well-formed', () => {
    expect(GOLDEN_REPLIES.length).toBeGreaterThanOrEqual(60);
    for (const g of GOLDEN_REPLIES) {
      expect(REASONS).toHaveProperty(g.expect);
      if (g.enhanced !== null) expect(g.enhanced).toMatch(/^[245]\.\d{1,3}\.\d{1,3}$/);
    }
  });

  it.each(GOLDEN_REPLIES.map((g) => [label(g), g] as const))('%s', (_name, g) => {
    const result = judgeReply(g.phase, reply(g));
    expect(result.reason, `rule ${result.rule}`).toBe(g.expect);
    expect(result.verdict).toBe(verdictOf(g.expect));
    expect(result.retryAfterMs).toBe(g.retryAfterMs);
  });

  it('never calls a blocklist or reputation reply undeliverable', () => {
    const blocks = GOLDEN_REPLIES.filter((g) => LOOKS_LIKE_BLOCKLIST.test(g.message));
    expect(blocks.length).toBeGreaterThan(8);
    for (const g of blocks) expect(judgeReply(g.phase, reply(g)).verdict, label(g)).not.toBe('undeliverable');
  });

  it('never calls a 5.7.x reply undeliverable when its words say nothing about the mailbox', () => {
    const policy = GOLDEN_REPLIES.filter((g) => g.enhanced?.startsWith('5.7.'));
    expect(policy.length).toBeGreaterThan(8);
    for (const g of policy)
      expect(judgeReply('rcpt', { ...reply(g), message: 'Rejected' }).verdict, label(g)).not.toBe('undeliverable');
  });

  it('never gives a mailbox answer for a reply outside RCPT, in whichever phase it is replayed', () => {
    for (const g of GOLDEN_REPLIES) {
      for (const phase of PHASES.filter((p) => p !== 'rcpt')) {
        const { reason } = judgeReply(phase, reply(g));
        expect(MAILBOX_REASONS.has(reason), `${label(g)} at ${phase}: ${reason}`).toBe(false);
      }
    }
  });

  it('never calls a temporary (4xx) reply undeliverable', () => {
    for (const g of GOLDEN_REPLIES.filter((x) => x.code >= 400 && x.code < 500)) {
      expect(judgeReply('rcpt', reply(g)).verdict, label(g)).not.toBe('undeliverable');
    }
  });

  it('stays blocked when a named blocklist is added to any refusal, even a 5.1.1', () => {
    for (const g of GOLDEN_REPLIES.filter((x) => x.code >= 400 && x.code < 600)) {
      const tainted = { ...reply(g), message: `${g.message}\nClient host [192.0.2.25] blocked using zen.spamhaus.org` };
      expect(judgeReply(g.phase, tainted).reason, label(g)).toBe('blocked');
    }
  });

  it('never depends on row order inside a stage: rows of the deciding stage agree', () => {
    for (const g of GOLDEN_REPLIES) {
      const all = matchingRules(g.phase, reply(g));
      const deciding = all.filter((r) => r.stage === all[0]!.stage);
      expect(new Set(deciding.map((r) => r.reason)).size, `${label(g)}: ${deciding.map((r) => r.id).join(', ')}`).toBe(
        1,
      );
    }
  });
});

describe('the table', () => {
  it('has unique rule ids, each with a stage, a reason and an explanation', () => {
    const ids = [...RULES.map((r) => r.id), ...Object.keys(DECISIONS)];
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
        for (const c of r.match.codes!)
          expect(c === '5xx' || (typeof c === 'number' && c >= 500 && c < 600), r.id).toBe(true);
      }
    }
  });

  it('answers every code in every phase with a table row', () => {
    for (const phase of PHASES) {
      for (let code = 0; code < 1000; code++) {
        const result = judgeReply(phase, { code, enhanced: null, message: '' });
        expect(
          RULES.some((r) => r.id === result.rule),
          `${phase} ${code}`,
        ).toBe(true);
      }
    }
  });

  it('exercises every row of the table with the golden formats, the real-reply corpus and the code-only replies', () => {
    const used = new Set([
      ...GOLDEN_REPLIES.map((g) => judgeReply(g.phase, reply(g)).rule),
      ...REPLY_CORPUS.map((c) => judgeReply(c.phase, { code: c.code, enhanced: c.enhanced, message: c.text }).rule),
      ...CODES_ALONE.map(([phase, code, enhanced, text]) => at(phase, code, enhanced, text).rule),
    ]);
    expect(RULES.map((r) => r.id).filter((id) => !used.has(id))).toEqual([]);
  });

  it('explains nothing for an unknown id', () => {
    expect(describeRule('no-such-rule')).toBeUndefined();
  });
});

describe('words over codes, case by case (issue 8)', () => {
  it('reads a complaint about rate as rate_limited, whatever mailbox code comes with it', () => {
    expect(at('rcpt', 550, '5.1.1', 'Too many messages from your IP, slow down')).toMatchObject({
      reason: 'rate_limited',
      rule: 'rate-limit-text',
    });
    expect(
      at(
        'rcpt',
        550,
        '5.2.1',
        'The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered',
      ).reason,
    ).toBe('rate_limited');
  });

  it('reads words that deny the mailbox as mailbox_not_found, even behind a 5.7.x code', () => {
    expect(at('rcpt', 550, '5.7.1', 'The user does not exist')).toEqual({
      verdict: 'undeliverable',
      reason: 'mailbox_not_found',
      rule: 'no-such-mailbox-text',
    });
    // The same code with words that say nothing about the mailbox stays a policy refusal.
    expect(at('rcpt', 550, '5.7.1', 'Message rejected')).toMatchObject({
      verdict: 'unknown',
      reason: 'blocked',
      rule: 'enhanced-policy',
    });
  });

  it('reads "mailbox full" as mailbox_full behind a 5.1.x code, and "disabled" as mailbox_disabled', () => {
    expect(at('rcpt', 550, '5.1.1', 'Mailbox full')).toMatchObject({ verdict: 'risky', reason: 'mailbox_full' });
    expect(at('rcpt', 550, '5.1.1', 'This account has been suspended')).toMatchObject({ reason: 'mailbox_disabled' });
    expect(at('rcpt', 550, '5.2.1', 'User unknown')).toMatchObject({ reason: 'mailbox_not_found' });
  });

  it('reads a greylisting reply as greylisted behind a 4.2.x mailbox code', () => {
    expect(at('rcpt', 452, '4.2.2', 'Greylisted, please try again in 5 minutes')).toEqual({
      verdict: 'unknown',
      reason: 'greylisted',
      rule: 'greylisting-text',
      retryAfterMs: 300_000,
    });
  });

  it('lets words that name us win over words that deny the mailbox', () => {
    expect(at('rcpt', 550, '5.1.1', 'User unknown; see our policy page')).toMatchObject({
      reason: 'blocked',
      rule: 'policy-text',
    });
    expect(at('rcpt', 550, '5.1.1', 'Blocked using bl.spamcop.net')).toMatchObject({
      reason: 'blocked',
      rule: 'blocklist-named',
    });
    expect(at('rcpt', 550, '5.1.1', 'User unknown, try again later')).toMatchObject({
      reason: 'greylisted',
      rule: 'try-later-text',
    });
  });

  it.each(CODES_ALONE)(
    'lets the codes decide when the words say nothing: %s %i %s "%s"',
    (phase, code, enhanced, text, reason, rule) => {
      expect(at(phase, code, enhanced, text)).toMatchObject({ reason, rule });
    },
  );

  it('reads Microsoft 5.4.1 "Access denied" as no such recipient, but not elsewhere', () => {
    expect(at('rcpt', 550, '5.4.1', 'Recipient address rejected: Access denied. AS(201806281)')).toEqual({
      verdict: 'undeliverable',
      reason: 'mailbox_not_found',
      rule: 'ms365-directory-reject',
    });
    expect(
      at(
        'rcpt',
        550,
        '5.4.1',
        'Recipient address rejected: Access denied. Client host [192.0.2.25] has a poor reputation',
      ).reason,
    ).toBe('blocked');
    expect(at('rcpt', 550, '5.7.1', 'Recipient address rejected: Access denied').reason).toBe('blocked');
    expect(at('rcpt', 550, null, 'Access denied').reason).toBe('blocked');
    expect(at('mail', 550, '5.4.1', 'Recipient address rejected: Access denied').reason).toBe('blocked');
  });

  it('never reads 4.x.x mailbox codes or words as undeliverable', () => {
    expect(at('rcpt', 450, '4.1.1', 'Recipient address rejected: unverified address').reason).toBe('greylisted');
    expect(at('rcpt', 450, '4.2.1', 'Mailbox temporarily disabled').reason).toBe('greylisted');
    expect(at('rcpt', 450, '4.1.1', 'User unknown').verdict).toBe('unknown');
  });

  it('treats 421 as rate limiting and a bare 452 as temporary', () => {
    expect(at('rcpt', 421, '4.7.0', 'Try again later').rule).toBe('service-closing-421');
    expect(at('rcpt', 452, null, 'Requested action not taken').reason).toBe('greylisted');
  });

  it('keeps "552 5.3.4 message too big" away from mailbox_full', () => {
    expect(at('rcpt', 552, '5.3.4', 'Message size exceeds fixed limit').reason).toBe('blocked');
  });

  it('reads the words around a quoted address, not the address we asked about', () => {
    const unknown = (mailbox: string) =>
      at('rcpt', 550, '5.1.1', `<${mailbox}>: Recipient address rejected: User unknown in virtual mailbox table`);
    expect(unknown('spam-reports@example.com')).toEqual(unknown('someone@example.com'));
    expect(unknown('spam-reports@example.com').reason).toBe('mailbox_not_found');
    expect(at('rcpt', 550, '5.1.1', '<user@example.com>: Relay access denied').reason).toBe('blocked');
    expect(isMailboxSpecific({ code: 554, enhanced: null, message: '<user@example.com>: Relay access denied' })).toBe(
      false,
    );
    // A bracketed link is the server's words: it names the blocklist.
    expect(at('rcpt', 550, null, 'Rejected, see <https://www.spamhaus.org/query/ip/192.0.2.1>').reason).toBe('blocked');
  });
});

describe('decisions that are not replies', () => {
  it('gives every decision its reason, the matching verdict, its id and an explanation', () => {
    for (const id of Object.keys(DECISIONS) as DecisionId[]) {
      const judged = decide(id);
      expect(judged).toEqual({
        verdict: REASONS[DECISIONS[id].reason].verdict,
        reason: DECISIONS[id].reason,
        rule: id,
      });
      expect(describeRule(id)).toBe(DECISIONS[id].why);
    }
  });

  it('judges DNS answers that end a check', () => {
    expect(judgeRouting('no_such_domain')).toMatchObject({
      verdict: 'undeliverable',
      reason: 'no_such_domain',
      rule: 'dns-nxdomain',
    });
    expect(judgeRouting('null_mx')).toMatchObject({ reason: 'null_mx', rule: 'dns-null-mx' });
    expect(judgeRouting('no_mail_server')).toMatchObject({ reason: 'no_mail_server', rule: 'dns-no-mail-server' });
    expect(judgeRouting('dns_error')).toMatchObject({ verdict: 'unknown', reason: 'dns_error', rule: 'dns-failure' });
  });

  it('judges session failures by their kind, and by the reply when the server said why', () => {
    const tooMany: SmtpReply = { code: 421, enhanced: '4.7.0', message: 'Error: too many connections from 192.0.2.25' };
    expect(judgeSessionFailure('timeout', 'rcpt', null)).toMatchObject({ reason: 'timeout', rule: 'session-timeout' });
    expect(judgeSessionFailure('aborted', 'connect', null)).toMatchObject({
      reason: 'timeout',
      rule: 'session-cancelled',
    });
    expect(judgeSessionFailure('protocol', 'rcpt', null)).toMatchObject({
      reason: 'protocol_error',
      rule: 'session-protocol',
    });
    expect(judgeSessionFailure('tls', 'starttls', null)).toMatchObject({
      reason: 'connection_failed',
      rule: 'session-tls-failed',
    });
    expect(judgeSessionFailure('connection', 'connect', null)).toMatchObject({
      reason: 'connection_failed',
      rule: 'session-connect-failed',
    });
    expect(judgeSessionFailure('connection', 'banner', tooMany)).toMatchObject({
      reason: 'rate_limited',
      rule: 'rate-limit-text',
    });
    expect(
      judgeSessionFailure('rejected', 'ehlo', { code: 554, enhanced: null, message: 'No SMTP service here' }),
    ).toMatchObject({
      reason: 'blocked',
      rule: 'refused-before-rcpt',
    });
  });

  it('turns an acceptance into catch_all or disposable by the flags, and nothing else', () => {
    const flags = (over: Partial<Flags>): Flags => ({
      disposable: false,
      role: false,
      free: false,
      catchAll: false,
      ...over,
    });
    const accepted = judgeReply('rcpt', { code: 250, enhanced: '2.1.5', message: 'Ok' });
    expect(judgeWithFlags(accepted, flags({}))).toEqual(accepted);
    expect(judgeWithFlags(accepted, flags({ catchAll: true, disposable: true }))).toMatchObject({
      verdict: 'risky',
      reason: 'catch_all',
      rule: 'catch-all-domain',
    });
    expect(judgeWithFlags(accepted, flags({ disposable: true }))).toMatchObject({
      verdict: 'risky',
      reason: 'disposable',
      rule: 'disposable-domain',
    });
    const refused = judgeReply('rcpt', { code: 550, enhanced: '5.1.1', message: 'User unknown' });
    expect(judgeWithFlags(refused, flags({ catchAll: true, disposable: true }))).toEqual(refused);
  });

  it('reads the same non-mailbox refusal for the address and a random one as a policy', () => {
    const rejected = (to: string): SmtpReply => ({
      code: 550,
      enhanced: '5.0.0',
      message: `<${to}> Rejected by local rules`,
    });
    expect(judgeRecipient(rejected('alice@example.com'), rejected('x7q2@example.com'))).toMatchObject({
      reason: 'blocked',
      rule: 'same-refusal-as-random-address',
    });
    const unknown = (to: string): SmtpReply => ({
      code: 550,
      enhanced: '5.1.1',
      message: `<${to}>: Recipient address rejected: User unknown`,
    });
    expect(judgeRecipient(unknown('alice@example.com'), unknown('x7q2@example.com')).reason).toBe('mailbox_not_found');
    expect(judgeRecipient(unknown('alice@example.com'), null).reason).toBe('mailbox_not_found');
    expect(judgeRecipient(rejected('alice@example.com'), { code: 250, enhanced: '2.1.5', message: 'Ok' }).rule).toBe(
      'rcpt-refused-unexplained',
    );
  });

  it('learns catch-all only from a mailbox answer to the random address', () => {
    expect(judgeCatchAllProbe({ code: 250, enhanced: '2.1.5', message: 'Ok' })).toBe(true);
    expect(judgeCatchAllProbe({ code: 550, enhanced: '5.1.1', message: 'User unknown' })).toBe(false);
    expect(
      judgeCatchAllProbe({
        code: 550,
        enhanced: '5.7.1',
        message: 'Client host [192.0.2.25] blocked using zen.spamhaus.org',
      }),
    ).toBeNull();
    expect(
      judgeCatchAllProbe({
        code: 450,
        enhanced: '4.2.0',
        message: 'Greylisted, see http://postgrey.schweikert.ch/help/example.com.html',
      }),
    ).toBeNull();
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
    expect(
      judgeReply('rcpt', { code: 550, enhanced: null, message: 'User unknown, try again in 5 minutes' }).retryAfterMs,
    ).toBeUndefined();
    expect(
      judgeReply('rcpt', { code: 421, enhanced: null, message: 'Too busy, try again in 5 minutes' }).retryAfterMs,
    ).toBe(300_000);
  });
});
