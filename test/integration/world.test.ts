// Smoke test of the test world itself: real dnsmasq, real Postfix, the fakes, all on loopback.
import { promises as dns } from 'node:dns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useWorld, type World } from '../world/index.js';
import { SmtpClient, type RawReply } from '../world/smtp-client.js';

let world: World;
let resolver: dns.Resolver;

beforeAll(async () => {
  world = await useWorld();
  resolver = world.resolver();
});
afterAll(async () => {
  await world?.stop();
});
beforeEach(() => {
  world?.resetFakes();
});

async function dialogue(host: string, steps: string[]): Promise<RawReply[]> {
  const smtp = await SmtpClient.connect(host);
  try {
    const replies = [await smtp.read()];
    for (const step of steps) replies.push(await smtp.send(step));
    return replies;
  } finally {
    smtp.close();
  }
}

async function dnsError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
  return 'no error';
}

describe('DNS (dnsmasq)', () => {
  it('serves acme.test MX records with preferences', async () => {
    const mx = await resolver.resolveMx('acme.test');
    expect(mx.sort((a, b) => a.priority - b.priority)).toEqual([
      { exchange: 'mx1.acme.test', priority: 10 },
      { exchange: 'mx2.acme.test', priority: 20 },
    ]);
    expect(await resolver.resolve4('mx1.acme.test')).toEqual(['127.0.0.2']);
    expect(await resolver.resolve4('mx2.acme.test')).toEqual(['127.0.0.3']);
  });

  it('serves a null MX', async () => {
    expect(await resolver.resolveMx('nullmx.test')).toEqual([{ exchange: '', priority: 0 }]);
  });

  it('answers NXDOMAIN for unlisted .test names', async () => {
    expect(await dnsError(resolver.resolveMx('unknown.test'))).toBe('ENOTFOUND');
    expect(await dnsError(resolver.resolve4('mx.nowhere.test'))).toBe('ENOTFOUND');
  });

  it('answers SERVFAIL for broken.test', async () => {
    expect(await dnsError(resolver.resolveMx('broken.test'))).toBe('ESERVFAIL');
    expect(await dnsError(resolver.resolve4('broken.test'))).toBe('ESERVFAIL');
  });

  it('never answers for dnstimeout.test', async () => {
    const impatient = new dns.Resolver({ timeout: 300, tries: 1 });
    impatient.setServers([world.dnsServer]);
    expect(await dnsError(impatient.resolveMx('dnstimeout.test'))).toBe('ETIMEOUT');
  });

  it('has A-only, TXT-only, dangling-MX and IPv6-only names', async () => {
    expect(await dnsError(resolver.resolveMx('aonly.test'))).toBe('ENODATA');
    expect(await resolver.resolve4('aonly.test')).toEqual(['127.0.0.4']);

    expect(await resolver.resolveTxt('nomail.test')).toEqual([['v=spf1 -all']]);
    expect(await dnsError(resolver.resolveMx('nomail.test'))).toBe('ENODATA');
    expect(await dnsError(resolver.resolve4('nomail.test'))).toBe('ENODATA');
    expect(await dnsError(resolver.resolve6('nomail.test'))).toBe('ENODATA');

    expect(await resolver.resolveMx('dangling.test')).toEqual([{ exchange: 'mx.nowhere.test', priority: 10 }]);

    expect(await resolver.resolve6('mx.ipv6.test')).toEqual(['::1']);
    expect(await dnsError(resolver.resolve4('mx.ipv6.test'))).toBe('ENODATA');
  });

  it('serves mailinator.com locally', async () => {
    expect(await resolver.resolveMx('mailinator.com')).toEqual([{ exchange: 'mx.mailinator.com', priority: 10 }]);
    expect(await resolver.resolve4('mx.mailinator.com')).toEqual(['127.0.1.16']);
  });

  it('resolves every server name of the map to its address', async () => {
    for (const server of world.map.servers) {
      for (const name of server.names) {
        const ips = server.ip.includes(':') ? await resolver.resolve6(name) : await resolver.resolve4(name);
        expect(ips, name).toContain(server.ip);
      }
    }
  });
});

describe('Postfix', () => {
  it('accepts known and rejects unknown recipients on mx1.acme.test', async () => {
    const [banner, ehlo, mail, known, unknown, relay, quit] = await dialogue('127.0.0.2', [
      'EHLO checker.test',
      'MAIL FROM:<>',
      'RCPT TO:<alice@acme.test>',
      'RCPT TO:<nobody@acme.test>',
      'RCPT TO:<someone@elsewhere.test>',
      'QUIT',
    ]);
    expect(banner?.code).toBe(220);
    expect(banner?.text).toMatch(/^mx1\.acme\.test ESMTP/);
    expect(ehlo?.code).toBe(250);
    expect(ehlo?.lines.some((l) => /^250[- ]STARTTLS$/.test(l))).toBe(true);
    expect(mail?.lines).toEqual(['250 2.1.0 Ok']);
    expect(known?.lines).toEqual(['250 2.1.5 Ok']);
    expect(unknown?.code).toBe(550);
    expect(unknown?.text).toMatch(/^5\.1\.1 <nobody@acme\.test>: Recipient address rejected: User unknown/);
    expect(relay?.code).toBe(554);
    expect(relay?.text).toMatch(/^5\.7\.1 .*Relay access denied/);
    expect(quit?.code).toBe(221);
  });

  it('serves mx2.acme.test and aonly.test on their own listeners', async () => {
    const [banner2, , , bob] = await dialogue('127.0.0.3', [
      'HELO checker.test',
      'MAIL FROM:<>',
      'RCPT TO:<bob@acme.test>',
    ]);
    expect(banner2?.text).toMatch(/^mx2\.acme\.test ESMTP/);
    expect(bob?.lines).toEqual(['250 2.1.5 Ok']);
    const [banner3, , , carol, dave] = await dialogue('127.0.0.4', [
      'HELO checker.test',
      'MAIL FROM:<>',
      'RCPT TO:<carol@aonly.test>',
      'RCPT TO:<dave@aonly.test>',
    ]);
    expect(banner3?.text).toMatch(/^aonly\.test ESMTP/);
    expect(carol?.lines).toEqual(['250 2.1.5 Ok']);
    expect(dave?.code).toBe(550);
  });

  it('does STARTTLS and never accepts DATA', async () => {
    const smtp = await SmtpClient.connect('127.0.0.2');
    try {
      await smtp.read();
      await smtp.send('EHLO checker.test');
      expect((await smtp.startTls('mx1.acme.test')).code).toBe(220);
      expect((await smtp.send('EHLO checker.test')).code).toBe(250);
      expect((await smtp.send('MAIL FROM:<>')).code).toBe(250);
      expect((await smtp.send('RCPT TO:<alice@acme.test>')).code).toBe(250);
      const data = await smtp.send('DATA');
      expect(data.code).toBe(554);
    } finally {
      smtp.close();
    }
    // Postfix writes its log a moment later, through its own log daemon.
    await expect
      .poll(() => world.postfix.log(), { timeout: 5_000 })
      .toMatch(/mx1 postfix\/smtpd\[\d+\]: \w+: reject: DATA from .*Data command rejected/);
    expect(await world.postfix.log()).not.toMatch(/warning|fatal|panic/);
  });
});

describe('fakes', () => {
  it('catch-all accepts anyone and records the session', async () => {
    const replies = await dialogue('127.0.1.1', [
      'EHLO checker.test',
      'MAIL FROM:<probe@checker.test>',
      'RCPT TO:<x1@catchall.test>',
      'RCPT TO:<x2@catchall.test>',
      'RCPT TO:<x3@catchall.test>',
      'QUIT',
    ]);
    expect(replies.map((r) => r.code)).toEqual([220, 250, 250, 250, 250, 250, 221]);
    const fake = world.fakes['mx.catchall.test']!;
    expect(fake.connections).toBe(1);
    expect(fake.sessions).toHaveLength(1);
    const session = fake.sessions[0]!;
    expect(session.commands).toEqual([
      'EHLO checker.test',
      'MAIL FROM:<probe@checker.test>',
      'RCPT TO:<x1@catchall.test>',
      'RCPT TO:<x2@catchall.test>',
      'RCPT TO:<x3@catchall.test>',
      'QUIT',
    ]);
    expect(session.mailFrom).toEqual(['probe@checker.test']);
    expect(session.rcptTo).toEqual(['x1@catchall.test', 'x2@catchall.test', 'x3@catchall.test']);
    expect(session.mailFrom).not.toContain('x1@catchall.test');
  });

  it('greylists the first try per recipient and accepts after 2 s', async () => {
    const steps = [
      'HELO checker.test',
      'MAIL FROM:<>',
      'RCPT TO:<gina@greylist.test>',
      'RCPT TO:<ghost@greylist.test>',
    ];
    const first = await dialogue('127.0.1.2', steps);
    expect(first[3]?.lines).toEqual(['450 4.7.1 Greylisted, try again in 2 seconds']);
    expect(first[4]?.code).toBe(450);
    const early = await dialogue('127.0.1.2', steps);
    expect(early[3]?.code).toBe(450);
    // Asked again until the delay has passed: then the known recipient is accepted.
    let later: RawReply[] = [];
    await expect
      .poll(async () => (later = await dialogue('127.0.1.2', steps))[3]?.code, { timeout: 10_000, interval: 250 })
      .toBe(250);
    expect(later[4]?.code).toBe(550);
    expect(later[4]?.text).toMatch(/^5\.1\.1 /);
    expect(world.fakes['mx.greylist.test']!.connections).toBeGreaterThanOrEqual(3);
  });

  it('blocks like Spamhaus at RCPT', async () => {
    const [, , mail, rcpt] = await dialogue('127.0.1.3', [
      'EHLO checker.test',
      'MAIL FROM:<>',
      'RCPT TO:<x@blocked.test>',
    ]);
    expect(mail?.code).toBe(250);
    expect(rcpt?.code).toBe(554);
    expect(rcpt?.text).toMatch(/^5\.7\.1 .*blocked using zen\.spamhaus\.org/);
  });

  for (const [domain, mx1, code, mx2, known] of [
    ['bannerfail.test', '127.0.1.4', 554, '127.0.1.5', 'dave@bannerfail.test'],
    ['busy.test', '127.0.1.6', 421, '127.0.1.7', 'erin@busy.test'],
  ] as const) {
    it(`${domain}: MX1 says ${code} at the banner and closes, MX2 is healthy`, async () => {
      const smtp = await SmtpClient.connect(mx1);
      const banner = await smtp.read();
      expect(banner.code).toBe(code);
      await smtp.closedByServer();
      const [, , , yes, no] = await dialogue(mx2, [
        'EHLO checker.test',
        'MAIL FROM:<>',
        `RCPT TO:<${known}>`,
        `RCPT TO:<nobody@${domain}>`,
      ]);
      expect(yes?.code).toBe(250);
      expect(no?.code).toBe(550);
      expect(world.fakes[`mx1.${domain}`]!.connections).toBe(1);
    });
  }

  it('refused.test: nothing listens', async () => {
    const err = await SmtpClient.connect('127.0.1.8').then(
      (s) => (s.close(), 'connected'),
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(err).toBe('ECONNREFUSED');
  });

  it('tarpit accepts and stays silent', async () => {
    const smtp = await SmtpClient.connect('127.0.1.9');
    const fake = world.fakes['mx.tarpit.test']!;
    try {
      smtp.write('EHLO checker.test');
      await expect.poll(() => fake.sessions[0]?.commands).toEqual(['EHLO checker.test']);
      // Neither a banner nor a reply to the command it did read.
      expect(smtp.chunks).toBe(0);
      expect(fake.connections).toBe(1);
    } finally {
      smtp.close();
    }
  });

  it('tlsonly.test wants STARTTLS before MAIL', async () => {
    const smtp = await SmtpClient.connect('127.0.1.10');
    try {
      await smtp.read();
      expect((await smtp.send('EHLO checker.test')).lines.some((l) => /^250[- ]STARTTLS$/.test(l))).toBe(true);
      const refused = await smtp.send('MAIL FROM:<>');
      expect(refused.lines).toEqual(['530 5.7.0 Must issue a STARTTLS command first']);
      expect((await smtp.startTls('mx.tlsonly.test')).code).toBe(220);
      expect((await smtp.send('EHLO checker.test')).code).toBe(250);
      expect((await smtp.send('MAIL FROM:<>')).code).toBe(250);
      expect((await smtp.send('RCPT TO:<tina@tlsonly.test>')).code).toBe(250);
      expect((await smtp.send('RCPT TO:<tom@tlsonly.test>')).code).toBe(550);
    } finally {
      smtp.close();
    }
    const session = world.fakes['mx.tlsonly.test']!.sessions[0]!;
    expect(session.tls).toBe(true);
    expect(session.rcptTo).toEqual(['tina@tlsonly.test', 'tom@tlsonly.test']);
  });

  it('noehlo.test refuses EHLO, accepts HELO', async () => {
    const [, ehlo, helo, mail, rcpt] = await dialogue('127.0.1.11', [
      'EHLO checker.test',
      'HELO checker.test',
      'MAIL FROM:<>',
      'RCPT TO:<nora@noehlo.test>',
    ]);
    expect(ehlo?.code).toBe(500);
    expect(helo?.code).toBe(250);
    expect(mail?.code).toBe(250);
    expect(rcpt?.code).toBe(250);
  });

  it('limited.test: 452 4.5.3 after 2 recipients per transaction', async () => {
    const replies = await dialogue('127.0.1.12', [
      'EHLO checker.test',
      'MAIL FROM:<>',
      'RCPT TO:<lee@limited.test>',
      'RCPT TO:<lou@limited.test>',
      'RCPT TO:<lynn@limited.test>',
      'RSET',
      'MAIL FROM:<>',
      'RCPT TO:<lynn@limited.test>',
    ]);
    expect(replies.map((r) => r.code)).toEqual([220, 250, 250, 250, 250, 452, 250, 250, 250]);
    expect(replies[5]?.text).toMatch(/^4\.5\.3 /);
    const session = world.fakes['mx.limited.test']!.sessions[0]!;
    expect(session.mailFrom).toEqual(['', '']);
    expect(session.rcptTo).toHaveLength(4);
  });

  it('garbage.test talks nonsense', async () => {
    const smtp = await SmtpClient.connect('127.0.1.13');
    try {
      expect(await smtp.readRaw((d) => d.includes('\n'))).toBe('hello world\r\n');
      smtp.write('EHLO checker.test');
      expect(await smtp.readRaw((d) => d.includes('\n'))).toBe('hello world\r\n');
    } finally {
      smtp.close();
    }
  });

  it('endless.test sends 1 MiB without a line end', async () => {
    const smtp = await SmtpClient.connect('127.0.1.14');
    try {
      const data = await smtp.readRaw((d) => d.length >= 1024 * 1024);
      expect(data.length).toBe(1024 * 1024);
      expect(data.includes('\n')).toBe(false);
    } finally {
      smtp.close();
    }
  });

  it('multiline.test sends multi-line replies one byte at a time', async () => {
    const smtp = await SmtpClient.connect('127.0.1.15');
    try {
      const banner = await smtp.read();
      expect(banner.code).toBe(220);
      expect(banner.lines.length).toBeGreaterThan(1);
      expect(smtp.chunks).toBeGreaterThan(banner.lines.join('').length / 2);
      const ehlo = await smtp.send('EHLO checker.test');
      expect(ehlo.lines.length).toBeGreaterThan(1);
      const rcpt = [await smtp.send('MAIL FROM:<>'), await smtp.send('RCPT TO:<mia@multiline.test>')][1]!;
      expect(rcpt.code).toBe(250);
      expect(rcpt.lines.length).toBe(2);
      expect((await smtp.send('RCPT TO:<max@multiline.test>')).code).toBe(550);
    } finally {
      smtp.close();
    }
  });

  it('mailinator.com accepts temp@ only', async () => {
    const [, , , yes, no] = await dialogue('127.0.1.16', [
      'EHLO checker.test',
      'MAIL FROM:<>',
      'RCPT TO:<temp@mailinator.com>',
      'RCPT TO:<anything@mailinator.com>',
    ]);
    expect(yes?.code).toBe(250);
    expect(no?.code).toBe(550);
  });

  it('mx.ipv6.test listens on [::1]:25', async () => {
    const [banner, , , yes, no] = await dialogue('::1', [
      'EHLO checker.test',
      'MAIL FROM:<>',
      'RCPT TO:<ivy@ipv6.test>',
      'RCPT TO:<no@ipv6.test>',
    ]);
    expect(banner?.code).toBe(220);
    expect(yes?.code).toBe(250);
    expect(no?.code).toBe(550);
    expect(world.fakes['mx.ipv6.test']!.sessions[0]?.remoteAddress).toBe('::1');
  });
});
