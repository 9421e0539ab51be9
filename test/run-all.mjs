#!/usr/bin/env node
// `npm test`: check/install the system programs, build, then run every vitest project inside a
// loopback-only network namespace. Extra arguments go to vitest (`npm test -- test/unit/x.test.ts`).
// Ends with one line `N passed, N failed[, N skipped]` and vitest's exit code.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
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

// (1) System programs: never skip a suite silently.
function ensureSystemPrograms() {
  const missing = systemPackages().filter(([program]) => !findProgram(program));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  const programs = missing.map(([program]) => program).join(', ');
  if (!isRoot) {
    console.error(`run-all: missing ${programs}. Install the Debian packages: sudo apt-get install -y ${packages.join(' ')}`);
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
  const still = missing.filter(([program]) => !findProgram(program));
  if (still.length) {
    console.error(`run-all: still missing after install: ${still.map(([p]) => p).join(', ')}`);
    process.exit(1);
  }
}

// (3) All vitest projects inside a loopback-only namespace.
function runVitest() {
  const resultsDir = path.join(root, 'test-results');
  const jsonFile = path.join(resultsDir, 'vitest.json');
  mkdirSync(resultsDir, { recursive: true });
  rmSync(jsonFile, { force: true });
  const vitest = path.join(root, 'node_modules/.bin/vitest');
  const vitestArgs = ['run', '--reporter=default', '--reporter=json', `--outputFile=${path.relative(root, jsonFile)}`, ...extraArgs];
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
// (2) Build the native host.
must('npm', ['run', 'build']);
process.exit(runVitest());
