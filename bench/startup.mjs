// How long until a fresh process is useful.
//   host cold start: spawn `mxlens host`, write hello at once, stop the clock at the hello reply.
//   `mxlens --version`: spawn, stop the clock at exit.
//   CLI start: spawn `mxlens verify`, stop the clock at its first DNS query.
//   `node -e 0`: the floor under all of them (also its CPU time, under GNU time).
// One unmeasured run first (the OS file cache is then warm for all measured runs).

import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { BUNDLE, HELLO, MXLENS_BIN, exitOf, runCommand, runTimed, startHost, summarize, withTimeout } from './lib.mjs';

export const RUNS = 20;

async function hostHelloOnce(env) {
  const started = performance.now();
  const host = startHost(env);
  const reply = host.until((m) => m.id === HELLO.id, 10_000);
  host.send(HELLO);
  let message;
  let elapsed;
  try {
    message = await reply;
    elapsed = performance.now() - started;
  } finally {
    await host.close();
  }
  if (message.type !== 'hello') throw new Error(`expected a hello reply, got ${JSON.stringify(message)}`);
  return elapsed;
}

export async function hostColdStart(env) {
  await hostHelloOnce(env);
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push(await hostHelloOnce(env));
  return { ...summarize(samples), bundle: bundleSize() };
}

/** The built host: its entry and the chunks next to it (one file before issue 12). */
function bundleSize() {
  const files = readdirSync(path.dirname(BUNDLE), { recursive: true, withFileTypes: true }).filter((entry) =>
    entry.isFile(),
  );
  return {
    files: files.length,
    bytes: files.reduce((sum, entry) => sum + statSync(path.join(entry.parentPath ?? entry.path, entry.name)).size, 0),
  };
}

async function versionOnce(env) {
  const run = await runCommand(process.execPath, [MXLENS_BIN, '--version'], { env, timeoutMs: 10_000 });
  if (run.code !== 0 || !/0\.\d+\.\d+/.test(run.stdout)) {
    throw new Error(`mxlens --version failed (code ${run.code}): ${run.stdout}${run.stderr}`);
  }
  return { ms: run.ms, output: run.stdout.trim() };
}

export async function versionStart(env) {
  const first = await versionOnce(env);
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push((await versionOnce(env)).ms);
  return { ...summarize(samples), output: first.output };
}

/** Reference: a bare `node -e 0` (the floor under both numbers above). */
export async function nodeBaseline(env) {
  const once = () => runTimed(process.execPath, ['-e', '0'], { env, timeoutMs: 10_000 });
  await once();
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once());
  const cpu = runs.map((r) => r.cpuMs).filter((v) => v !== null);
  return {
    ...summarize(runs.map((r) => r.ms)),
    cpuMs: cpu.length ? summarize(cpu).median : null,
    peakKb: runs[0].peakKb,
  };
}

/**
 * Spawn → the first DNS query reaching a UDP listener (the CLI's start-up before any network
 * work): `mxlens verify --dns 127.0.0.1:<port> --level dns <one address>`, killed once the query
 * is seen (the listener never answers).
 */
async function firstQueryOnce(env, args) {
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', resolve);
  });
  const port = socket.address().port;
  const query = new Promise((resolve) => socket.once('message', () => resolve(performance.now())));
  const started = performance.now();
  const child = spawn(process.execPath, args(port), { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-2000)));
  try {
    const exited = exitOf(child).then(({ code }) => {
      throw new Error(`exited (code ${code}) before any DNS query\n${stderr}`);
    });
    return (await withTimeout(Promise.race([query, exited]), 10_000, 'no DNS query')) - started;
  } finally {
    child.kill('SIGKILL');
    await exitOf(child);
    socket.close();
  }
}

const mxlensQuery = (port) => [
  MXLENS_BIN,
  'verify',
  '--json',
  '--level',
  'dns',
  '--dns',
  `127.0.0.1:${port}`,
  'someone@start.bench',
];
// The same first query from a bare Node: the floor under the CLI's figure.
const bareNodeQuery = (port) => [
  '-e',
  `const { Resolver } = require('node:dns'); const r = new Resolver(); r.setServers(['127.0.0.1:${port}']); r.resolveMx('start.bench', () => {});`,
];

export async function cliFirstQuery(env) {
  const samples = async (args) => {
    await firstQueryOnce(env, args);
    const out = [];
    for (let i = 0; i < RUNS; i++) out.push(await firstQueryOnce(env, args));
    return summarize(out);
  };
  return { mxlens: await samples(mxlensQuery), bareNode: await samples(bareNodeQuery) };
}
