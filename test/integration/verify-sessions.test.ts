import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Verifier } from '../../native-host/src/engine/verifier.js';
import { defaultVerifyOptions, type VerifyOptions } from '../../native-host/src/engine/options.js';
import type { VerificationResult } from '../../native-host/shared/result.js';
import { useWorld, type FakeSession, type World } from '../world/index.js';
import { verifyInWorld } from './cli.js';

// What real servers do to a session, and that every recipient is still judged from its own
// reply: error limits and error sleep (stock Postfix), sessions cut mid-batch, replies that
// match no command, many domains on one MX, and a time budget that is a real upper bound.

let world: World;
beforeAll(async () => {
  world = await useWorld();
});
afterAll(() => world?.stop());
beforeEach(() => world.resetFakes());

const reasons = (results: VerificationResult[]) => Object.fromEntries(results.map((r) => [r.address, r.reason]));

/** Expected reasons: the listed mailboxes exist, every other address is unknown to the server. */
function expected(addresses: string[], existing: string[]): Record<string, string> {
  return Object.fromEntries(addresses.map((a) => [a, existing.includes(a) ? 'mailbox_exists' : 'mailbox_not_found']));
}

function rcptsOf(session: FakeSession): string[] {
  return session.rcptTo;
}

describe('servers that limit errors per session', () => {
  it('answers 30 addresses at a stock-Postfix-like server exactly, staying below its error sleep after learning it', async () => {
    const existing = ['ann@errorlimits.test', 'ben@errorlimits.test', 'cat@errorlimits.test'];
    const addresses = [...existing, ...Array.from({ length: 27 }, (_, i) => `nobody${i + 1}@errorlimits.test`)];
    const results = await verifyInWorld(addresses, ['--timeout', '8000']);
    expect(reasons(results)).toEqual(expected(addresses, existing));

    const sessions = world.fakes['mx.errorlimits.test']!.sessions;
    // The first session met the 1 s error sleep after 10 rejections; every later one stays
    // below 10 rejections (probe included) and never reaches the 421.
    for (const session of sessions.slice(1)) expect(rcptsOf(session).length).toBeLessThanOrEqual(9);
    expect(sessions.length).toBeLessThanOrEqual(6);
  });

  it('learns a server that hangs up after 5 rejections and sizes the next sessions below it', async () => {
    const existing = ['ann@hangup.test', 'ben@hangup.test'];
    const addresses = [...existing, ...Array.from({ length: 10 }, (_, i) => `nobody${i + 1}@hangup.test`)];
    const results = await verifyInWorld(addresses, ['--timeout', '8000']);
    expect(reasons(results)).toEqual(expected(addresses, existing));

    const sessions = world.fakes['mx.hangup.test']!.sessions;
    expect(sessions.length).toBeGreaterThan(1);
    for (const session of sessions.slice(1)) expect(rcptsOf(session).length).toBeLessThanOrEqual(4);
  });
});

describe('a session that ends mid-batch keeps the replies it got', () => {
  it.each([
    ['cut421', '421 after 4 replies'],
    ['cutreset', 'a TCP reset after 4 replies'],
    ['cutsilent', 'silence after 4 replies'],
    ['cuttls', 'a broken TLS record after 4 replies'],
  ])('%s: %s', async (label) => {
    const existing = [`ann@${label}.test`, `ben@${label}.test`];
    const addresses = [
      `ann@${label}.test`,
      `nobody1@${label}.test`,
      `ben@${label}.test`,
      `nobody2@${label}.test`,
      `nobody3@${label}.test`,
      `nobody4@${label}.test`,
    ];
    const results = await verifyInWorld(addresses, ['--timeout', '4000']);
    expect(reasons(results)).toEqual(expected(addresses, existing));

    const [first, ...later] = world.fakes[`mx.${label}.test`]!.sessions;
    // The server answered 4 RCPTs in the first session (the catch-all probe goes first).
    const answeredInFirst = rcptsOf(first!)
      .slice(0, 4)
      .filter((a) => addresses.includes(a));
    expect(answeredInFirst).toEqual(addresses.slice(0, 3));
    // Only the recipients without a reply went on; none was asked twice.
    const askedLater = later.flatMap(rcptsOf).filter((a) => addresses.includes(a));
    expect(askedLater.sort()).toEqual(addresses.slice(3).sort());
  });
});

describe('replies that cannot be matched to commands', () => {
  it.each([
    ['doublemail', 'two replies to MAIL FROM'],
    ['earlyreply', 'a reply before any command'],
    ['twogreetings', 'a second 220 greeting'],
    ['wrongcode', '354 to RCPT TO'],
  ])('%s (%s): unknown / protocol_error, never a verdict from another reply', async (label) => {
    const addresses = [`ann@${label}.test`, `nobody@${label}.test`];
    const results = await verifyInWorld(addresses, ['--no-catch-all']);
    for (const result of results) expect(result).toMatchObject({ verdict: 'unknown', reason: 'protocol_error' });
  });

  it('asks again one command at a time when only pipelined replies go wrong', async () => {
    const addresses = ['ann@badpipe.test', 'nobody@badpipe.test'];
    const results = await verifyInWorld(addresses, ['--no-catch-all']);
    expect(reasons(results)).toEqual(expected(addresses, ['ann@badpipe.test']));
    const sessions = world.fakes['mx.badpipe.test']!.sessions;
    expect(sessions).toHaveLength(2);
  });
});

describe('many domains on one mail server', () => {
  it('carries 30 domains through at most two sessions at a time, with no false timeouts', async () => {
    const addresses = Array.from({ length: 30 }, (_, i) => [
      `info@sharedmx${i + 1}.test`,
      `nobody@sharedmx${i + 1}.test`,
    ]).flat();
    const results = await verifyInWorld(addresses, ['--timeout', '1500']);
    expect(reasons(results)).toEqual(
      expected(
        addresses,
        addresses.filter((a) => a.startsWith('info@')),
      ),
    );

    const sessions = world.fakes['mx.sharedmx.test']!.sessions;
    const end = (s: FakeSession) => s.quitAt ?? s.closedAt ?? Infinity;
    const mostAtOnce = Math.max(
      ...sessions.map((s) => sessions.filter((o) => o.startedAt <= s.startedAt && end(o) > s.startedAt).length),
    );
    expect(mostAtOnce).toBeLessThanOrEqual(2);
    // One session carries recipients of many domains.
    const domainsPerSession = sessions.map((s) => new Set(s.rcptTo.map((a) => a.split('@')[1])).size);
    expect(Math.max(...domainsPerSession)).toBeGreaterThan(5);
  });
});

describe('the time budget', () => {
  const options = (overrides: Partial<VerifyOptions>): VerifyOptions => ({
    ...defaultVerifyOptions(),
    dnsServers: [world.dnsServer],
    allowPrivate: true,
    ...overrides,
  });

  /** The results in the order the verifier gave them. */
  async function streamed(verifier: Verifier, addresses: string[]): Promise<VerificationResult[]> {
    const seen: VerificationResult[] = [];
    for await (const { result } of verifier.verify(addresses)) seen.push(result);
    return seen;
  }

  it('is an upper bound per address, however slow the server', async () => {
    // 600 ms per round trip: the greeting alone takes 600 ms, the transaction would end at 1.2 s.
    // With 1 s the check gives up (how soon after is a speed, for the bench); with 2 s it ends.
    const [slow] = await streamed(new Verifier(options({ timeoutMs: 1000 })), ['ann@drip.test']);
    expect(slow).toMatchObject({ verdict: 'unknown', reason: 'timeout' });

    const [inTime] = await streamed(new Verifier(options({ timeoutMs: 2000 })), ['ann@drip.test']);
    expect(inTime).toMatchObject({ verdict: 'deliverable', reason: 'mailbox_exists' });
  });

  it('is not spent waiting for a free session slot', async () => {
    // One session at a time: whichever address goes last waits for the others' sessions
    // (the slow one alone takes ~1.2 s of a 1.5 s budget), and must still get its answer.
    const addresses = ['ann@drip.test', 'info@sharedmx1.test', 'someone@catchall.test'];
    const results = await verifyInWorld(addresses, ['--concurrency', '1', '--timeout', '1500']);
    expect(reasons(results)).toEqual({
      'ann@drip.test': 'mailbox_exists',
      'info@sharedmx1.test': 'mailbox_exists',
      'someone@catchall.test': 'catch_all',
    });
  });

  it('streams each result as soon as it is known', async () => {
    const seen = await streamed(new Verifier(options({ timeoutMs: 4000 })), ['ann@drip.test', 'someone@catchall.test']);
    expect(seen.map((result) => result.address)).toEqual(['someone@catchall.test', 'ann@drip.test']);
  });
});
