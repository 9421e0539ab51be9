import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InstallEnvironment } from '../../native-host/src/install/environment.js';
import { runInstall } from '../../native-host/src/install/install-command.js';
import { statOnDisk, writableByOthers, type Owner } from '../../native-host/src/install/launcher-safety.js';

const rootDir = (mode = 0o755): Owner => ({ uid: 0, gid: 0, mode: 0o040000 | mode, isDirectory: true });
const rootFile = (mode = 0o755): Owner => ({ uid: 0, gid: 0, mode: 0o100000 | mode, isDirectory: false });

/** A file system described by a table; anything not in it does not exist. */
function fs(table: Record<string, Owner>) {
  return (file: string) => table[file] ?? null;
}

const SAFE = {
  '/': rootDir(),
  '/usr': rootDir(),
  '/usr/bin': rootDir(),
  '/usr/bin/node': rootFile(),
  '/usr/lib': rootDir(),
  '/usr/lib/node_modules': rootDir(),
  '/usr/lib/node_modules/mxlens.mjs': rootFile(0o644),
};
const CHAIN = ['/usr/local/lib/mxlens/mxlens-host', '/usr/bin/node', '/usr/lib/node_modules/mxlens.mjs'];

describe('writableByOthers', () => {
  it('finds nothing in a chain only root can change (missing folders are created by root)', () => {
    expect(writableByOthers(CHAIN, fs(SAFE))).toEqual([]);
  });

  it('refuses a host script a user owns', () => {
    const table = { ...SAFE, '/usr/lib/node_modules/mxlens.mjs': { ...rootFile(0o644), uid: 1000 } };
    expect(writableByOthers(CHAIN, fs(table))).toEqual([
      { path: '/usr/lib/node_modules/mxlens.mjs', level: 'refuse', why: 'owned by uid 1000, not root' },
    ]);
  });

  it('refuses a world-writable folder above the Node binary', () => {
    const table = { ...SAFE, '/usr/bin': rootDir(0o777) };
    expect(writableByOthers(CHAIN, fs(table))).toEqual([
      { path: '/usr/bin', level: 'refuse', why: 'writable by every user' },
    ]);
  });

  it("accepts root's sticky folders (/tmp), and warns about a group-writable one", () => {
    const sticky = { ...SAFE, '/usr/lib': rootDir(0o1777) };
    expect(writableByOthers(CHAIN, fs(sticky))).toEqual([]);
    const group = { ...SAFE, '/usr/lib': { ...rootDir(0o775), gid: 50 } };
    expect(writableByOthers(CHAIN, fs(group))).toEqual([
      { path: '/usr/lib', level: 'warn', why: 'writable by group 50' },
    ]);
  });
});

describe('statOnDisk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mxlens-launcher-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sees a world-writable folder on the real file system', () => {
    const script = path.join(dir, 'mxlens.mjs');
    writeFileSync(script, '');
    chmodSync(dir, 0o777);
    const findings = writableByOthers([script], statOnDisk);
    expect(findings.map((f) => f.path)).toContain(dir);
    expect(findings.find((f) => f.path === dir)!.level).toBe('refuse');
  });
});

describe('install --system', () => {
  let errors: string;
  beforeEach(() => {
    errors = '';
    vi.spyOn(process.stderr, 'write').mockImplementation(
      (chunk: string | Uint8Array) => ((errors += String(chunk)), true),
    );
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  const environment = (table: Record<string, Owner>): InstallEnvironment => ({
    platform: 'linux',
    home: '/home/u',
    env: { PATH: '' },
    nodePath: '/usr/bin/node',
    hostScript: process.execPath, // exists, so install gets as far as the check
    exists: () => false,
    isExecutable: () => false,
    statOf: fs({ ...table, [process.execPath]: table['/usr/lib/node_modules/mxlens.mjs']! }),
  });

  it('refuses, writing nothing, when a non-root user could change what every browser runs', async () => {
    const table = { ...SAFE, '/usr/lib/node_modules/mxlens.mjs': { ...rootFile(0o644), uid: 1000 } };
    expect(await runInstall(['--system', '--browser', 'chrome', '--dry-run'], environment(table))).toBe(1);
    expect(errors).toContain('refusing a system-wide install');
    expect(errors).toContain(`${process.execPath}: owned by uid 1000, not root`);
  });

  it('goes ahead when only root can change it', async () => {
    expect(await runInstall(['--system', '--browser', 'chrome', '--dry-run'], environment(SAFE))).toBe(0);
    expect(errors).toBe('');
  });
});
