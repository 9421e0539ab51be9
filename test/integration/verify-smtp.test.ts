import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useWorld, type World } from '../world/index.js';
import { verifyInWorld, verifyOne } from './cli.js';

// The SMTP stage against a real Postfix and programmable fakes that behave like real servers.

let world: World;
beforeAll(async () => {
  world = await useWorld();
});
afterAll(() => world?.stop());
beforeEach(() => world.resetFakes());

describe('mxlens verify against Postfix', () => {
  it('finds an existing mailbox deliverable, over STARTTLS', async () => {
    const result = await verifyOne('alice@acme.test');
    expect(result).toMatchObject({
      address: 'alice@acme.test',
      normalized: 'alice@acme.test',
      verdict: 'deliverable',
      reason: 'mailbox_exists',
      mx: 'mx1.acme.test',
      smtp: { code: 250, enhanced: '2.1.5' },
      flags: { disposable: false, role: false, free: false, catchAll: false },
      suggestion: null,
      tls: { used: true, certificateValid: false },
    });
  });

  it('answers through `npx mxlens`, as the README says', () => {
    const run = spawnSync(
      'npx',
      [
        'mxlens',
        'verify',
        '--json',
        '--dns',
        '127.0.0.1:5353',
        '--allow-private',
        'alice@acme.test',
        'nobody@acme.test',
      ],
      {
        cwd: new URL('../..', import.meta.url),
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const results = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { reason: string });
    expect(results.map((r) => r.reason)).toEqual(['mailbox_exists', 'mailbox_not_found']);
  });

  it('finds an unknown mailbox undeliverable, with Postfix own words', async () => {
    const result = await verifyOne('nobody@acme.test');
    expect(result).toMatchObject({
      verdict: 'undeliverable',
      reason: 'mailbox_not_found',
      smtp: { code: 550, enhanced: '5.1.1' },
    });
    expect(result.smtp!.message).toMatch(/User unknown in virtual mailbox table/);
  });

  it('answers a batch at one domain with the same verdicts as one at a time', async () => {
    const addresses = ['alice@acme.test', 'nobody@acme.test', 'bob@acme.test', 'ghost@acme.test'];
    const batch = await verifyInWorld(addresses);
    const single = await Promise.all(addresses.map((address) => verifyOne(address)));
    expect(batch.map((r) => [r.address, r.reason])).toEqual(single.map((r) => [r.address, r.reason]));
    expect(batch.map((r) => r.reason)).toEqual([
      'mailbox_exists',
      'mailbox_not_found',
      'mailbox_exists',
      'mailbox_not_found',
    ]);
  });

  it('flags a role account without failing it', async () => {
    const result = await verifyOne('info@acme.test');
    expect(result).toMatchObject({ verdict: 'deliverable', reason: 'mailbox_exists', flags: { role: true } });
  });

  it('asks for a non-ASCII local part only with SMTPUTF8, which Postfix offers', async () => {
    const result = await verifyOne('jöhn@acme.test');
    expect(result).toMatchObject({
      normalized: 'jöhn@acme.test',
      verdict: 'undeliverable',
      reason: 'mailbox_not_found',
    });
  });

  it('turns a Unicode domain into its ASCII form for DNS and RCPT', async () => {
    const result = await verifyOne('someone@bücher.test');
    expect(result).toMatchObject({ normalized: 'someone@xn--bcher-kva.test', reason: 'no_such_domain' });
  });
});

describe('mxlens verify against odd but honest servers', () => {
  it('calls a catch-all domain risky, and says so in flags', async () => {
    const result = await verifyOne('anyone@catchall.test');
    expect(result).toMatchObject({ verdict: 'risky', reason: 'catch_all', flags: { catchAll: true } });
    const [session] = world.fakes['mx.catchall.test']!.sessions;
    expect(session!.rcptTo).toHaveLength(2);
    // The probe goes first, so that a session cut short still tells whether the domain is a catch-all.
    expect(session!.rcptTo[0]).toMatch(/^[a-z0-9]{14}@catchall\.test$/);
    expect(session!.rcptTo[1]).toBe('anyone@catchall.test');
  });

  it('skips the catch-all probe with --no-catch-all', async () => {
    const result = await verifyOne('anyone@catchall.test', ['--no-catch-all']);
    expect(result).toMatchObject({ verdict: 'deliverable', reason: 'mailbox_exists', flags: { catchAll: null } });
    expect(world.fakes['mx.catchall.test']!.sessions[0]!.rcptTo).toEqual(['anyone@catchall.test']);
  });

  it('reports greylisting as unknown with a retry hint', async () => {
    const result = await verifyOne('gina@greylist.test');
    expect(result).toMatchObject({ verdict: 'unknown', reason: 'greylisted', smtp: { code: 450 } });
    expect(result.retryAfterMs).toBeGreaterThanOrEqual(2000);
  });

  it('waits out greylisting within --greylist-wait and asks again', async () => {
    const result = await verifyOne('gina@greylist.test', ['--greylist-wait', '10000']);
    expect(result).toMatchObject({ verdict: 'deliverable', reason: 'mailbox_exists' });
    expect(world.fakes['mx.greylist.test']!.connections).toBe(2);
  });

  it('never calls a blocklisted client undeliverable', async () => {
    const result = await verifyOne('someone@blocked.test');
    expect(result).toMatchObject({ verdict: 'unknown', reason: 'blocked', smtp: { code: 554, enhanced: '5.7.1' } });
  });

  it('moves on to the next MX after a 554 banner', async () => {
    const result = await verifyOne('dave@bannerfail.test');
    expect(result).toMatchObject({ verdict: 'deliverable', mx: 'mx2.bannerfail.test' });
    expect(world.fakes['mx1.bannerfail.test']!.connections).toBe(1);
  });

  it('moves on to the next MX after a 421 banner', async () => {
    const result = await verifyOne('erin@busy.test');
    expect(result).toMatchObject({ verdict: 'deliverable', mx: 'mx2.busy.test' });
  });

  it('does STARTTLS when the server demands it', async () => {
    const result = await verifyOne('tina@tlsonly.test');
    expect(result).toMatchObject({ verdict: 'deliverable', tls: { used: true } });
    expect(world.fakes['mx.tlsonly.test']!.sessions[0]!.tls).toBe(true);
  });

  it('falls back to HELO when EHLO is refused', async () => {
    expect(await verifyOne('nora@noehlo.test')).toMatchObject({ verdict: 'deliverable' });
    expect(await verifyOne('nobody@noehlo.test')).toMatchObject({
      verdict: 'undeliverable',
      reason: 'mailbox_not_found',
    });
    expect(world.fakes['mx.noehlo.test']!.commands().some((c) => /^HELO /i.test(c))).toBe(true);
  });

  it('does not ask for a non-ASCII mailbox where the server lacks SMTPUTF8', async () => {
    const result = await verifyOne('jöhn@noehlo.test');
    expect(result).toMatchObject({ verdict: 'unknown', reason: 'smtputf8_unsupported', mx: 'mx.noehlo.test' });
    expect(world.fakes['mx.noehlo.test']!.commands().some((c) => c.includes('jöhn'))).toBe(false);
  });

  it('reads multi-line replies written one byte at a time', async () => {
    const results = await verifyInWorld(['mia@multiline.test', 'max@multiline.test']);
    expect(results.map((r) => r.reason)).toEqual(['mailbox_exists', 'mailbox_not_found']);
  });

  it('reaches a mail server over IPv6', async () => {
    expect(await verifyOne('ivy@ipv6.test')).toMatchObject({ verdict: 'deliverable', mx: 'mx.ipv6.test' });
  });

  it('calls an existing mailbox at a disposable service risky', async () => {
    const result = await verifyOne('temp@mailinator.com');
    expect(result).toMatchObject({
      verdict: 'risky',
      reason: 'disposable',
      flags: { disposable: true, catchAll: false },
    });
    expect(await verifyOne('someone@mailinator.com')).toMatchObject({
      reason: 'mailbox_not_found',
      flags: { disposable: true },
    });
  });
});

describe('few connections for many addresses', () => {
  it('checks a domain in one connection, starting a new transaction after 452 too many recipients', async () => {
    const results = await verifyInWorld(
      ['lee@limited.test', 'lou@limited.test', 'lynn@limited.test', 'nope@limited.test'],
      ['--no-catch-all'],
    );
    expect(results.map((r) => r.reason)).toEqual([
      'mailbox_exists',
      'mailbox_exists',
      'mailbox_exists',
      'mailbox_not_found',
    ]);
    const fake = world.fakes['mx.limited.test']!;
    expect(fake.connections).toBe(1);
    const mailCommands = fake.commands().filter((c) => /^MAIL FROM/i.test(c));
    expect(mailCommands.length).toBe(2);
  });

  it('never uses the checked address, or anyone else, as the sender', async () => {
    await verifyInWorld(['lee@limited.test', 'lou@limited.test']);
    const senders = world.fakes['mx.limited.test']!.sessions.flatMap((s) => s.mailFrom);
    expect(senders.length).toBeGreaterThan(0);
    expect(senders.every((sender) => sender === '')).toBe(true);
  });

  it('uses the sender and EHLO name it is given', async () => {
    await verifyInWorld(['lee@limited.test'], ['--from', 'checker@example.org', '--helo', 'probe.example.org']);
    const [session] = world.fakes['mx.limited.test']!.sessions;
    expect(session!.mailFrom).toEqual(['checker@example.org']);
    expect(session!.commands.some((c) => c === 'EHLO probe.example.org')).toBe(true);
  });
});
