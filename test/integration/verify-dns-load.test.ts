import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promises as dns } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMxlens } from './cli.js';

// Thousands of domains through a forwarding resolver, the way most machines resolve: a local
// dnsmasq that forwards to another one (which owns the zone). A forwarder relays at most 150
// queries at a time (dnsmasq's dns-forward-max) and drops the rest; a burst of thousands must
// not turn into spurious dns_error results.

const DOMAINS = 3000;
const UPSTREAM = { host: '127.0.3.1', port: 53 };
const FORWARDER = { host: '127.0.3.2', port: 53 };

let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mxlens-dns-load-'));
  const zone = [
    'local=/load.test/',
    'host-record=mx.load.test,127.0.3.9',
    ...Array.from({ length: DOMAINS }, (_, i) => `mx-host=d${i + 1}.load.test,mx.load.test,10`),
  ];
  await writeFile(path.join(dir, 'upstream.conf'), `${zone.join('\n')}\n`);
  await writeFile(path.join(dir, 'forwarder.conf'), `server=${UPSTREAM.host}#${UPSTREAM.port}\n`);
  await startDnsmasq(UPSTREAM, path.join(dir, 'upstream.conf'), 'd1.load.test');
  await startDnsmasq(FORWARDER, path.join(dir, 'forwarder.conf'), 'd2.load.test');
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function startDnsmasq(at: { host: string; port: number }, confFile: string, probe: string): Promise<void> {
  const child = spawn(
    'setpriv',
    [
      '--pdeathsig',
      'KILL',
      '--',
      'dnsmasq',
      '--no-daemon',
      `--conf-file=${confFile}`,
      '--user=root',
      '--group=root',
      `--port=${at.port}`,
      `--listen-address=${at.host}`,
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      '--no-poll',
      '--log-facility=-',
      '--pid-file',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([`${at.host}:${at.port}`]);
  // dnsmasq says nothing when it is ready: ask until it answers (as test/world/dnsmasq.ts does).
  for (let tries = 0; tries < 200 && child.exitCode === null; tries++) {
    const answer = await resolver.resolveMx(probe).catch(() => []);
    if (answer.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`dnsmasq on ${at.host}:${at.port} did not answer`);
}

describe('DNS under load', () => {
  it(`resolves ${DOMAINS} domains through a forwarding resolver with no spurious dns_error`, async () => {
    const addresses = Array.from({ length: DOMAINS }, (_, i) => `someone@d${i + 1}.load.test`);
    const run = await runMxlens(
      ['verify', '--json', '--level', 'dns', '--dns', `${FORWARDER.host}:${FORWARDER.port}`],
      { stdin: `${addresses.join('\n')}\n` },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.results).toHaveLength(DOMAINS);
    const reasons: Record<string, number> = {};
    for (const result of run.results) reasons[result.reason] = (reasons[result.reason] ?? 0) + 1;
    expect(reasons).toEqual({ dns_only: DOMAINS });
  });
});
