import { describe, expect, it } from 'vitest';
import { runMxlens } from './cli.js';

// The command-line contract scripts rely on; no servers needed.

describe('mxlens verify: usage errors', () => {
  it.each([
    [['verify', '--bogus', 'a@b.test'], /--bogus/],
    [['verify', '--timeout', 'soon', 'a@b.test'], /--timeout takes a whole number/],
    [['verify', '--level', 'deep', 'a@b.test'], /--level takes one of syntax, dns, smtp/],
    [['verify', '--dns', 'resolver.example', 'a@b.test'], /--dns takes an IP address/],
    [['verify', '--proxy', 'http://127.0.0.1:8080', 'a@b.test'], /--proxy supports socks5/],
    [['verify', '--from', 'not-an-address', 'a@b.test'], /--from takes an email address/],
    [['verify', '--smtp-port', '70000', 'a@b.test'], /--smtp-port takes a whole number from 1 to 65535/],
    [['frobnicate'], /unknown command "frobnicate"/],
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
    const run = await runMxlens(['verify', '--json', '--level', 'syntax', 'Info@GMIAL.com', 'bad@@x.test', 'user@[192.0.2.1]']);
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
    expect(run.results[1]).toMatchObject({ verdict: 'undeliverable', reason: 'invalid_syntax', rule: 'syntax-invalid', normalized: null });
    expect(run.results[2]).toMatchObject({ reason: 'syntax_only', domainLiteral: true });
  });

  it('prints a readable table without --json', async () => {
    const run = await runMxlens(['verify', '--level', 'syntax', 'someone@example.com', 'nope']);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^ADDRESS\s+VERDICT\s+REASON\s+MX\s+REPLY$/);
    expect(run.stdout).toMatch(/someone@example\.com\s+\? unknown\s+syntax_only/);
    expect(run.stdout).toMatch(/nope\s+✘ undeliverable\s+invalid_syntax/);
    expect(run.stdout).not.toMatch(/\x1b\[/);
  });

  it('names and explains the rule that decided each verdict with --verbose, and only then', async () => {
    const verbose = await runMxlens(['verify', '--verbose', '--level', 'syntax', 'someone@example.com', 'nope']);
    expect(verbose.code).toBe(0);
    expect(verbose.stdout).toMatch(/^ {4}rule level-syntax: Only the syntax was checked/m);
    expect(verbose.stdout).toMatch(/^ {4}rule syntax-invalid: The address does not follow/m);
    const quiet = await runMxlens(['verify', '--level', 'syntax', 'someone@example.com', 'nope']);
    expect(quiet.stdout).not.toMatch(/rule /);
  });
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
    for (const flag of ['--json', '--dns', '--smtp-port', '--allow-private', '--helo', '--from', '--timeout', '--level', '--no-catch-all', '--greylist-wait', '--proxy', '--concurrency']) {
      expect(run.stdout).toContain(flag);
    }
  });
});
