import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { runMxlens } from './cli.js';

// A real `mxlens serve` process (the built bundle), on a free loopback port. Its structured
// log (JSON lines on stderr) is kept, so tests wait for events in it rather than for time.

const BIN = fileURLToPath(new URL('../../native-host/bin/mxlens.mjs', import.meta.url));

interface LogLine {
  msg?: string;
  [field: string]: unknown;
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  port: number;
  dataDir: string;
  log: LogLine[];
  stderr(): string;
  /** Resolves with the first log line (already seen or to come) that matches. */
  waitForLog(match: (line: LogLine) => boolean): Promise<LogLine>;
  /** Sends `signal` and resolves with the exit code (or the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

const dataDirs: string[] = [];
// Registered when a test file imports this module: after the file's own afterAll hooks (which
// stop its servers), its data folders go.
afterAll(() => {
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh data folder, removed after the test file. */
export function newDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mxlens-serve-'));
  dataDirs.push(dir);
  return dir;
}

/** The test world's DNS, private targets allowed (the world lives on loopback), short timeouts. */
export const WORLD_ENV = { MXLENS_DNS: '127.0.0.1:5353', MXLENS_ALLOW_PRIVATE: '1', MXLENS_TIMEOUT: '5000' };

/** `onStderr` sees the server's stderr as it comes, before it listens too. */
export async function startServe(
  options: { dataDir?: string; env?: NodeJS.ProcessEnv; args?: string[]; onStderr?: (text: string) => void } = {},
): Promise<ServeProcess> {
  const dataDir = options.dataDir ?? newDataDir();
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--listen', '127.0.0.1:0', '--data', dataDir, ...(options.args ?? [])],
    {
      env: { ...process.env, XDG_CONFIG_HOME: path.join(dataDir, 'config'), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log: LogLine[] = [];
  const waiters: Array<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  let text = '';
  let pending = '';
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  child.stdout!.resume();
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    options.onStderr?.(text);
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const raw of lines) {
      let line: LogLine;
      try {
        line = JSON.parse(raw) as LogLine;
      } catch {
        continue;
      }
      log.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  const waitForLog = (match: (line: LogLine) => boolean) => {
    const seen = log.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      waiters.push({ match, resolve });
      void exited.then((code) =>
        reject(new Error(`mxlens serve exited (${code}) before the awaited log line; stderr:\n${text}`)),
      );
    });
  };
  const listening = await waitForLog((line) => line.msg === 'listening');
  return {
    child,
    url: String(listening.url),
    port: Number(listening.port),
    dataDir,
    log,
    stderr: () => text,
    waitForLog,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** `mxlens serve keys add NAME` in `dataDir` (or where `args` say, e.g. `--postgres URL`): the new key. */
export async function addKey(dataDir: string, name: string, args: string[] = []): Promise<string> {
  const run = await runMxlens(['serve', 'keys', 'add', name, '--data', dataDir, ...args], {
    env: { XDG_CONFIG_HOME: path.join(dataDir, 'config') },
  });
  if (run.code !== 0) throw new Error(`keys add failed: ${run.stderr}`);
  return run.stdout.trim();
}

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = unknown>(
  server: { url: string },
  method: string,
  route: string,
  options: {
    key?: string | null;
    authorization?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  else if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${route}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // NDJSON, CSV or empty: the text is the body.
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

export function ndjson<T = Record<string, unknown>>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}
