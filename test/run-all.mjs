#!/usr/bin/env node
// `npm test`: check/install the system programs, build, then run every vitest project inside a
// loopback-only network namespace. Extra arguments go to vitest (`npm test -- test/unit/x.test.ts`).
// Ends with one line `N passed, N failed[, N skipped]` and vitest's exit code.

import { spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isRoot = process.getuid?.() === 0;
const extraArgs = process.argv.slice(2);

/** [program, debianPackage] pairs from test/system-packages.txt (the one list). */
function systemPackages() {
  return readFileSync(path.join(root, 'test/system-packages.txt'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((line) => line.split(/\s+/));
}

function findProgram(name) {
  if (path.isAbsolute(name)) return existsSync(name); // a data file (a font), not a program
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

function sh(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw result.error;
  return result.status ?? (result.signal ? 128 : 1);
}

function must(command, args, options) {
  const status = sh(command, args, options);
  if (status !== 0) {
    console.error(`run-all: \`${[command, ...args].join(' ')}\` failed (exit ${status})`);
    process.exit(status);
  }
}

let sharedLibraries;
/** `lib:NAME` entries: is the shared library NAME in the linker cache? */
function findLibrary(name) {
  if (sharedLibraries === undefined) {
    const cache = spawnSync('ldconfig', ['-p'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` },
    });
    sharedLibraries = new Set((cache.stdout ?? '').split('\n').map((line) => line.trim().split(' ')[0]));
  }
  return sharedLibraries.has(name);
}

function isPresent(entry) {
  return entry.startsWith('lib:') ? findLibrary(entry.slice(4)) : findProgram(entry);
}

// (1) System programs: never skip a suite silently.
function ensureSystemPrograms() {
  const missing = systemPackages().filter(([program]) => !isPresent(program));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  const programs = missing.map(([program]) => program).join(', ');
  if (!isRoot) {
    console.error(
      `run-all: missing ${programs}. Install the Debian packages: sudo apt-get install -y ${packages.join(' ')}`,
    );
    process.exit(1);
  }
  console.log(`run-all: installing ${packages.join(' ')} (missing: ${programs})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  must('apt-get', ['update'], { env });
  must('debconf-set-selections', [], {
    env,
    input: 'postfix postfix/main_mailer_type select No configuration\n',
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  must('apt-get', ['install', '-y', ...packages], { env });
  sharedLibraries = undefined;
  const still = missing.filter(([program]) => !isPresent(program));
  if (still.length) {
    console.error(`run-all: still missing after install: ${still.map(([p]) => p).join(', ')}`);
    process.exit(1);
  }
}

// (1b) Exim for test/world/exim.ts: its package conflicts with postfix, so it is unpacked, never
// installed. The same folder as EXIM_ROOT in test/world/exim.ts.
const eximRoot = path.join(root, '.cache/test-world/exim4-daemon-light');
const eximBin = path.join(eximRoot, 'usr/sbin/exim4');

function ensureExim() {
  if (existsSync(eximBin)) return;
  const byHand = `apt-get download exim4-daemon-light && dpkg-deb -x exim4-daemon-light_*.deb ${eximRoot} && chmod u-s ${eximBin}`;
  if (!isRoot) {
    console.error(
      `run-all: Exim is missing (${eximBin}). Run \`npm test\` once as root (it fetches it), or as root: ${byHand}`,
    );
    process.exit(1);
  }
  console.log('run-all: fetching exim4-daemon-light (unpacked into .cache/, not installed)');
  const work = mkdtempSync(path.join(os.tmpdir(), 'mxlens-exim-deb-'));
  try {
    // apt's sandbox user cannot write into a private temp folder; root downloads it itself.
    const download = ['download', '-o', 'APT::Sandbox::User=root', 'exim4-daemon-light'];
    if (sh('apt-get', download, { cwd: work }) !== 0) {
      must('apt-get', ['update']);
      must('apt-get', download, { cwd: work });
    }
    const deb = readdirSync(work).find((name) => name.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download left no .deb in ${work}`);
    // Unpack next to the target and rename, so a half-unpacked tree never counts as ready.
    const partial = `${eximRoot}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(path.dirname(eximRoot), { recursive: true });
    must('dpkg-deb', ['-x', path.join(work, deb), partial]);
    // The package installs exim4 setuid root; the test world runs it as root anyway.
    chmodSync(path.join(partial, 'usr/sbin/exim4'), 0o755);
    const ldd = spawnSync('ldd', [path.join(partial, 'usr/sbin/exim4')], { encoding: 'utf8' });
    const unresolved = (ldd.stdout ?? '').split('\n').filter((line) => line.includes('not found'));
    if (unresolved.length) {
      console.error(
        `run-all: exim4 lacks shared libraries (add their packages to test/system-packages.txt):\n${unresolved.join('\n')}`,
      );
      process.exit(1);
    }
    renameSync(partial, eximRoot);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// (3) All vitest projects inside a loopback-only namespace.
function runVitest() {
  const resultsDir = path.join(root, 'test-results');
  const jsonFile = path.join(resultsDir, 'vitest.json');
  mkdirSync(resultsDir, { recursive: true });
  rmSync(jsonFile, { force: true });
  const vitest = path.join(root, 'node_modules/.bin/vitest');
  const vitestArgs = [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile=${path.relative(root, jsonFile)}`,
    ...extraArgs,
  ];
  const unshareArgs = [
    isRoot ? '-n' : '-rn',
    '--',
    'sh',
    '-c',
    // The loopback interface starts down in a new namespace.
    'ip link set lo up && exec "$@"',
    'sh',
    vitest,
    ...vitestArgs,
  ];
  // dnsmasq, postfix and ip live in sbin folders, which a non-login PATH may lack.
  const PATH = [process.env.PATH, '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean).join(':');
  const status = sh('unshare', unshareArgs, { env: { ...process.env, PATH } });
  printSummary(jsonFile);
  return status;
}

function printSummary(jsonFile) {
  if (!existsSync(jsonFile)) {
    console.error(`run-all: vitest wrote no results to ${jsonFile}`);
    console.log('\n0 passed, 1 failed');
    return;
  }
  const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
  const passed = report.numPassedTests ?? 0;
  // A file that failed without any failing test (import error, hook failure) counts as one failure.
  const brokenFiles = (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed'),
  ).length;
  const failed = (report.numFailedTests ?? 0) + brokenFiles;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
}

ensureSystemPrograms();
ensureExim();
// (2) Build the native host.
must('npm', ['run', 'build']);
process.exit(runVitest());
