import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { VerificationResult } from '../../native-host/shared/result.js';

const BIN = fileURLToPath(new URL('../../native-host/bin/mxlens.mjs', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as NDJSON (empty when it is not). */
  results: VerificationResult[];
}

/** Runs the real, built `mxlens` command as a child process. */
export function runMxlens(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, results: parseNdjson(stdout) }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** `mxlens verify --json` against the test world's DNS, with private targets allowed (the world's are). */
export const VERIFY_IN_WORLD = ['verify', '--json', '--dns', '127.0.0.1:5353', '--allow-private'];

/** `mxlens verify --json` against the test world's DNS, with private targets allowed. */
export async function verifyInWorld(addresses: string[], extraArgs: string[] = []): Promise<VerificationResult[]> {
  const run = await runMxlens([...VERIFY_IN_WORLD, '--timeout', '5000', ...extraArgs, ...addresses]);
  if (run.code !== 0) throw new Error(`mxlens exited ${run.code}: ${run.stderr}`);
  return run.results;
}

export async function verifyOne(address: string, extraArgs: string[] = []): Promise<VerificationResult> {
  const [result] = await verifyInWorld([address], extraArgs);
  return result!;
}

function parseNdjson(text: string): VerificationResult[] {
  try {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as VerificationResult);
  } catch {
    return [];
  }
}
