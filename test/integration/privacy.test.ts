import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hostsForEachTest, MXLENS_BIN as BIN, type HostFrame, type HostProcess } from '../harness/host.js';
import { startFakeSmtp, type FakeSmtp } from '../world/fake-smtp.js';
import { runMxlens } from './cli.js';

// What a hostile page (through the extension) or a hostile mail server can make MX Lens do,
// tried against the real, built host and CLI and fake mail servers on loopback:
// budgets that bound the RCPTs a page or a long list causes, no result kept by the host (no
// timing oracle across sites), the EHLO name, control characters in server replies, and a
// config "file" that would block a read.

const EVIL = 'https://evil.example';
const OTHER = 'https://other.example';

let stateDir: string;
const startHost = hostsForEachTest(() => ({
  XDG_STATE_HOME: stateDir,
  XDG_CONFIG_HOME: path.join(stateDir, 'no-config'),
  MXLENS_ALLOW_PRIVATE: '1',
}));

/** Sends a verify (as a page of `site`, or as the user) and waits for its `done`. */
function verify(host: HostProcess, id: string, addresses: string[], site?: string): Promise<HostFrame> {
  return host.request(
    { type: 'verify', id, addresses, options: { timeoutMs: 1000, catchAll: false }, ...(site ? { site } : {}) },
    'done',
    50_000,
  );
}

const rcpts = (fake: FakeSmtp) => fake.sessions.flatMap((session) => session.rcptTo);
const many = (count: number, ip: string) => Array.from({ length: count }, (_, i) => `user${i}@[${ip}]`);

beforeAll(() => {
  stateDir = mkdtempSync(path.join(tmpdir(), 'mxlens-privacy-'));
});
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('host: no result is kept, so none can be served to another site', () => {
  let fake: FakeSmtp;
  beforeAll(async () => {
    fake = await startFakeSmtp({
      host: '127.0.77.1',
      port: 25,
      behaviour: { kind: 'mailboxes', mailboxes: ['known@[127.0.77.1]'] },
    });
  });
  afterAll(() => fake.stop());

  // Results are cached per site by the extension alone (PROTOCOL.md, "Caching and re-checks";
  // test/unit/background-checks.test.ts): every verify the host gets reaches the mail server.
  it("answers every site's (and the user's) verify from the mail server, never from memory", async () => {
    const host = startHost();
    await host.handshake();
    const address = 'known@[127.0.77.1]';
    const asks: Array<[string, string | undefined]> = [
      ['a1', EVIL],
      ['a2', EVIL],
      ['b1', OTHER],
      ['u1', undefined],
      ['c1', 'https://third.example'],
    ];
    for (const [id, site] of asks) {
      await verify(host, id, [address], site);
      expect(host.results(id)[0]).toMatchObject({ result: { verdict: 'deliverable' } });
      expect(host.results(id)[0]).not.toHaveProperty('cached');
    }
    expect(rcpts(fake)).toHaveLength(asks.length);
  });

  it('refuses a site that is not an origin, and announces the capability', async () => {
    const host = startHost();
    expect((await host.handshake()).capabilities).toContain('site');
    host.send({ type: 'verify', id: 'bad', addresses: ['known@[127.0.77.1]'], site: 'https://evil.example/path' });
    expect(await host.reply('bad', 'error')).toMatchObject({ code: 'bad_value' });
  });
});

describe('host: a page cannot make MX Lens hammer a mail server', () => {
  let fake: FakeSmtp;
  beforeAll(async () => {
    fake = await startFakeSmtp({ host: '127.0.77.2', port: 25, behaviour: { kind: 'mailboxes', mailboxes: [] } });
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it('5,000 addresses at one domain from a page: at most one minute of the site budget reaches the server', async () => {
    const host = startHost();
    await host.handshake();
    const done = await verify(host, 'flood', many(5000, '127.0.77.2'), EVIL);
    expect(done).toMatchObject({ count: 5000 });

    // Default site budget: 60 a minute (one minute of burst), plus what refills in the
    // half-second an address may wait (timeoutMs 1000).
    const sent = rcpts(fake).length;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThanOrEqual(61);
    const results = host.results('flood').map((m) => m.result);
    const limited = results.filter((r) => r.reason === 'rate_limited');
    expect(limited.length).toBe(5000 - results.filter((r) => r.reason === 'mailbox_not_found').length);
    expect(limited.length).toBeGreaterThanOrEqual(5000 - 61);
    for (const result of limited) {
      expect(result.verdict).toBe('unknown');
      expect(result.retryAfterMs).toBeGreaterThan(0);
      expect(result.detail).toContain(`60 addresses a minute for pages of ${EVIL}`);
    }

    // The budget is per site: the user's own check still goes through.
    await verify(host, 'mine', ['someone@[127.0.77.2]']);
    expect(host.results('mine')[0]!.result.reason).toBe('mailbox_not_found');
  });

  it('takes the site budget from the settings', async () => {
    const host = startHost({ MXLENS_SITE_CHECKS_PER_MINUTE: '5' });
    await host.handshake();
    await verify(host, 'few', many(50, '127.0.77.2'), EVIL);
    expect(rcpts(fake).length).toBeLessThanOrEqual(5);
    const limited = host.results('few').filter((m) => m.result.reason === 'rate_limited');
    expect(limited).toHaveLength(45);

    // "Not now" is not remembered: asked again, the address is not answered from the cache.
    await verify(host, 'again', [limited[0]!.result.address], EVIL);
    expect(host.results('again')[0]).not.toHaveProperty('cached');
  });
});

describe('CLI: budgets bound any caller', () => {
  let fake: FakeSmtp;
  beforeAll(async () => {
    fake = await startFakeSmtp({ host: '127.0.77.3', port: 25, behaviour: { kind: 'mailboxes', mailboxes: [] } });
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runMxlens(['verify', '--json', '--allow-private', '--timeout', '1000', '--no-catch-all', ...args], {
      env: { XDG_CONFIG_HOME: path.join(stateDir, 'no-config'), ...env },
    });

  it('5,000 addresses at one domain: at most the domain budget of RCPTs, the rest rate_limited without connecting', async () => {
    const result = await runMxlens(['verify', '--json', '--allow-private', '--timeout', '1000', '--no-catch-all'], {
      stdin: many(5000, '127.0.77.3').join('\n'),
      env: { XDG_CONFIG_HOME: path.join(stateDir, 'no-config') },
    });
    expect(result.code).toBe(0);
    expect(result.results).toHaveLength(5000);
    expect(rcpts(fake).length).toBeLessThanOrEqual(100);
    expect(fake.sessions.length).toBe(1);
    const limited = result.results.filter((r) => r.reason === 'rate_limited');
    expect(limited.length).toBe(5000 - rcpts(fake).length);
    expect(limited[0]!.detail).toContain('100 addresses a minute at [127.0.77.3]');
  });

  it('one budget per mail server, however its address is written', async () => {
    const run = await cli(['a@[127.0.77.3]', 'b@[IPv6:::ffff:127.0.77.3]'], { MXLENS_MX_SESSIONS_PER_MINUTE: '1' });
    expect(run.code).toBe(0);
    expect(fake.sessions).toHaveLength(1);
    expect(run.results.map((r) => r.reason).sort()).toEqual(['mailbox_not_found', 'rate_limited']);
  });

  it('says EHLO mxlens.invalid, not the host name, unless told a name', async () => {
    await cli(['a@[127.0.77.3]']);
    expect(fake.commands().filter((line) => /^EHLO /i.test(line))).toEqual(['EHLO mxlens.invalid']);
    fake.reset();
    await cli(['--helo', 'mail.example.com', 'a@[127.0.77.3]']);
    expect(fake.commands().filter((line) => /^EHLO /i.test(line))).toEqual(['EHLO mail.example.com']);
  });
});

describe('CLI: a mail server cannot drive the terminal', () => {
  // OSC 52 (clipboard), CSI erase-line and cursor-up, BEL, C1 CSI, a bare CR and a bidi override.
  const HOSTILE = '\x1b]52;c;ZXZpbA==\x07 \x1b[2K\x1b[1A\rok \u009b31mred \u202eevil';
  let server: net.Server;

  beforeAll(async () => {
    server = net.createServer((socket) => {
      socket.write(Buffer.from(`220 ${HOSTILE}\r\n`, 'utf8'));
      let buffer = '';
      socket.on('data', (chunk) => {
        buffer += chunk.toString('latin1');
        let end: number;
        while ((end = buffer.indexOf('\r\n')) >= 0) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (/^EHLO/i.test(line)) socket.write('250 hostile\r\n');
          else if (/^RCPT/i.test(line)) socket.write(Buffer.from(`550 5.1.1 ${HOSTILE}\r\n`, 'utf8'));
          else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
          else socket.write('250 ok\r\n');
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(25, '127.0.77.4', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const args = ['verify', '--allow-private', '--timeout', '2000', '--no-catch-all', '--verbose', 'victim@[127.0.77.4]'];
  const env = () => ({ XDG_CONFIG_HOME: path.join(stateDir, 'no-config') });

  it('shows every control character of a reply escaped in the table', async () => {
    const run = await runMxlens(args, { env: env() });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('undeliverable');
    // Nothing a terminal obeys, apart from the newlines that end rows.
    expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(run.stdout).toContain('\\x1b]52;c;ZXZpbA==\\x07');
    expect(run.stdout).toContain('\\x1b[2K\\x1b[1A\\rok \\x9b31mred \\u202eevil');
  });

  it('shows the banner escaped in doctor', async () => {
    const home = mkdtempSync(path.join(stateDir, 'home-'));
    const run = await runMxlens(['doctor', '--mx-host', '127.0.77.4'], {
      env: {
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, '.config'),
        XDG_STATE_HOME: path.join(home, '.state'),
        MXLENS_ALLOW_PRIVATE: '1',
        MXLENS_DNS: '127.0.0.1:9',
      },
    });
    expect(run.stdout).toContain('it said: 220 \\x1b]52;c;ZXZpbA==\\x07');
    expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('keeps the exact reply in JSON', async () => {
    const run = await runMxlens(['verify', '--json', ...args.slice(1)], { env: env() });
    expect(run.code).toBe(0);
    expect(run.results[0]!.smtp).toMatchObject({ code: 550, enhanced: '5.1.1', message: HOSTILE });
  });
});

describe('a FIFO or a device at the config path', () => {
  const configHome = () => {
    const dir = mkdtempSync(path.join(stateDir, 'config-'));
    mkdirSync(path.join(dir, 'mxlens'));
    return dir;
  };

  it('is a reported problem, not a hang (config show, and the host)', async () => {
    const dir = configHome();
    const fifo = path.join(dir, 'mxlens', 'config.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const show = spawnSync(process.execPath, [BIN, 'config', 'show'], {
      env: { ...process.env, XDG_CONFIG_HOME: dir },
      timeout: 15_000,
      encoding: 'utf8',
    });
    expect(show.error).toBeUndefined();
    expect(show.status).toBe(1);
    expect(JSON.parse(show.stdout).problems[0].message).toContain('is not a regular file (a named pipe)');

    const host = startHost({ XDG_CONFIG_HOME: dir });
    const hello = await host.handshake();
    expect(hello.settingsProblems).toEqual([
      expect.objectContaining({ message: expect.stringContaining('a named pipe') }),
    ]);
  });

  it('a device (a link to /dev/zero) likewise', () => {
    const dir = configHome();
    symlinkSync('/dev/zero', path.join(dir, 'mxlens', 'config.json'));
    const show = spawnSync(process.execPath, [BIN, 'config', 'show'], {
      env: { ...process.env, XDG_CONFIG_HOME: dir },
      timeout: 15_000,
      encoding: 'utf8',
    });
    expect(show.error).toBeUndefined();
    expect(JSON.parse(show.stdout).problems[0].message).toContain('is not a regular file (a device)');
  });
});
