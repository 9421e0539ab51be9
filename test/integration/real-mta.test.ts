// Real mail servers with their stock limits: a Postfix with Postfix's default error handling, Exim
// 4.96 with Exim's defaults, and the lenient Postfix for comparison. First the world's servers are
// pinned down by talking to them directly; then large mixed batches go through the real CLI and
// every address must get the verdict its own reply calls for.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWorld, type World } from '../world/index.js';
import { SmtpClient, type RawReply } from '../world/smtp-client.js';
import { runMxlens } from './cli.js';

const run = promisify(execFile);

let world: World;
beforeAll(async () => {
  world = await useWorld();
});
afterAll(() => world?.stop());

const STOCK_MX = '127.0.0.5';
const EXIM_MX = '127.0.0.6';

/** A session up to MAIL FROM:<>, replies checked. */
async function openTransaction(host: string): Promise<SmtpClient> {
  const client = await SmtpClient.connect(host);
  expect((await client.read()).code).toBe(220);
  expect((await client.send('EHLO checker.test')).code).toBe(250);
  expect((await client.send('MAIL FROM:<>')).code).toBe(250);
  return client;
}

const unknownReply = (address: string) =>
  `550 5.1.1 <${address}>: Recipient address rejected: User unknown in virtual mailbox table`;

describe('the stock Postfix (mx.stock.test)', () => {
  it('runs with Postfix default error handling', async () => {
    const names = [
      'smtpd_error_sleep_time',
      'smtpd_soft_error_limit',
      'smtpd_hard_error_limit',
      'smtpd_junk_command_limit',
    ];
    const { stdout } = await run('postconf', ['-c', world.stockPostfix.configDir, '-x', ...names]);
    expect(stdout.trim().split('\n')).toEqual([
      'smtpd_error_sleep_time = 1s',
      'smtpd_soft_error_limit = 10',
      'smtpd_hard_error_limit = 20',
      'smtpd_junk_command_limit = 100',
    ]);
  });

  it('slows every reply after 10 errors and hangs up with 421 after 20', async () => {
    const client = await openTransaction(STOCK_MX);
    try {
      const rcpt = (address: string) => client.send(`RCPT TO:<${address}>`);
      const first: RawReply[] = [];
      for (let n = 1; n <= 10; n++) first.push(await rcpt(`nobody${n}@stock.test`));
      // Past the soft limit Postfix sleeps 1 s before every reply, an accepted recipient too.
      const known = await rcpt('alice@stock.test');
      const later: RawReply[] = [];
      for (let n = 11; n <= 20; n++) later.push(await rcpt(`nobody${n}@stock.test`));
      const cutOff = await rcpt('nobody21@stock.test');

      expect(first.map((r) => r.lines[0])).toEqual(first.map((_, i) => unknownReply(`nobody${i + 1}@stock.test`)));
      expect(later.map((r) => r.lines[0])).toEqual(later.map((_, i) => unknownReply(`nobody${i + 11}@stock.test`)));
      expect(known.lines).toEqual(['250 2.1.5 Ok']);
      expect(cutOff.lines).toEqual(['421 4.7.0 mx.stock.test Error: too many errors']);
      // The sleep is what is pinned here: past the soft limit every reply waited its second.
      // (That the first ten did not wait is a speed, for the bench: under load any reply can be slow.)
      expect([known, ...later, cutOff].filter((r) => r.elapsedMs < 900).map((r) => r.lines[0])).toEqual([]);
      await client.closedByServer();
    } finally {
      client.close();
    }
  });

  it('starts each session with a clean error count', async () => {
    const client = await openTransaction(STOCK_MX);
    try {
      expect((await client.send('RCPT TO:<bob@stock.test>')).lines).toEqual(['250 2.1.5 Ok']);
      expect((await client.send('RCPT TO:<ghost@stock.test>')).lines).toEqual([unknownReply('ghost@stock.test')]);
      expect((await client.send('RCPT TO:<someone@elsewhere.test>')).lines).toEqual([
        '554 5.7.1 <someone@elsewhere.test>: Relay access denied',
      ]);
      expect((await client.send('QUIT')).code).toBe(221);
    } finally {
      client.close();
    }
  });
});

describe('Exim 4.96 (mx.exim.test)', () => {
  it('runs with Exim default limits', async () => {
    const names = [
      'recipients_max',
      'recipients_max_reject',
      'smtp_accept_max',
      'smtp_accept_max_per_host',
      'smtp_accept_max_nonmail',
      'smtp_max_synprot_errors',
      'smtp_max_unknown_commands',
      'smtp_enforce_sync',
      'smtp_ratelimit_rcpt',
    ];
    const printed = await world.exim.printOptions(names);
    expect(printed.trim().split('\n')).toEqual([
      'recipients_max = 50000',
      'no_recipients_max_reject',
      'smtp_accept_max = 20',
      'smtp_accept_max_per_host = ',
      'smtp_accept_max_nonmail = 10',
      'smtp_max_synprot_errors = 3',
      'smtp_max_unknown_commands = 3',
      'smtp_enforce_sync',
      'smtp_ratelimit_rcpt =',
    ]);
  });

  it('answers every recipient of a long session, with no error limit', async () => {
    const batch = mixedBatch('exim.test', world.map.exim.mailboxes, 60);
    const client = await openTransaction(EXIM_MX);
    try {
      const replies: Array<[string, string]> = [];
      for (const address of batch) {
        const reply = await client.send(`RCPT TO:<${address}>`);
        replies.push([address, reply.lines.join('\n')]);
      }
      // No error limit: every one answered, none cut off. (No error delay is the config pinned above.)
      const existing = new Set<string>(world.map.exim.mailboxes);
      expect(replies).toEqual(batch.map((a) => [a, existing.has(a) ? '250 Accepted' : '550 Unrouteable address']));
      expect((await client.send('RCPT TO:<someone@elsewhere.test>')).lines).toEqual(['550 relay not permitted']);
      expect((await client.send('DATA')).lines).toEqual(['550 no mail is accepted in the test world']);
      expect((await client.send('QUIT')).lines).toEqual(['221 mx.exim.test closing connection']);
    } finally {
      client.close();
    }
    await expect
      .poll(() => world.exim.log(), { timeout: 5_000 })
      .toMatch(/rejected RCPT <nobody52@exim\.test>: Unrouteable address/);
  });
});

describe('mxlens verify: large mixed batches against real servers', () => {
  const cases = [
    {
      server: 'the lenient Postfix',
      domain: 'acme.test',
      existing: () => ['alice@acme.test', 'bob@acme.test', 'info@acme.test'],
    },
    { server: 'the stock Postfix', domain: 'stock.test', existing: () => world.map.stockPostfix.mailboxes },
    { server: 'Exim', domain: 'exim.test', existing: () => world.map.exim.mailboxes },
  ];
  for (const { server, domain, existing } of cases) {
    it(`${server}: 60 addresses at ${domain}, every one judged by its own reply`, async () => {
      const batch = mixedBatch(domain, existing(), 60);
      const known = new Set(existing());
      const cli = await runMxlens(['verify', '--json', '--dns', world.dnsServer, '--allow-private', ...batch]);
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.results.map((r) => r.address).sort()).toEqual([...batch].sort());
      const verdicts = Object.fromEntries(cli.results.map((r) => [r.address, `${r.verdict}/${r.reason}`]));
      const expected = Object.fromEntries(
        batch.map((a) => [a, known.has(a) ? 'deliverable/mailbox_exists' : 'undeliverable/mailbox_not_found']),
      );
      expect(verdicts).toEqual(expected);
    });
  }
});

/** `total` addresses at `domain`: the existing mailboxes spread evenly among made-up ones, so that
 *  some come after the 10th and the 20th rejected recipient of a session. */
function mixedBatch(domain: string, existing: readonly string[], total: number): string[] {
  const batch = Array.from({ length: total - existing.length }, (_, i) => `nobody${i + 1}@${domain}`);
  const spacing = Math.floor(total / existing.length);
  existing.forEach((address, i) => batch.splice(i * spacing, 0, address));
  return batch;
}
