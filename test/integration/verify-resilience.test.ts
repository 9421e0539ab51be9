import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useWorld, type World } from '../world/index.js';
import { runMxlens, verifyOne } from './cli.js';

// Broken and hostile mail servers, and hostile input: always an honest "unknown", never a hang,
// never a crash, never a command smuggled into the SMTP session.

let world: World;
beforeAll(async () => {
  world = await useWorld();
});
afterAll(() => world?.stop());
beforeEach(() => world.resetFakes());

describe('broken mail servers', () => {
  it('says connection_failed when nothing listens on port 25', async () => {
    expect(await verifyOne('someone@refused.test')).toMatchObject({
      verdict: 'unknown',
      reason: 'connection_failed',
      mx: 'mx.refused.test',
    });
  });

  it('ends a tarpit as unknown / timeout within the deadline', async () => {
    const result = await verifyOne('someone@tarpit.test', ['--timeout', '1500']);
    expect(result).toMatchObject({ verdict: 'unknown', reason: 'timeout' });
    expect(world.fakes['mx.tarpit.test']!.connections).toBe(1);
  });

  it('says protocol_error for a server that answers garbage', async () => {
    expect(await verifyOne('someone@garbage.test')).toMatchObject({ verdict: 'unknown', reason: 'protocol_error' });
  });

  it('gives up on a 1 MiB line without CRLF instead of buffering it', async () => {
    expect(await verifyOne('someone@endless.test')).toMatchObject({ verdict: 'unknown', reason: 'protocol_error' });
  });
});

describe('hostile addresses', () => {
  it.each(['x@catchall.test>\r\nRCPT TO:<y@catchall.test', 'x@catchall.test\r\nRSET', '<x@catchall.test>'])(
    'refuses %j before any connection',
    async (address) => {
      const result = await verifyOne(address);
      expect(result).toMatchObject({ address, normalized: null, verdict: 'undeliverable', reason: 'invalid_syntax' });
      expect(world.fakes['mx.catchall.test']!.connections).toBe(0);
    },
  );

  it('refuses a NUL byte read from stdin before any connection', async () => {
    const run = await runMxlens(['verify', '--json', '--dns', '127.0.0.1:5353', '--allow-private'], {
      stdin: 'x@catchall.test\u0000RSET\n',
    });
    expect(run.results).toMatchObject([{ verdict: 'undeliverable', reason: 'invalid_syntax' }]);
    expect(world.fakes['mx.catchall.test']!.connections).toBe(0);
  });

  it('refuses a quoted local part with < or > for that address alone, one result per input line', async () => {
    const input = [
      '"a<b"@catchall.test',
      'alice@acme.test',
      '"x>y"@acme.test',
      'nobody@acme.test',
      '"ok"@catchall.test',
    ];
    const run = await runMxlens(['verify', '--json', '--dns', '127.0.0.1:5353', '--allow-private'], {
      stdin: `${input.join('\n')}\n`,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.results.map((r) => [r.address, r.reason])).toEqual([
      ['"a<b"@catchall.test', 'invalid_syntax'],
      ['alice@acme.test', 'mailbox_exists'],
      ['"x>y"@acme.test', 'invalid_syntax'],
      ['nobody@acme.test', 'mailbox_not_found'],
      ['"ok"@catchall.test', 'catch_all'],
    ]);
    expect(world.fakes['mx.catchall.test']!.commands().some((c) => c.includes('<a<b'))).toBe(false);
  });

  it('answers a mix of good, bad and duplicate addresses once each, in input order', async () => {
    const input = [
      'alice@acme.test',
      'not an address',
      'someone@nullmx.test',
      'alice@acme.test',
      'someone@catchall.test',
    ];
    const run = await runMxlens(['verify', '--json', '--dns', '127.0.0.1:5353', '--allow-private'], {
      stdin: `${input.join('\n')}\n`,
    });
    expect(run.code).toBe(0);
    expect(run.results.map((r) => [r.address, r.reason])).toEqual([
      ['alice@acme.test', 'mailbox_exists'],
      ['not an address', 'invalid_syntax'],
      ['someone@nullmx.test', 'null_mx'],
      ['alice@acme.test', 'mailbox_exists'],
      ['someone@catchall.test', 'catch_all'],
    ]);
  });
});
