import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The quick start's first command, without a window: builds, registers the host, checks the setup.
const root = fileURLToPath(new URL('../..', import.meta.url));
const home = mkdtempSync(path.join(tmpdir(), 'mxlens-start-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('npm start --no-browser', () => {
  it('builds, registers the host for the browsers found and says how to load the extension', () => {
    const env = {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: '',
      XDG_STATE_HOME: '',
      MXLENS_DNS: '127.0.0.1:9',
      DISPLAY: '',
    };
    const run = spawnSync(process.execPath, ['scripts/start.mjs', '--no-browser'], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status).toBe(0);
    expect(existsSync(path.join(root, 'dist/chrome/manifest.json'))).toBe(true);
    expect(run.stdout).toContain(path.join(root, 'dist/chrome'));
    expect(run.stdout).toMatch(/Load Temporary Add-on/);
    const manifest = JSON.parse(
      readFileSync(path.join(home, '.config/chromium/NativeMessagingHosts/io.mxlens.host.json'), 'utf8'),
    );
    expect(manifest).toMatchObject({ name: 'io.mxlens.host', type: 'stdio' });
    expect(run.stdout).toMatch(/Host answers/);
  });

  it('shows the last lines of stderr of a browser that exits early, and starts Chromium as root with --no-sandbox', () => {
    // A display that does not exist: the real Chromium starts, finds no X server and exits.
    const env = {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: '',
      XDG_DATA_HOME: '',
      XDG_STATE_HOME: '',
      MXLENS_DNS: '127.0.0.1:9',
      DISPLAY: ':97',
      WAYLAND_DISPLAY: '',
    };
    const run = spawnSync(process.execPath, ['scripts/start.mjs', '--browser', '/usr/bin/chromium'], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, run.stdout).toBe(1);
    expect(run.stderr).toMatch(/\/usr\/bin\/chromium exited with code \d+ after \d+ s\. Its last lines of stderr:/);
    expect(run.stderr).toMatch(/Missing X server or \$DISPLAY/);
    const asRoot = process.getuid?.() === 0;
    expect(run.stderr.includes('WARNING: running as root'), run.stderr).toBe(asRoot);
    // Without --no-sandbox, Chromium run by root would have stopped on that before the display.
    expect(run.stderr).not.toMatch(/Running as root without --no-sandbox is not supported/);
  });
});
