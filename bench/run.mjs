// `npm run bench`: figures, not tests; never fails on a slow number, stops by itself.
// Measures the built host (dist/host/mxlens.mjs, via native-host/bin/mxlens.mjs): build first.
//
// On Linux as root it re-executes itself inside private network and mount namespaces
// (unshare -n -m): loopback only, and /etc/resolv.conf bind-mounted to name 127.0.0.1, where
// world.mjs starts dnsmasq. So the npm peers, which only know the system resolver and port 25,
// see the bench world and nothing else. Elsewhere the SMTP scenarios are skipped.
//
//   node bench/run.mjs [scenario id ...]     only these SMTP scenarios (scenarios.mjs)
//   MXLENS_BENCH_BROWSER=0                   skip the browser figures
//   MXLENS_BENCH_PEERS=0                     skip the npm peers (a second build measured in the same session)
//   MXLENS_BENCH_ROOT=DIR                    measure DIR/native-host/bin/mxlens.mjs and DIR/dist/host instead
//   node bench/run.mjs distributed           only the distributed figures (issue 14)
//   node bench/run.mjs browser               only the browser figures (and the start-up ones)
//   MXLENS_BENCH_DIST_SIZE=N                 addresses of the distributed job (default 100,000)

import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE, HAVE_GNU_TIME, ISOLATED, makeSandbox, reexecIsolated } from './lib.mjs';
import { browserAvailable, browserBench } from './browser.mjs';
import { DIST_DOMAINS, distributedBench, distributedSection } from './distributed.mjs';
import { browserSection, goalsSection, scenarioSection, startupSection } from './report.mjs';
import { MAX_DOMAINS, SCENARIOS } from './scenarios.mjs';
import { smtpScenarios } from './smtp.mjs';
import { cliFirstQuery, hostColdStart, nodeBaseline, versionStart } from './startup.mjs';
import { syntaxVerify } from './syntax.mjs';
import { PEERS, peersInstalled } from './tools.mjs';
import { startWorld, systemResolverIsOurs } from './world.mjs';

const status = reexecIsolated(fileURLToPath(import.meta.url));
if (status !== null) process.exit(status);

if (!existsSync(BUNDLE)) {
  process.stderr.write(`bench: ${BUNDLE} is missing: run "npm run build:host" first\n`);
  process.exit(1);
}

const isolated = Boolean(process.env[ISOLATED]) && systemResolverIsOurs();
const only = process.argv.slice(2);
const sandbox = makeSandbox();
const log = (line) => process.stderr.write(`bench: ${line}\n`);

let failed = false;
const attempt = async (name, work) => {
  log(`${name}...`);
  try {
    return await work();
  } catch (error) {
    failed = true;
    log(`${name} failed: ${error.stack ?? error}`);
    return null;
  }
};

function machineLine() {
  const cpus = os.cpus();
  return `machine: ${os.type()} ${os.release()} ${os.arch()}; ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'} (availableParallelism ${os.availableParallelism?.() ?? 'n/a'}); ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at the start; node ${process.version}`;
}

const out = [];
try {
  out.push(`MX Lens benchmarks, ${new Date().toISOString()}`, '', machineLine());
  out.push(
    `network: ${isolated ? 'private namespaces (unshare -n -m): loopback only; /etc/resolv.conf → dnsmasq on 127.0.0.1:53' : "the machine's own (SMTP scenarios skipped: they need Linux, root, unshare)"}`,
  );
  out.push(
    `MX Lens: ${path.relative(process.cwd(), BUNDLE)} run as \`node native-host/bin/mxlens.mjs ...\` with an empty HOME/XDG (no config file)`,
  );
  out.push(
    `peers (bench/package.json, \`npm ci --prefix bench\`): ${peersInstalled() ? PEERS.join(', ') : process.env.MXLENS_BENCH_PEERS === '0' ? 'skipped (MXLENS_BENCH_PEERS=0)' : 'NOT INSTALLED (run npm ci --prefix bench): peers skipped'}`,
  );
  out.push(
    `CPU and peak RSS: ${HAVE_GNU_TIME ? 'GNU time (/usr/bin/time) for commands; /proc/<pid>/stat and VmHWM for the host' : "/usr/bin/time missing: only the host's (from /proc)"}`,
  );
  out.push('');

  const node = await attempt('node -e 0', () => nodeBaseline(sandbox.env));
  const firstQuery = await attempt('CLI start to first DNS query', () => cliFirstQuery(sandbox.env));
  const host = await attempt('host cold start', () => hostColdStart(sandbox.env));
  const version = await attempt('mxlens --version', () => versionStart(sandbox.env));
  const syntax = await attempt('syntax verify of 10,000', () => syntaxVerify(sandbox.env));
  out.push('## Start-up', '', ...startupSection({ node, version, host, firstQuery, syntax }), '');

  let smtp = null;
  let browser = null;
  let distributed = null;
  const runsDistributed = only.length === 0 || only.includes('distributed');
  const runsScenarios = only.length === 0 || SCENARIOS.some((scenario) => only.includes(scenario.id));
  const runsBrowser =
    (only.length === 0 || only.includes('browser')) && process.env.MXLENS_BENCH_BROWSER !== '0' && browserAvailable();
  if (isolated && (runsScenarios || runsBrowser)) {
    const world = await attempt('the bench world (dnsmasq and fakes)', () => startWorld(MAX_DOMAINS));
    if (world) {
      try {
        if (runsScenarios)
          smtp = await attempt('SMTP scenarios', () =>
            smtpScenarios(world, sandbox.env, { log, only: only.length ? only : undefined }),
          );
        if (runsBrowser) browser = await attempt('browser', () => browserBench(world, sandbox.env, log));
      } finally {
        await world.stop();
      }
    }
  }
  if (isolated) {
    const wide =
      runsDistributed && (await attempt(`the world of ${DIST_DOMAINS} domains`, () => startWorld(DIST_DOMAINS)));
    if (wide) {
      try {
        distributed = await attempt('distributed (serve --redis, 1 and 3 workers)', () =>
          distributedBench(wide, sandbox, log),
        );
      } finally {
        await wide.stop();
      }
    }
  }
  const nodeStartMs = node?.median ?? 0;
  if (smtp) {
    out.push('## SMTP scenarios', '');
    out.push(
      'Each fake delays everything it sends by the delay (one round trip each), answers 250 for the mailboxes that exist and 550 5.1.1 for the others; a session is counted from accept to close as the server sees it. ' +
        'Accuracy: the tool\'s yes/no against the fakes\' truth; "no answer" (unknown, an error, a timeout) counts as not right. ' +
        'The peers check one address per call: "all" calls them for every address at once, "polite" keeps at most 2 calls in flight per domain (= per MX), as MX Lens limits itself. ' +
        `Wall time is spawn → exit for commands (Node start-up included), spawn → done for the host. Scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}.`,
      '',
    );
    for (const result of smtp.scenarios) out.push(...scenarioSection(result, nodeStartMs), '');
  }
  if (browser) {
    out.push('## Browser', '');
    out.push(
      'Chromium (/usr/bin/chromium, headless, via playwright-core) with the extension built from the sources and the host registered in its profile; pages of `<p>Contact N: address</p>` lines on a loopback HTTP server; ' +
        'the host reaches the same fakes (20 ms per reply). "First verdict": DevTools reads of the page (DOM.getDocument, pierce: closed shadow roots included) every 5 ms from navigation on. ' +
        "Long tasks: a Tracing of the renderer's top-level tasks (category toplevel, RunTask on CrRendererMain) from navigation until 2 s without main-thread work; the page's own PerformanceObserver('longtask') is shown too: it does not see the extension's isolated-world tasks.",
      '',
      ...browserSection(browser),
      '',
    );
  }
  if (distributed) out.push('## Distributed (serve --redis + workers)', '', ...distributedSection(distributed), '');
  out.push(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    '',
  );
  out.push(
    '## Issue 12 goals',
    '',
    ...goalsSection({ smtp, firstQuery, host, nodeStartMs, nodeCpuMs: node?.cpuMs ?? null, browser }),
    '',
  );
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  sandbox.remove();
}

process.exitCode = failed ? 1 : 0;
