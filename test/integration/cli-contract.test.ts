import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMxlens } from './cli.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'mxlens-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// The command-line contract scripts rely on; no servers needed.

describe('mxlens verify: usage errors', () => {
  it.each([
    [['verify', '--bogus', 'a@b.test'], /--bogus/],
    [['verify', '--timeout', 'soon', 'a@b.test'], /--timeout takes a whole number/],
    [['verify', '--level', 'deep', 'a@b.test'], /--level takes one of syntax, dns, smtp/],
    [['verify', '--dns', 'resolver.example', 'a@b.test'], /--dns takes an IP address/],
    [['verify', '--proxy', 'http://127.0.0.1:8080', 'a@b.test'], /--proxy supports socks5/],
    // A user name that is broken percent-encoding once made decodeURIComponent throw a URIError stack (exit 1).
    [
      ['verify', '--proxy', 'socks5://%E0%A4%A:x@127.0.0.1:1080', 'a@b.test'],
      /^mxlens: --proxy has a user name or password that is not valid percent-encoding/,
    ],
    [['verify', '--from', 'not-an-address', 'a@b.test'], /--from takes an email address/],
    [['verify', '--smtp-port', '70000', 'a@b.test'], /--smtp-port takes a whole number from 1 to 65535/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['verify', '--jsno', 'a@b.test'], /unknown option --jsno \(did you mean --json\?\)/],
    [['verify', '--concurency', '4', 'a@b.test'], /did you mean --concurrency\?/],
    [['verify', '--zzzzzz', 'a@b.test'], /unknown option --zzzzzz \(see --help\)/],
    [['verify', '--fail-on', 'bad', 'a@b.test'], /--fail-on takes undeliverable, risky, unknown/],
    [
      ['verify', 'lists/addresses.txt'],
      /"lists\/addresses.txt" is not an email address; .*--input lists\/addresses.txt \(or - for stdin\)/,
    ],
    [['verify', 'contacts.csv'], /--input contacts.csv/],
    [['verify', '--input', '/nonexistent/list.txt'], /--input \/nonexistent\/list.txt: ENOENT/],
  ])('%j exits 2 with one line on stderr and nothing on stdout', async (args, message) => {
    const run = await runMxlens(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it('exits 2 when no address is given at all', async () => {
    const run = await runMxlens(['verify', '--json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/no addresses given/);
  });
});

describe('mxlens verify --level syntax', () => {
  it('checks syntax, flags and suggestions without touching the network', async () => {
    const run = await runMxlens([
      'verify',
      '--json',
      '--level',
      'syntax',
      'Info@GMIAL.com',
      'bad@@x.test',
      'user@[192.0.2.1]',
    ]);
    expect(run.code).toBe(0);
    expect(run.results).toHaveLength(3);
    expect(run.results[0]).toMatchObject({
      normalized: 'Info@gmial.com',
      verdict: 'unknown',
      reason: 'syntax_only',
      rule: 'level-syntax',
      flags: { role: true, catchAll: null },
      suggestion: 'Info@gmail.com',
    });
    expect(run.results[1]).toMatchObject({
      verdict: 'undeliverable',
      reason: 'invalid_syntax',
      rule: 'syntax-invalid',
      normalized: null,
    });
    expect(run.results[2]).toMatchObject({ reason: 'syntax_only', domainLiteral: true });
  });

  it('prints a readable table without --json, closed by a summary line', async () => {
    const run = await runMxlens(['verify', '--level', 'syntax', 'someone@example.com', 'nope', 'other@example.org']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^ADDRESS\s+VERDICT\s+REASON\s+MX\s+REPLY$/);
    expect(run.stdout).toMatch(/someone@example\.com\s+\? unknown\s+syntax_only/);
    expect(run.stdout).toMatch(/nope\s+✘ undeliverable\s+invalid_syntax/);
    expect(run.stdout).not.toMatch(/\x1b\[/);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^3 addresses in \d+(\.\d)? s: 1 undeliverable, 2 unknown$/,
    );
  });

  it('names and explains the rule that decided each verdict with --verbose, and only then', async () => {
    const verbose = await runMxlens(['verify', '--verbose', '--level', 'syntax', 'someone@example.com', 'nope']);
    expect(verbose.code).toBe(0);
    expect(verbose.stdout).toMatch(/^ {4}rule level-syntax: Only the syntax was checked/m);
    expect(verbose.stdout).toMatch(/^ {4}rule syntax-invalid: The address does not follow/m);
    const quiet = await runMxlens(['verify', '--level', 'syntax', 'someone@example.com', 'nope']);
    expect(quiet.stdout).not.toMatch(/rule /);
  });

  it('reads addresses from --input files and from "-" (stdin), after those given as arguments', async () => {
    const file = path.join(scratch, 'list.txt');
    writeFileSync(file, '\uFEFFfirst@example.com\r\n\r\n  second@example.com  \n');
    const run = await runMxlens(['verify', '--json', '--level', 'syntax', 'zero@example.com', '--input', file, '-'], {
      stdin: 'third@example.com\n',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.results.map((result) => result.address)).toEqual([
      'zero@example.com',
      'first@example.com',
      'second@example.com',
      'third@example.com',
    ]);
  });
});

describe('mxlens verify --fail-on', () => {
  it('exits 3 when a result has one of the named verdicts, 0 otherwise', async () => {
    const failing = await runMxlens([
      'verify',
      '--level',
      'syntax',
      '--fail-on',
      'undeliverable,risky',
      'ok@example.com',
      'nope',
    ]);
    expect(failing.code).toBe(3);
    expect(failing.stdout).toMatch(/nope\s+✘ undeliverable/); // the table is still printed in full
    const passing = await runMxlens(['verify', '--level', 'syntax', '--fail-on', 'undeliverable', 'ok@example.com']);
    expect(passing.code).toBe(0);
    const unknown = await runMxlens([
      'verify',
      '--json',
      '--level',
      'syntax',
      '--fail-on',
      'unknown',
      'ok@example.com',
    ]);
    expect(unknown.code).toBe(3);
  });
});

// A mail server that offers STARTTLS and then never completes the handshake: each session waits
// in the TLS step, listening on the run's abort signal twice (the session and the handshake).
// MX Lens then retries without TLS, and the plain session accepts every recipient.
function stallingTlsServer(): Server {
  return createServer((socket: Socket) => {
    let buffer = '';
    socket.on('error', () => undefined);
    socket.write('220 stall.test ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const command = buffer.slice(0, end).toUpperCase();
        buffer = buffer.slice(end + 2);
        if (command.startsWith('EHLO')) socket.write('250-stall.test\r\n250 STARTTLS\r\n');
        else if (command === 'STARTTLS') {
          socket.write('220 go ahead\r\n');
          socket.removeAllListeners('data');
          setTimeout(() => socket.destroy(), 400);
          return;
        } else if (command === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
}

describe('mxlens verify: a large run', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = stallingTlsServer();
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('checks 1,000 addresses at 50 domains without a MaxListenersExceededWarning', async () => {
    // Domain literals at 127.0.0.1…50: fifty mail servers without DNS, all this one listener.
    const addresses = Array.from({ length: 1000 }, (_, i) => `user${i}@[127.0.0.${(i % 50) + 1}]`);
    const run = await runMxlens(
      ['verify', '--json', '--allow-private', '--smtp-port', String(port), '--timeout', '10000', '--no-catch-all', '-'],
      {
        stdin: addresses.join('\n'),
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.results).toHaveLength(1000);
    expect(
      run.results.every((result) => result.verdict === 'deliverable'),
      JSON.stringify(run.results[0]),
    ).toBe(true);
    expect(run.stderr).not.toMatch(/MaxListenersExceeded/);
    expect(run.stderr).toBe('');
  }, 60_000);
});

describe('mxlens --version and --help', () => {
  it('prints the package version', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    const run = await runMxlens(['--version']);
    expect(run.stdout.trim()).toBe(version);
  });

  it('documents every verify flag', async () => {
    const run = await runMxlens(['verify', '--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--json',
      '--dns',
      '--smtp-port',
      '--allow-private',
      '--helo',
      '--from',
      '--timeout',
      '--level',
      '--no-catch-all',
      '--greylist-wait',
      '--proxy',
      '--concurrency',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });
});
