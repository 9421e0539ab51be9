// A mail server of the test world run as a child: its output kept for error messages, stopped
// with SIGTERM (SIGKILL to the daemon's own pid after 5 s), and stopped too if the test process
// exits first. The caller wraps the daemon in `setpriv --pdeathsig` so even a SIGKILL of the
// test process takes it down.

import type { ChildProcessByStdio } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export interface Daemon {
  /** The last 100,000 characters the child printed. */
  output(): string;
  /** The child is gone (exited, or could not start). */
  hasExited(): boolean;
  /** Stops the child; safe to call twice. */
  stop(): Promise<void>;
}

export function superviseDaemon(child: ChildProcessByStdio<null, Readable, Readable>, pidFile: string): Daemon {
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-100_000);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const killOnExit = () => child.kill('SIGTERM');
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      process.off('exit', killOnExit);
      resolve();
    });
    child.once('error', (err) => {
      append(Buffer.from(`spawn failed: ${err.message}\n`));
      resolve();
    });
  });

  const killHard = async () => {
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    child.kill('SIGKILL');
  };
  let stopped = false;
  return {
    output: () => output,
    hasExited: () => child.exitCode !== null,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => void killHard(), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
