// Shared helpers for the benchmarks: paths, child processes with bounded waits, native
// messaging frames, statistics. Plain Node, no dependencies.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { endianness, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
// MXLENS_BENCH_ROOT: measure another build (a copy of native-host/bin and dist/host, say the
// "before" of a change) with this bench, in the same session as the current one.
const MEASURED_ROOT = process.env.MXLENS_BENCH_ROOT ? path.resolve(process.env.MXLENS_BENCH_ROOT) : ROOT;
/** The `mxlens` command as installed (a launcher that imports the bundle). */
export const MXLENS_BIN = path.join(MEASURED_ROOT, 'native-host', 'bin', 'mxlens.mjs');
export const BUNDLE = path.join(MEASURED_ROOT, 'dist', 'host', 'mxlens.mjs');

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * A private HOME / XDG directory for every mxlens process the benchmarks start: no user
 * config file is read, and the host's log goes there (removed at the end).
 */
export function makeSandbox() {
  const dir = mkdtempSync(path.join(tmpdir(), 'mxlens-bench-'));
  const env = {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_STATE_HOME: path.join(dir, 'state'),
    NO_COLOR: '1',
  };
  for (const name of Object.keys(env)) if (name.startsWith('MXLENS_')) delete env[name];
  // A CA bundle named here is parsed by every Node process before it runs a line (Node 20
  // loads it at start whether TLS is used or not): on the development machine that was 410 of
  // the 500 million instructions of `node -e 0` (callgrind), a cost of its set-up, not of a tool.
  delete env.NODE_EXTRA_CA_CERTS;
  // The bench measures the engine against the floor. The default budgets (README, "Why these
  // defaults") cap one domain at 100 RCPTs a minute on purpose, which 1 x 1,000 and 100 x 100 exceed.
  for (const budget of ['MX_SESSIONS', 'MX_RCPTS', 'DOMAIN_SESSIONS', 'DOMAIN_RCPTS', 'SITE_CHECKS']) {
    env[`MXLENS_${budget}_PER_MINUTE`] = '0';
  }
  return { dir, env, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A frame: uint32 length in native byte order, then UTF-8 JSON. */
export function encodeFrame(message) {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const header = Buffer.alloc(4);
  if (LITTLE_ENDIAN) header.writeUInt32LE(body.length);
  else header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

/** Cuts a byte stream into decoded messages. */
export class FrameDecoder {
  #buffer = Buffer.alloc(0);
  push(chunk) {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const messages = [];
    while (this.#buffer.length >= 4) {
      const length = LITTLE_ENDIAN ? this.#buffer.readUInt32LE(0) : this.#buffer.readUInt32BE(0);
      if (this.#buffer.length < 4 + length) break;
      messages.push(JSON.parse(this.#buffer.subarray(4, 4 + length).toString('utf8')));
      this.#buffer = this.#buffer.subarray(4 + length);
    }
    return messages;
  }
}

/** Resolves after `ms`, or rejects with `message` (used to bound every wait). */
export function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (no answer within ${ms} ms)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Promise of a child's exit: { code, signal }. */
export function exitOf(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: -1, signal: null }));
  });
}

/** Waits up to `ms` for the child to exit, then SIGKILLs it (and waits for that). */
export async function stopChild(child, ms = 5_000) {
  const exited = exitOf(child);
  try {
    return await withTimeout(exited, ms, 'child did not exit');
  } catch {
    child.kill('SIGKILL');
    return exited;
  }
}

/**
 * Runs a command to completion (bounded by `timeoutMs`); returns its exit, stdout, stderr and
 * the wall time from just before spawn() to the exit event.
 */
export async function runCommand(command, args, { env, input, timeoutMs = 60_000 } = {}) {
  const started = performance.now();
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = [];
  const err = [];
  child.stdout.on('data', (c) => out.push(c));
  child.stderr.on('data', (c) => err.push(c));
  child.stdin.on('error', () => {});
  child.stdin.end(input ?? '');
  const exited = exitOf(child);
  let exit;
  try {
    exit = await withTimeout(exited, timeoutMs, `${command} ${args.join(' ')}`);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  const ms = performance.now() - started;
  return { ...exit, ms, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/**
 * Starts `mxlens host`. `until(predicate, ms, onMessage)` resolves with the first message
 * received from now on that matches, passing every message to `onMessage` meanwhile.
 * Register before sending the request, so no reply can come first.
 */
export function startHost(env) {
  const child = spawn(process.execPath, [MXLENS_BIN, 'host'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const decoder = new FrameDecoder();
  const subscribers = new Set();
  let stderr = '';
  child.stderr.on('data', (c) => (stderr = (stderr + c.toString()).slice(-20_000)));
  child.stdin.on('error', () => {});
  child.stdout.on('data', (chunk) => {
    for (const message of decoder.push(chunk)) for (const subscriber of [...subscribers]) subscriber(message);
  });
  const exited = exitOf(child);
  return {
    child,
    send: (message) => child.stdin.write(encodeFrame(message)),
    until(predicate, timeoutMs, onMessage) {
      let subscriber;
      const matched = new Promise((resolve) => {
        subscriber = (message) => {
          onMessage?.(message);
          if (predicate(message)) resolve(message);
        };
        subscribers.add(subscriber);
      });
      const died = exited.then(({ code, signal }) => {
        throw new Error(`the host exited (code ${code}, signal ${signal}) before answering\n${stderr}`);
      });
      return withTimeout(Promise.race([matched, died]), timeoutMs, 'the host did not answer').finally(() =>
        subscribers.delete(subscriber),
      );
    },
    /** Ends stdin (the browser closing the port) and waits for the exit, SIGKILL after 10 s. */
    close() {
      child.stdin.end();
      return stopChild(child, 10_000);
    },
  };
}

export const HELLO = { type: 'hello', id: 1, protocol: 1, extension: '0.1.0' };

/** Linux only: a field of /proc/<pid>/status in kB (VmHWM = peak resident set size). */
export function procStatusKb(pid, field) {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Linux only: user + system CPU time of a live process, in ms (clock ticks of 10 ms). */
export function procCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

const GNU_TIME = '/usr/bin/time';
export const HAVE_GNU_TIME = existsSync(GNU_TIME);

/**
 * runCommand under GNU time (when installed): also the child's user + system CPU (ms) and
 * peak RSS (kB). The wall clock is the parent's (spawn of time → exit; time's own fork+exec
 * is about 1 ms).
 */
export async function runTimed(command, args, options = {}) {
  if (!HAVE_GNU_TIME) return { ...(await runCommand(command, args, options)), cpuMs: null, peakKb: null };
  const dir = mkdtempSync(path.join(tmpdir(), 'mxlens-bench-time-'));
  const report = path.join(dir, 'time');
  try {
    const run = await runCommand(GNU_TIME, ['-f', '%U %S %M', '-o', report, '--', command, ...args], options);
    const [user, system, peakKb] = readFileSync(report, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    return { ...run, cpuMs: (user + system) * 1000, peakKb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- statistics (nearest-rank percentiles over the sorted samples)

export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n: sorted.length, min: sorted[0], median, p90: rank(0.9), max: sorted[sorted.length - 1] };
}

export const ms = (value) => `${value.toFixed(1)} ms`;
export const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Set inside the private namespaces that reexecIsolated() enters. */
export const ISOLATED = 'MXLENS_BENCH_NETNS';

/**
 * Linux as root: runs `entry` (a bench script) again (same arguments) inside private network and mount
 * namespaces, loopback only, /etc/resolv.conf naming 127.0.0.1 (where world.mjs starts
 * dnsmasq), and returns its exit status; null when already inside or not possible.
 */
export function reexecIsolated(entry) {
  if (process.env[ISOLATED] || process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mxlens-bench-resolv-'));
  const resolvConf = path.join(dir, 'resolv.conf');
  writeFileSync(resolvConf, 'nameserver 127.0.0.1\n');
  try {
    const script = 'ip link set lo up && mount --bind "$1" /etc/resolv.conf && shift && exec "$@"';
    const run = spawnSync(
      'unshare',
      ['-n', '-m', 'sh', '-c', script, 'sh', resolvConf, process.execPath, entry, ...process.argv.slice(2)],
      {
        stdio: 'inherit',
        env: { ...process.env, [ISOLATED]: '1' },
        timeout: 30 * 60_000,
        killSignal: 'SIGKILL',
      },
    );
    if (run.error) {
      process.stderr.write(`bench: could not enter private namespaces (${run.error.message}); running without them\n`);
      return null;
    }
    return run.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
