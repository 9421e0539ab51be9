import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// A real `mxlens worker` process (the built bundle): started, waited for until it says it is
// ready, stopped by signal (SIGKILL for the "worker dies mid-batch" tests).

const BIN = fileURLToPath(new URL('../../native-host/bin/mxlens.mjs', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

export async function startWorker(redisUrl: string, args: string[], env: NodeJS.ProcessEnv): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', redisUrl, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('mxlens worker: ready')) resolve();
    });
    void exited.then((code) => reject(new Error(`mxlens worker exited (${code}) before it was ready:\n${text}`)));
  });
  return {
    child,
    stderr: () => text,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
