import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm run package`: the store zips and the npm package of the host, as people get them.
const root = fileURLToPath(new URL('../..', import.meta.url));
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
const packages = path.join(root, 'dist/packages');
const scratch = mkdtempSync(path.join(tmpdir(), 'mxlens-package-'));

function zipEntry(zip: string, entry: string): string {
  const run = spawnSync('unzip', ['-p', path.join(packages, zip), entry], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

beforeAll(() => {
  const run = spawnSync('npm', ['run', 'package'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  expect(run.status, run.stderr).toBe(0);
}, 240_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run package', () => {
  it('makes a Chrome Web Store zip without the development key', () => {
    const manifest = JSON.parse(zipEntry(`mxlens-chrome-${version}.zip`, 'manifest.json'));
    expect(manifest.key).toBeUndefined();
    expect(manifest.version).toBe(version);
    expect(manifest.background).toEqual({ service_worker: 'background.js' });
    const listing = spawnSync('unzip', ['-Z1', path.join(packages, `mxlens-chrome-${version}.zip`)], {
      encoding: 'utf8',
    }).stdout;
    expect(listing).not.toMatch(/\.map$/m);
  });

  it('makes a Firefox .xpi (for AMO, web-ext sign, or Developer Edition unsigned), linted clean by web-ext', () => {
    const manifest = JSON.parse(zipEntry(`mxlens-firefox-${version}.xpi`, 'manifest.json'));
    expect(manifest.version).toBe(version);
    expect(manifest.browser_specific_settings.gecko.id).toBe('mxlens@mxlens.io');
    const lint = spawnSync(
      'npx',
      ['web-ext', 'lint', '--source-dir', path.join(root, 'dist/firefox'), '--output', 'json', '--no-config-discovery'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(lint.status).toBe(0);
    expect(JSON.parse(lint.stdout).summary).toEqual({ errors: 0, notices: 0, warnings: 0 });
  });

  it('makes an npm package whose mxlens installs the host from a clean folder', () => {
    const tarball = path.join(packages, `mxlens-${version}.tgz`);
    // Offline, as the test namespace is: the optional modules of `mxlens serve` cannot be
    // fetched, and npm must skip them at once rather than retry for minutes.
    const env = {
      ...process.env,
      HOME: scratch,
      npm_config_cache: path.join(scratch, 'npm-cache'),
      npm_config_offline: 'true',
    };
    const npx = (...args: string[]) =>
      spawnSync('npx', ['--yes', '--package', tarball, '--', 'mxlens', ...args], {
        cwd: scratch,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });

    const shown = npx('--version');
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout.trim()).toBe(version);

    const hosts = path.join(scratch, 'profile/NativeMessagingHosts');
    const installed = npx('install', '--dir', hosts);
    expect(installed.status, installed.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(hosts, 'io.mxlens.host.json'), 'utf8'));
    const launcher = readFileSync(manifest.path, 'utf8');
    expect(launcher).toContain(path.join(scratch, 'npm-cache'));
    expect(launcher).toContain('dist/host/mxlens.mjs');
  });

  it('installs globally from the tarball, as the extension and README say, with its LICENSE', () => {
    const listing = spawnSync('tar', ['-tzf', path.join(packages, `mxlens-${version}.tgz`)], {
      encoding: 'utf8',
    }).stdout;
    expect(listing.split('\n')).toContain('package/LICENSE');

    // `npm install --global ./mxlens-<version>.tgz && mxlens install`, into a prefix of its own.
    const prefix = path.join(scratch, 'global');
    const env = {
      ...process.env,
      HOME: scratch,
      npm_config_prefix: prefix,
      npm_config_cache: path.join(scratch, 'npm-cache'),
      npm_config_offline: 'true',
    };
    const added = spawnSync('npm', ['install', '--global', `./mxlens-${version}.tgz`], {
      cwd: packages,
      env,
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(added.status, added.stderr).toBe(0);
    const hosts = path.join(scratch, 'global-profile/NativeMessagingHosts');
    const installed = spawnSync(path.join(prefix, 'bin/mxlens'), ['install', '--dir', hosts], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(installed.status, installed.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(hosts, 'io.mxlens.host.json'), 'utf8'));
    expect(readFileSync(manifest.path, 'utf8')).toContain(
      path.join(prefix, 'lib/node_modules/mxlens/dist/host/mxlens.mjs'),
    );
  });
});
