// A real redis-server (Debian's) for the distributed mode's tests: on loopback, its data in a
// temp folder, with an append-only file so that a restart keeps the queue (as a packaged Redis
// with persistence does). Stopped by PID; it dies with the test process (setpriv --pdeathsig).

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';

export interface RedisHandle {
  url: string;
  port: number;
  /** Stops the server (SIGTERM: it writes its data and exits). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes its data; safe to call twice. */
  remove(): Promise<void>;
}

export async function startRedis(): Promise<RedisHandle> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mxlens-redis-'));
  const port = await freePort();
  let child: ChildProcessByStdio<null, Readable, Readable> | null = null;
  let output = '';

  const start = async () => {
    const args = [
      '--pdeathsig',
      'KILL',
      '--',
      'redis-server',
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
    ];
    args.push(
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--protected-mode',
      'no',
      '--daemonize',
      'no',
    );
    const started = spawn('setpriv', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-50_000);
        if (output.includes('Ready to accept connections')) resolve();
      };
      started.stdout.on('data', onData);
      started.stderr.on('data', onData);
      started.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
    });
    output = '';
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    await exited;
  };
  const killOnExit = () => child?.kill('SIGKILL');
  process.on('exit', killOnExit);
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    remove: async () => {
      await stop();
      process.off('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
