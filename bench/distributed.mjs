// The distributed mode (issue 14): one `mxlens serve --redis` and N `mxlens worker`s, each on its
// own loopback source address, a bulk job of MXLENS_BENCH_DIST_SIZE addresses (default 100,000)
// over 1,000 domains, posted and timed to `job_status: Completed`. The fakes hold every client
// address to a per-IP RCPT rate (a provider's throttle), so one worker cannot go faster than
// that rate and the fleet's throughput has to come from more workers. Runs inside the bench's
// private namespaces (run.mjs); a redis-server is started in the sandbox.

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { MXLENS_BIN, exitOf, procCpuMs, procStatusKb, stopChild } from './lib.mjs';
import { buildScenario, score } from './scenarios.mjs';

export const DIST_DOMAINS = 1000;
export const DIST_SIZE = Number(process.env.MXLENS_BENCH_DIST_SIZE ?? 100_000);
/** RCPT replies per second one client address gets (over all the fakes). */
export const RCPT_PER_SECOND_PER_IP = Number(process.env.MXLENS_BENCH_DIST_RATE ?? 1000);
const FLEETS = [1, 3];
const SOURCES = ['127.0.0.11', '127.0.0.12', '127.0.0.13'];
const REDIS_PORT = 16379;
const SERVE_PORT = 18080;
const KEY = 'bench-key-0123456789abcdef';

/** Spawns `args` and resolves once its stdout or stderr has printed `ready`. */
async function startUntil(command, args, env, ready) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  await new Promise((resolve, reject) => {
    const watch = (chunk) => {
      text = (text + chunk.toString()).slice(-20_000);
      if (text.includes(ready)) resolve();
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    void exitOf(child).then((code) =>
      reject(new Error(`${args.join(' ')} exited (${code}) before "${ready}":\n${text}`)),
    );
  });
  return child;
}

async function call(method, route, body) {
  const response = await fetch(`http://127.0.0.1:${SERVE_PORT}${route}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Polls the job until it is Completed (a bench: polling every 250 ms costs nothing measured). */
async function waitCompleted(jobId) {
  for (;;) {
    const status = await call('GET', `/v1/bulk/${jobId}`);
    if (status.job_status === 'Completed') return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Each address's answer (safe = exists, invalid = does not, anything else = no answer), and the kinds of no answer. */
async function readAnswers(jobId, total) {
  const byAddress = new Map();
  const noAnswer = {};
  for (let offset = 0; offset < total; offset += 10_000) {
    const page = await call('GET', `/v1/bulk/${jobId}/results?limit=10000&offset=${offset}`);
    for (const row of page.results) {
      const answer = row.is_reachable === 'safe' ? true : row.is_reachable === 'invalid' ? false : null;
      byAddress.set(row.input, answer);
      if (answer !== null) continue;
      const kind = `${row.is_reachable}/${row.smtp?.type ?? row.mx?.type ?? '?'}`;
      noAnswer[kind] = (noAnswer[kind] ?? 0) + 1;
    }
  }
  return { byAddress, noAnswer };
}

async function runFleet(world, built, workerCount, env, sandboxDir, log) {
  const redis = await startUntil(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(REDIS_PORT), '--save', '', '--appendonly', 'no', '--dir', sandboxDir],
    env,
    'Ready to accept connections',
  );
  const children = [];
  try {
    const redisUrl = `redis://127.0.0.1:${REDIS_PORT}`;
    const dataDir = mkdtempSync(path.join(sandboxDir, 'serve-'));
    const serveEnv = {
      ...env,
      MXLENS_SERVE_KEYS: `bench:${KEY}`,
      MXLENS_SERVE_RATE: '1000000',
      MXLENS_SERVE_QUOTA: '100000000',
    };
    const server = await startUntil(
      process.execPath,
      [MXLENS_BIN, 'serve', '--listen', `127.0.0.1:${SERVE_PORT}`, '--data', dataDir, '--redis', redisUrl],
      serveEnv,
      'listening at',
    );
    children.push(server);
    const workers = [];
    for (const source of SOURCES.slice(0, workerCount)) {
      workers.push(
        await startUntil(
          process.execPath,
          [MXLENS_BIN, 'worker', '--redis', redisUrl, '--source-address', source],
          env,
          'mxlens worker: ready',
        ),
      );
    }
    children.push(...workers);

    world.configure({ ...built.server, rcptPerSecondPerSource: RCPT_PER_SECOND_PER_IP });
    const cpuOf = () => ({
      server: procCpuMs(server.pid),
      workers: workers.reduce((sum, w) => sum + procCpuMs(w.pid), 0),
      redis: procCpuMs(redis.pid),
      fakes: process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000,
    });
    const cpuBefore = cpuOf();
    const serverStartKb = procStatusKb(server.pid, 'VmRSS');
    const workerStartKb = workers.map((w) => procStatusKb(w.pid, 'VmRSS'));
    const started = performance.now();
    const { job_id: jobId } = await call('POST', '/v1/bulk', { input: built.addresses });
    await waitCompleted(jobId);
    const ms = performance.now() - started;
    const cpuAfter = cpuOf();
    const cpuMs = Object.fromEntries(Object.keys(cpuAfter).map((part) => [part, cpuAfter[part] - cpuBefore[part]]));
    await world.quiet();
    const stats = world.stats();
    const { byAddress, noAnswer } = await readAnswers(jobId, built.addresses.length);
    const scored = score(
      built.addresses.map((a) => byAddress.get(a) ?? null),
      built.truth,
    );
    const result = {
      workers: workerCount,
      ms,
      perSecond: (built.addresses.length / ms) * 1000,
      serverStartKb,
      serverPeakKb: procStatusKb(server.pid, 'VmHWM'),
      workerStartKb,
      workerPeakKb: workers.map((w) => procStatusKb(w.pid, 'VmHWM')),
      cpuMs,
      ...scored,
      noAnswer,
      stats,
    };
    log(
      `  ${workerCount} worker(s): ${(ms / 1000).toFixed(1)} s, ${result.perSecond.toFixed(0)} addresses/s, ${(scored.accuracy * 100).toFixed(1)}% right, ${scored.wrong} wrong, ${stats.connections} connections, max ${stats.maxPerMx}/MX, CPU ${describeCpu(cpuMs, built.addresses.length)}${describeNoAnswer(noAnswer)}`,
    );
    return result;
  } finally {
    for (const child of children.reverse()) {
      child.kill('SIGTERM');
      await stopChild(child, 10_000);
    }
    redis.kill('SIGTERM');
    await stopChild(redis, 5_000);
  }
}

/** One run per fleet size (1, then 3 workers), each with a fresh redis-server and server. */
export async function distributedBench(world, sandbox, log) {
  const perDomain = Math.ceil(DIST_SIZE / DIST_DOMAINS);
  const built = buildScenario({ domains: Math.min(DIST_DOMAINS, DIST_SIZE), perDomain });
  built.addresses.length = built.truth.length = Math.min(DIST_SIZE, built.addresses.length);
  // The sandbox's budgets are off: only the fakes' per-IP rate and the session limit shape the runs.
  const env = { ...sandbox.env, MXLENS_ALLOW_PRIVATE: '1' };
  const runs = [];
  for (const workers of FLEETS) runs.push(await runFleet(world, built, workers, env, sandbox.dir, log));
  return {
    size: built.addresses.length,
    domains: Math.min(DIST_DOMAINS, DIST_SIZE),
    rate: RCPT_PER_SECOND_PER_IP,
    runs,
  };
}

/** CPU time per address of each part of the run (server, all workers, Redis, the fakes' process). */
const describeCpu = (cpuMs, size) =>
  Object.entries(cpuMs)
    .map(([part, value]) => `${part} ${((value * 1000) / size).toFixed(0)} µs`)
    .join(' / ');

const describeNoAnswer = (noAnswer) =>
  Object.entries(noAnswer)
    .map(([kind, count]) => `, ${kind} ${count}`)
    .join('');

const mibOf = (kb) => (kb === null ? 'n/a' : `${(kb / 1024).toFixed(0)} MiB`);

export function distributedSection(result) {
  const lines = [
    `${result.size.toLocaleString('en')} addresses over ${result.domains} domains (20 ms per reply), a bulk job posted to \`mxlens serve --redis\` and timed to \`job_status: Completed\`; ` +
      `every worker on its own loopback source address, each address held by the fakes to ${result.rate} RCPT replies a second. RSS: VmRSS when the job is posted → VmHWM (the peak) at the end of the run. CPU: user + system time during the job, per address, of the server, all workers together, Redis, and the bench's own process (the 1,000 fakes).`,
    '',
    "| workers | wall | addresses/s | × 1 worker | right | connections | max sessions/MX | CPU per address | server RSS | workers' RSS |",
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const base = result.runs[0]?.perSecond ?? 1;
  for (const run of result.runs) {
    lines.push(
      `| ${run.workers} | ${(run.ms / 1000).toFixed(1)} s | ${run.perSecond.toFixed(0)} | ${(run.perSecond / base).toFixed(2)} | ${(run.accuracy * 100).toFixed(1)}%${describeNoAnswer(run.noAnswer)} | ${run.stats.connections} | ${run.stats.maxPerMx} | ${describeCpu(run.cpuMs, result.size)} | ${mibOf(run.serverStartKb)} → ${mibOf(run.serverPeakKb)} | ${run.workerPeakKb.map((peak, i) => `${mibOf(run.workerStartKb[i])} → ${mibOf(peak)}`).join(', ')} |`,
    );
  }
  return lines;
}
