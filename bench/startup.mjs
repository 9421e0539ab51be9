// Benchmarks 1 and 2: how long until a fresh process is useful.
//   host cold start: spawn `mxlens host`, write hello at once, stop the clock at the hello reply.
//   `mxlens --version`: spawn, stop the clock at exit.
// One unmeasured run first (the OS file cache is then warm for all measured runs).

import { statSync } from 'node:fs';
import { BUNDLE, HELLO, MXLENS_BIN, runCommand, startHost, summarize } from './lib.mjs';

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
  return { ...summarize(samples), bundleBytes: statSync(BUNDLE).size };
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
  const once = async () => (await runCommand(process.execPath, ['-e', '0'], { env, timeoutMs: 10_000 })).ms;
  await once();
  const samples = [];
  for (let i = 0; i < RUNS; i++) samples.push(await once());
  return summarize(samples);
}
