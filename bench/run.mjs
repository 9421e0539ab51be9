// `npm run bench`: runs every benchmark once and prints one table with the machine facts.
// Measures the built host (dist/host/mxlens.mjs, via native-host/bin/mxlens.mjs): build first.
//
// On Linux as root it re-executes itself inside a private network namespace
// (unshare -n, loopback only), where the SMTP benchmark can use fixed ports and fake names
// without touching the machine's network. Elsewhere the SMTP benchmark is skipped.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { BUNDLE, makeSandbox, mib, ms } from './lib.mjs';
import { hostColdStart, nodeBaseline, RUNS as START_RUNS, versionStart } from './startup.mjs';
import { syntaxVerify } from './syntax.mjs';
import { smtpThroughput } from './smtp.mjs';

const ISOLATED = 'MXLENS_BENCH_NETNS';

function reexecIsolated() {
  if (process.env[ISOLATED] || process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const self = fileURLToPath(import.meta.url);
  const run = spawnSync(
    'unshare',
    ['-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, self, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, [ISOLATED]: '1' }, timeout: 30 * 60_000, killSignal: 'SIGKILL' },
  );
  if (run.error) {
    process.stderr.write(`bench: could not enter a network namespace (${run.error.message}); running without one\n`);
    return null;
  }
  return run.status ?? 1;
}

const status = reexecIsolated();
if (status !== null) process.exit(status);

if (!existsSync(BUNDLE)) {
  process.stderr.write(`bench: ${BUNDLE} is missing: run "npm run build:host" first\n`);
  process.exit(1);
}

const isolated = Boolean(process.env[ISOLATED]);
const sandbox = makeSandbox();
const cpus = os.cpus();
const num = (n) => Math.round(n).toLocaleString('en-US');
const kbToMib = (kb) => mib(kb * 1024);

let failed = false;
const attempt = async (name, work) => {
  process.stderr.write(`bench: ${name}...\n`);
  try {
    return await work();
  } catch (error) {
    failed = true;
    process.stderr.write(`bench: ${name} failed: ${error.stack ?? error}\n`);
    return null;
  }
};

try {
  const start = await attempt('host cold start', () => hostColdStart(sandbox.env));
  const version = await attempt('mxlens --version', () => versionStart(sandbox.env));
  const baseline = await attempt('node -e 0', () => nodeBaseline(sandbox.env));
  const syntax = await attempt('syntax verify', () => syntaxVerify(sandbox.env));
  const smtp = isolated
    ? await attempt('smtp throughput', () => smtpThroughput(sandbox.env))
    : (process.stderr.write('bench: smtp throughput skipped (needs Linux, root and unshare -n)\n'), null);

  const timing = (t) => [`${t.n}`, ms(t.median), t.n >= 10 ? ms(t.p90) : '–', ms(t.max)];
  const rows = [];
  const row = (name, t, notes) => rows.push(t ? [name, ...timing(t), notes] : [name, '–', '–', '–', '–', notes]);

  row('1. host cold start: spawn `mxlens host` → hello reply', start, start ? `bundle ${num(start.bundleBytes)} bytes (${mib(start.bundleBytes)})` : 'FAILED');
  row('2. `mxlens --version`: spawn → exit', version, version ? `prints "${version.output}"` : 'FAILED');
  row('   reference: `node -e 0`: spawn → exit', baseline, baseline ? 'the floor under 1 and 2' : 'FAILED');
  row(
    `3. syntax verify of ${syntax ? num(syntax.addresses) : '10,000'} addresses via the host: verify → done`,
    syntax?.time,
    syntax
      ? `${num(syntax.perSecond)} addresses/s; host peak RSS (VmHWM) ${syntax.peakKb.map(kbToMib).join(' / ')}`
      : 'FAILED',
  );
  row(
    `4. SMTP verify of ${smtp ? num(smtp.addresses) : '1,000'} addresses at one domain: spawn \`mxlens verify\` → exit`,
    smtp?.time,
    smtp
      ? `${num(smtp.perSecond)} addresses/s; SMTP connections per run ${smtp.runs.map((r) => r.connections).join(' / ')}`
      : isolated ? 'FAILED' : 'SKIPPED (needs Linux, root, unshare -n)',
  );

  const header = ['benchmark', 'runs', 'median', 'p90', 'max', 'notes'];
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);

  const out = [];
  out.push(`MX Lens benchmarks, ${new Date().toISOString()}`);
  out.push('');
  out.push(`machine: ${os.type()} ${os.release()} ${os.arch()}; ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'} (availableParallelism ${os.availableParallelism?.() ?? 'n/a'}); ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total memory; node ${process.version}`);
  out.push(`network: ${isolated ? 'private namespace (unshare -n), loopback only' : 'the machine\'s own'}`);
  out.push(`host: ${BUNDLE.replace(process.cwd() + '/', '')} started as \`node native-host/bin/mxlens.mjs ...\` with an empty HOME/XDG (no config file; log in a temp dir)`);
  out.push('');
  out.push(...lines);
  out.push('');
  out.push(`Times are wall clock (performance.now in the parent). One unmeasured run precedes 1, 2 and the reference; 3 and 4 have none. p90 = nearest rank, shown only for ${START_RUNS} runs.`);
  if (syntax) {
    out.push(
      `3: one request of ${num(syntax.addresses)} addresses (${num(syntax.requestBytes)} bytes of JSON), a fresh host per run; first result after ${syntax.firstResult.median.toFixed(1)} ms (median); ` +
        `RSS at the end ${syntax.rssKb.map(kbToMib).join(' / ')}; verdicts ${JSON.stringify(syntax.verdicts)}.`,
    );
  }
  if (smtp) {
    const r = smtp.runs[0];
    out.push(
      `4: \`${smtp.command}\`, addresses on stdin, half known (250) and half unknown (550), every verdict checked; ` +
        `per run the server saw MAIL ${r.mail}, RCPT ${r.rcpt}, RSET ${r.rset}; verdicts ${JSON.stringify(r.verdicts)}; exit codes ${smtp.runs.map((x) => x.exitCode).join(' / ')}; ` +
        `wall times ${smtp.runs.map((x) => ms(x.ms)).join(' / ')} (process start included; see 2).`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  sandbox.remove();
}

process.exitCode = failed ? 1 : 0;
