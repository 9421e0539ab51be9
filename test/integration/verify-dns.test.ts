import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWorld, type World } from '../world/index.js';
import { runMxlens, verifyOne } from './cli.js';

// The DNS stage against a real dnsmasq: every way a domain can (not) receive mail.

let world: World;
beforeAll(async () => {
  world = await useWorld();
});
afterAll(() => world?.stop());

describe('mxlens verify: the DNS stage', () => {
  it('says no_such_domain for NXDOMAIN', async () => {
    const result = await verifyOne('someone@unknown.test');
    expect(result).toMatchObject({ verdict: 'undeliverable', reason: 'no_such_domain', mx: null, smtp: null });
  });

  it('says null_mx for an RFC 7505 null MX', async () => {
    expect(await verifyOne('someone@nullmx.test')).toMatchObject({ verdict: 'undeliverable', reason: 'null_mx' });
  });

  it('says no_mail_server when the name exists but has no MX and no address', async () => {
    expect(await verifyOne('someone@nomail.test')).toMatchObject({
      verdict: 'undeliverable',
      reason: 'no_mail_server',
    });
  });

  it('says no_mail_server when the only MX host does not exist', async () => {
    expect(await verifyOne('someone@dangling.test')).toMatchObject({
      verdict: 'undeliverable',
      reason: 'no_mail_server',
    });
  });

  it('says unknown / dns_error for SERVFAIL, never undeliverable', async () => {
    expect(await verifyOne('someone@broken.test')).toMatchObject({ verdict: 'unknown', reason: 'dns_error' });
  });

  it('uses the A record as an implicit MX when there is no MX', async () => {
    const result = await verifyOne('carol@aonly.test');
    expect(result).toMatchObject({ verdict: 'deliverable', reason: 'mailbox_exists', mx: 'aonly.test' });
  });

  it('stops after DNS with --level dns, naming the preferred MX', async () => {
    const result = await verifyOne('nobody@acme.test', ['--level', 'dns']);
    expect(result).toMatchObject({ verdict: 'unknown', reason: 'dns_only', mx: 'mx1.acme.test', smtp: null });
  });

  it('refuses loopback mail servers without --allow-private', async () => {
    const refused = await runMxlens(['verify', '--json', '--dns', '127.0.0.1:5353', 'alice@acme.test']);
    expect(refused.code).toBe(0);
    expect(refused.results[0]).toMatchObject({ verdict: 'unknown', reason: 'private_target', mx: 'mx1.acme.test' });
    expect(refused.results[0]!.detail).toMatch(/loopback/);
  });

  it('takes its DNS server and private-target permission from the environment', async () => {
    const run = await runMxlens(['verify', '--json', 'carol@aonly.test'], {
      env: { MXLENS_DNS: '127.0.0.1:5353', MXLENS_ALLOW_PRIVATE: '1', MXLENS_PROXY: 'http://nope' },
    });
    expect(run.code).toBe(0);
    expect(run.results[0]).toMatchObject({ verdict: 'deliverable', mx: 'aonly.test' });
    expect(run.stderr).toMatch(/ignoring MXLENS_PROXY/);
  });
});
