// The extension, built once per run from the current sources by the global setup
// (test/harness/global-setup.ts) into a temporary folder, so the suite tests what is in the tree
// and never races another build of dist/. Browser files get the run's build with builtExtension().

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

declare module 'vitest' {
  interface ProvidedContext {
    extensionBuild: { ok: true; dir: string } | { ok: false; problem: string };
  }
}

export interface ExtensionBuild {
  /** The unpacked Chrome build (load this in Chromium). */
  chrome: string;
  /** The unpacked Firefox build (install it as a temporary add-on). */
  firefox: string;
}

/** Builds the extension (extension/vite.config.ts) into a new temporary folder. */
export function buildExtension(): ExtensionBuild & { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mxlens-e2e-extension-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const run = spawnSync(
    process.execPath,
    [path.join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'extension/vite.config.ts'],
    {
      cwd: REPO,
      env: { ...process.env, MXLENS_EXTENSION_OUT: dir },
      encoding: 'utf8',
      timeout: 110_000,
    },
  );
  if (run.status !== 0) {
    cleanup();
    throw new Error(
      `the extension build failed (exit ${String(run.status ?? run.signal)}):\n${run.stdout}\n${run.stderr}`,
    );
  }
  const build = buildsIn(dir);
  for (const folder of [build.chrome, build.firefox]) {
    if (!existsSync(path.join(folder, 'manifest.json'))) {
      cleanup();
      throw new Error(`the extension build wrote no ${folder}/manifest.json`);
    }
  }
  return { ...build, dir, cleanup };
}

/** The run's build of the extension, made by the global setup. */
export function builtExtension(): ExtensionBuild {
  const build = inject('extensionBuild');
  if (!build)
    throw new Error(
      'the extension was not built: run the file through `npm test` (the global setup of vitest.config.ts builds it)',
    );
  if (!build.ok) throw new Error(`the extension build failed: ${build.problem}`);
  return buildsIn(build.dir);
}

const buildsIn = (dir: string): ExtensionBuild => ({
  chrome: path.join(dir, 'chrome'),
  firefox: path.join(dir, 'firefox'),
});
