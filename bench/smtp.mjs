// Benchmark 4: SMTP-level throughput of `mxlens verify` against a real local server.
// dnsmasq (127.0.0.1:5354) gives bench.bench an MX, mx.bench.bench -> 127.0.0.1, where the
// server of smtp-server.mjs listens on a free high port. Needs a private network namespace
// (run.mjs arranges it): the ports and names live only there.
// Clock: `mxlens verify` process wall time, spawn to exit (process start included).

import { spawn } from 'node:child_process';
import dns from 'node:dns/promises';
import { MXLENS_BIN, exitOf, runCommand, stopChild, summarize } from './lib.mjs';
import { startSmtpServer } from './smtp-server.mjs';

export const ADDRESSES = 1_000;
export const RUNS = 5;
export const DNS_PORT = 5354;

export const DNSMASQ_ARGS = [
  'dnsmasq',
  '--no-daemon',
  `--port=${DNS_PORT}`,
  '--listen-address=127.0.0.1',
  '--bind-interfaces',
  '--no-resolv',
  '--no-hosts',
  '--local=/bench/',
  '--mx-host=bench.bench,mx.bench.bench,10',
  '--host-record=mx.bench.bench,127.0.0.1',
  // Hygiene: no config file, no pid file, stay root (keeps pdeathsig), log to our pipe.
  '--conf-file=/dev/null',
  '--pid-file',
  '--user=root',
  '--group=root',
  '--log-facility=-',
];

async function startDnsmasq() {
  // setpriv --pdeathsig: dnsmasq dies with us even if we are killed before cleaning up.
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', ...DNSMASQ_ARGS], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const append = (c) => (log = (log + c.toString()).slice(-10_000));
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = exitOf(child);
  let gone = false;
  void exited.then(() => (gone = true));

  const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([`127.0.0.1:${DNS_PORT}`]);
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline && !gone) {
    try {
      const mx = await resolver.resolveMx('bench.bench');
      if (mx.length > 0) return { child, stop: () => (child.kill('SIGTERM'), stopChild(child, 3_000)) };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  await exited;
  throw new Error(`dnsmasq did not answer for bench.bench within 5 s:\n${log}`);
}

/** known0, unknown1, known2, ...: half the mailboxes exist. */
export function smtpAddresses(count = ADDRESSES) {
  return Array.from({ length: count }, (_, i) => `${i % 2 === 0 ? 'known' : 'unknown'}${i}@bench.bench`);
}

/** The bench measures the engine's own speed: MX Lens's budgets (README, "Why these defaults") are off. */
const NO_BUDGETS = {
  MXLENS_MX_SESSIONS_PER_MINUTE: '0',
  MXLENS_MX_RCPTS_PER_MINUTE: '0',
  MXLENS_DOMAIN_SESSIONS_PER_MINUTE: '0',
  MXLENS_DOMAIN_RCPTS_PER_MINUTE: '0',
  MXLENS_SITE_CHECKS_PER_MINUTE: '0',
};

export async function smtpThroughput(env) {
  const addresses = smtpAddresses();
  const known = new Set(addresses.filter((a) => a.startsWith('known')));
  const dnsmasq = await startDnsmasq();
  let server = null;
  try {
    server = await startSmtpServer({ known });
    const args = [MXLENS_BIN, 'verify', '--json', '--dns', `127.0.0.1:${DNS_PORT}`, '--allow-private', '--smtp-port', String(server.port), '--no-catch-all'];
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const before = { ...server.stats };
      const run = await runCommand(process.execPath, args, { env: { ...env, ...NO_BUDGETS }, input: `${addresses.join('\n')}\n`, timeoutMs: 120_000 });
      const results = run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
      const verdicts = {};
      for (const r of results) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
      const wrong = results.filter((r, index) => r.verdict !== (index % 2 === 0 ? 'deliverable' : 'undeliverable'));
      if (results.length !== addresses.length || wrong.length > 0) {
        throw new Error(
          `expected ${addresses.length} results (even deliverable, odd undeliverable); got ${results.length}, ${wrong.length} wrong, e.g. ${JSON.stringify(wrong[0])}\nexit ${run.code}\n${run.stderr.slice(-2000)}`,
        );
      }
      const delta = (key) => server.stats[key] - before[key];
      runs.push({
        ms: run.ms,
        exitCode: run.code,
        verdicts,
        connections: delta('connections'),
        mail: delta('mail'),
        rcpt: delta('rcpt'),
        rset: delta('rset'),
      });
    }
    const time = summarize(runs.map((r) => r.ms));
    return {
      addresses: addresses.length,
      command: `mxlens ${args.slice(1).join(' ')}`.replace(String(server.port), '<port>'),
      port: server.port,
      time,
      perSecond: addresses.length / (time.median / 1000),
      runs,
    };
  } finally {
    await server?.close();
    await dnsmasq.stop();
  }
}
