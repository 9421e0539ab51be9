// The tools the SMTP scenarios compare, each run the way its users run it, each returning the
// same record: { ms, answers (true/false/null per address), cpuMs, peakKb, notes }.
//   mxlens verify   the installed command (node native-host/bin/mxlens.mjs verify --json), addresses on stdin
//   mxlens host     the native messaging host (what the extension uses): spawn, hello, one verify
//   npm peers       peers/run-peer.mjs <peer> <all|polite>, addresses on stdin
// Every tool finds the world through the system resolver (/etc/resolv.conf → dnsmasq) and the
// mail servers on port 25; MX Lens needs --allow-private for the loopback addresses.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELLO, MXLENS_BIN, procCpuMs, procStatusKb, runTimed, startHost } from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PEER_RUNNER = path.join(HERE, 'peers', 'run-peer.mjs');
export const PEERS = ['deep-email-validator', 'server-accepts-email', 'email-existence'];
export const peersInstalled = () =>
  process.env.MXLENS_BENCH_PEERS !== '0' &&
  PEERS.every((peer) => existsSync(path.join(HERE, 'node_modules', peer, 'package.json')));

const RUN_TIMEOUT_MS = 180_000;

const verdictAnswer = (verdict) => (verdict === 'deliverable' ? true : verdict === 'undeliverable' ? false : null);
const countBy = (items, key) => items.reduce((acc, item) => ((acc[key(item)] = (acc[key(item)] ?? 0) + 1), acc), {});

export const MXLENS_VERIFY_ARGS = ['verify', '--json', '--allow-private'];

export async function runMxlensCli(env, addresses) {
  const run = await runTimed(process.execPath, [MXLENS_BIN, ...MXLENS_VERIFY_ARGS], {
    env,
    input: `${addresses.join('\n')}\n`,
    timeoutMs: RUN_TIMEOUT_MS,
  });
  const results = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  if (results.length !== addresses.length) {
    throw new Error(
      `mxlens verify gave ${results.length} results for ${addresses.length} addresses (exit ${run.code})\n${run.stderr.slice(-2000)}`,
    );
  }
  return {
    ms: run.ms,
    answers: results.map((r) => verdictAnswer(r.verdict)),
    cpuMs: run.cpuMs,
    peakKb: run.peakKb,
    notes: { exit: run.code, reasons: countBy(results, (r) => `${r.verdict}/${r.reason}`) },
  };
}

/** A fresh host per run: spawn, hello, one verify of every address (at most 10,000). */
export async function runMxlensHost(env, addresses) {
  const started = performance.now();
  const host = startHost({ ...env, MXLENS_ALLOW_PRIVATE: '1' });
  try {
    const hello = host.until((m) => m.id === HELLO.id, 10_000);
    host.send(HELLO);
    if ((await hello).type !== 'hello') throw new Error('the host did not say hello');
    const helloMs = performance.now() - started;
    const results = new Array(addresses.length);
    let firstMs = null;
    const verifyStarted = performance.now();
    const done = host.until(
      (m) => m.id === 'bench' && m.type !== 'result',
      RUN_TIMEOUT_MS,
      (m) => {
        if (m.id !== 'bench' || m.type !== 'result') return;
        firstMs ??= performance.now() - verifyStarted;
        results[m.index] = m.result;
      },
    );
    host.send({ type: 'verify', id: 'bench', addresses });
    const end = await done;
    const now = performance.now();
    const cpuMs = procCpuMs(host.child.pid);
    const peakKb = procStatusKb(host.child.pid, 'VmHWM');
    if (end.type !== 'done' || results.some((r) => r === undefined) || results.length !== addresses.length) {
      throw new Error(
        `the host ended with ${JSON.stringify(end)} after ${results.filter(Boolean).length} of ${addresses.length} results`,
      );
    }
    return {
      ms: now - started,
      verifyMs: now - verifyStarted,
      helloMs,
      firstMs,
      answers: results.map((r) => verdictAnswer(r.verdict)),
      cpuMs,
      peakKb,
      notes: { reasons: countBy(results, (r) => `${r.verdict}/${r.reason}`) },
    };
  } finally {
    await host.close();
  }
}

export async function runPeer(env, peer, mode, addresses) {
  const run = await runTimed(process.execPath, [PEER_RUNNER, peer, mode], {
    env,
    input: `${addresses.join('\n')}\n`,
    timeoutMs: RUN_TIMEOUT_MS,
  });
  const last = run.stdout.trim().split('\n').pop();
  if (run.code !== 0 || !last) throw new Error(`${peer} (${mode}) exited ${run.code}\n${run.stderr.slice(-2000)}`);
  const { answers, notes } = JSON.parse(last);
  return { ms: run.ms, answers, cpuMs: run.cpuMs, peakKb: run.peakKb, notes };
}
