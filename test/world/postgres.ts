// A real PostgreSQL (Debian's postgresql package) for the distributed-mode tests: a cluster made
// by initdb in a temp folder, listening on loopback only, run as a child (as the user postgres
// when the tests run as root: PostgreSQL refuses to run as root). It can be stopped and started
// again on the same data, for fault tests.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { superviseDaemon, type Daemon } from './daemon.js';

const POSTGRES_PORT = 55432;
const HOST = '127.0.0.1';
const SUPERUSER = 'mxlens';

export interface PostgresHandle {
  port: number;
  /** A new, empty database: its URL. */
  createDatabase(name: string): Promise<string>;
  /** A client of `url` for the test's own reads (close it with end()). */
  connect(url: string): Promise<pg.Client>;
  /**
   * Fast shutdown (SIGINT): open transactions are rolled back, clients disconnected. Immediate
   * (SIGQUIT): every process quits at once, as in a crash; the next start recovers.
   */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts again on the same data (nothing to do while it runs). */
  start(): Promise<void>;
  /** Stops and removes the data folder. */
  remove(): Promise<void>;
}

/** The folder of initdb and postgres: the newest version Debian installed. */
function postgresBinDir(): string {
  const versions = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
    : [];
  const found = versions
    .map((version) => `/usr/lib/postgresql/${version}/bin`)
    .find((dir) => existsSync(path.join(dir, 'postgres')));
  if (!found) throw new Error('PostgreSQL is not installed (Debian package postgresql; see test/system-packages.txt)');
  return found;
}

/** Runs as the user postgres when we are root; as ourselves otherwise. */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  const isRoot = process.getuid?.() === 0;
  const user = isRoot ? ['--reuid', 'postgres', '--regid', 'postgres', '--clear-groups'] : [];
  return ['setpriv', [...user, '--pdeathsig', 'TERM', '--', command, ...args]];
}

export async function startPostgres(port = POSTGRES_PORT): Promise<PostgresHandle> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mxlens-pg-'));
  if (process.getuid?.() === 0) chownSync(dir, idOf('-u'), idOf('-g'));
  const dataDir = path.join(dir, 'data');
  const [initCommand, initArgs] = asPostgresUser(path.join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    SUPERUSER,
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const init = spawnSync(initCommand, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr || init.error?.message}`);

  let running: { daemon: Daemon; child: ChildProcess } | null = null;
  const start = async () => {
    if (running) return;
    const [command, args] = asPostgresUser(path.join(bin, 'postgres'), [
      '-D',
      dataDir,
      '-k',
      dir,
      '-p',
      String(port),
      '-c',
      `listen_addresses=${HOST}`,
      '-c',
      'fsync=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'synchronous_commit=off',
    ]);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const daemon = superviseDaemon(child, path.join(dataDir, 'postmaster.pid'));
    running = { daemon, child };
    await new Promise<void>((resolve, reject) => {
      const watch = (chunk: Buffer) => {
        if (chunk.toString().includes('ready to accept connections')) done(null);
      };
      const done = (error: Error | null) => {
        child.stderr.off('data', watch);
        child.off('exit', exited);
        if (error) reject(error);
        else resolve();
      };
      const exited = () => done(new Error(`postgres exited before it was ready:\n${daemon.output()}`));
      child.stderr.on('data', watch);
      child.once('exit', exited);
    });
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    // SIGINT is postgres's "fast shutdown"; the SIGTERM of superviseDaemon would be "smart",
    // which waits for every client to leave. (setpriv execs postgres: the child is the postmaster.)
    const current = running;
    running = null;
    if (!current) return;
    current.child.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    await current.daemon.stop();
  };
  await start();

  const url = (database: string) => `postgres://${SUPERUSER}@${HOST}:${port}/${database}`;
  return {
    port,
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    async connect(databaseUrl) {
      const client = new pg.Client({ connectionString: databaseUrl });
      client.on('error', () => {}); // the server may be stopped under it: that is the test
      await client.connect();
      return client;
    },
    stop,
    start,
    async remove() {
      await stop();
      if (!process.env.MXLENS_KEEP_WORLD) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function idOf(flag: '-u' | '-g'): number {
  return Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
}
