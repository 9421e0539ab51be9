#!/usr/bin/env node
// `npm run bench`: how fast the native host starts and how much it holds, measured on the built
// bundle (run `npm run build:host` first). Numbers only, no pass/fail: tests check behaviour.
//   1. cold start: spawn `mxlens host`, send hello, time until the hello reply (20 runs)
//   2. a 10,000-address syntax-level verify through the host: time, and the host's peak RSS

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cpus, endianness, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'native-host/bin/mxlens.mjs');
const bundle = path.join(root, 'dist/host/mxlens.mjs');
if (!existsSync(bundle)) throw new Error('build the host first: npm run build:host');

const little = endianness() === 'LE';

function frame(message) {
  const body = Buffer.from(JSON.stringify(message));
  const head = Buffer.alloc(4);
  little ? head.writeUInt32LE(body.length) : head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/** A host child with a frame reader; resolves each awaited message by predicate. */
function startHost() {
  const child = spawn(process.execPath, [bin, 'host'], { env: { ...process.env, MXLENS_LOG: '', XDG_STATE_HOME: tmpdir() }, stdio: ['pipe', 'pipe', 'ignore'] });
  let buffered = Buffer.alloc(0);
  const waiters = [];
  child.stdout.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const length = little ? buffered.readUInt32LE(0) : buffered.readUInt32BE(0);
      if (buffered.length < 4 + length) break;
      const message = JSON.parse(buffered.subarray(4, 4 + length).toString('utf8'));
      buffered = buffered.subarray(4 + length);
      for (const waiter of [...waiters]) if (waiter.test(message)) waiters.splice(waiters.indexOf(waiter), 1) && waiter.resolve(message);
    }
  });
  return {
    child,
    send: (message) => child.stdin.write(frame(message)),
    next: (test, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer in time')), timeoutMs);
        waiters.push({ test, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      }),
    close: () => new Promise((resolve) => (child.once('exit', resolve), child.stdin.end())),
  };
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${at(0.5).toFixed(1)} ms, p90 ${at(0.9).toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms`;
}

async function coldStart(runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const host = startHost();
    const hello = host.next((m) => m.type === 'hello');
    host.send({ type: 'hello', id: 1, protocol: 1, extension: 'bench' });
    await hello;
    samples.push(performance.now() - started);
    await host.close();
  }
  return samples;
}

async function bulkSyntax(count) {
  const host = startHost();
  const hello = host.next((m) => m.type === 'hello');
  host.send({ type: 'hello', id: 1, protocol: 1, extension: 'bench' });
  await hello;
  const addresses = Array.from({ length: count }, (_, i) => (i % 10 === 0 ? `not an address ${i}` : `user${i}@example${i % 97}.org`));
  const started = performance.now();
  const done = host.next((m) => m.type === 'done' && m.id === 2);
  host.send({ type: 'verify', id: 2, addresses, options: { level: 'syntax' } });
  await done;
  const elapsed = performance.now() - started;
  const status = readFileSync(`/proc/${host.child.pid}/status`, 'utf8');
  const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  await host.close();
  return { elapsed, peakKiB };
}

const start = await coldStart(20);
const bulk = await bulkSyntax(10_000);
console.log(`MX Lens benchmarks (${new Date().toISOString().slice(0, 10)})
machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}
bundle: dist/host/mxlens.mjs, ${(statSync(bundle).size / 1024).toFixed(0)} KiB

host cold start to hello reply (20 runs): ${stats(start)}
10,000 addresses at level syntax through the host: ${bulk.elapsed.toFixed(0)} ms (${Math.round(10_000 / (bulk.elapsed / 1000))} addresses/s), host peak RSS ${(bulk.peakKiB / 1024).toFixed(0)} MiB`);
