// Planning and doing an uninstall: remove exactly the manifests, registry keys, launcher and
// folders install made, keep what a browser not being uninstalled still reads, and never touch
// a file that is not ours.

import { existsSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import {
  BROWSERS,
  browserById,
  manifestFolders,
  pathsFor,
  registryKeys,
  type Browser,
  type BrowserId,
  type Scope,
  type SystemContext,
} from './browsers.js';
import type { InstallEnvironment } from './environment.js';
import {
  failure,
  readRecord,
  readText,
  RECORD_FILE,
  reportOf,
  writeRecord,
  type Step,
  type Report,
} from './host-files.js';
import { isOurLauncher, launcherFileName, mxlensFolder } from './launcher.js';
import { HOST_NAME, parseOurManifest } from './manifest.js';
import { FIREFOX_MANIFEST_ON_WINDOWS, type FileTarget } from './plan-install.js';

export interface UninstallRequest {
  /** null: every browser. */
  browsers: BrowserId[] | null;
  scope: Scope;
  dir: string | null;
}

export interface UninstallPlan {
  platform: NodeJS.Platform;
  scope: Scope;
  dir: string | null;
  folder: string;
  launcher: string;
  /** Manifest files to remove (when present and ours). */
  manifests: FileTarget[];
  /** Files and keys left because a browser not being uninstalled reads them too. */
  kept: Array<{ target: string; reason: string }>;
  /** Registry keys to delete (Windows). */
  registry: Array<{ key: string; browsers: BrowserId[] }>;
}

/** Every place an MX Lens manifest for `browser` may be, for a scope (files only). */
export function candidateManifestFiles(browser: Browser, scope: Scope, ctx: SystemContext): string[] {
  const p = pathsFor(ctx.platform);
  if (ctx.platform === 'win32') {
    const folder = mxlensFolder(scope, ctx);
    return [p.join(folder, browser.family === 'firefox' ? FIREFOX_MANIFEST_ON_WINDOWS : `${HOST_NAME}.json`)];
  }
  return manifestFolders(browser, scope, ctx).map((folder) => p.join(folder.path, `${HOST_NAME}.json`));
}

export function planUninstall(env: SystemContext, request: UninstallRequest): UninstallPlan {
  const p = pathsFor(env.platform);
  if (request.dir !== null) {
    const dir = p.resolve(request.dir);
    return {
      platform: env.platform,
      scope: request.scope,
      dir,
      folder: dir,
      launcher: p.join(dir, launcherFileName(env.platform)),
      manifests: [{ kind: 'manifest', path: p.join(dir, `${HOST_NAME}.json`), browsers: [] }],
      kept: [],
      registry: [],
    };
  }

  const selected = new Set<BrowserId>(request.browsers ?? BROWSERS.map((browser) => browser.id));
  const readersOf = new Map<string, BrowserId[]>();
  const add = (map: Map<string, BrowserId[]>, target: string, id: BrowserId) =>
    map.set(target, [...(map.get(target) ?? []), id]);
  for (const browser of BROWSERS) {
    for (const file of candidateManifestFiles(browser, request.scope, env)) add(readersOf, file, browser.id);
  }
  const keyReaders = new Map<string, BrowserId[]>();
  if (env.platform === 'win32') {
    for (const browser of BROWSERS)
      for (const key of registryKeys(browser, request.scope, HOST_NAME)) add(keyReaders, key, browser.id);
  }

  const kept: UninstallPlan['kept'] = [];
  const stillWanted = (readers: BrowserId[]) => readers.filter((id) => !selected.has(id));
  const manifests: FileTarget[] = [];
  for (const [file, readers] of readersOf) {
    if (!readers.some((id) => selected.has(id))) continue;
    const others = stillWanted(readers);
    if (others.length > 0) {
      kept.push({
        target: file,
        reason: `${others.map((id) => browserById(id).name).join(', ')} read${others.length === 1 ? 's' : ''} it too`,
      });
    } else {
      manifests.push({ kind: 'manifest', path: file, browsers: readers });
    }
  }
  const registry: UninstallPlan['registry'] = [];
  for (const [key, readers] of keyReaders) {
    if (!readers.some((id) => selected.has(id))) continue;
    const others = stillWanted(readers);
    if (others.length > 0)
      kept.push({
        target: key,
        reason: `${others.map((id) => browserById(id).name).join(', ')} read${others.length === 1 ? 's' : ''} it too`,
      });
    else registry.push({ key, browsers: readers });
  }

  const folder = mxlensFolder(request.scope, env);
  return {
    platform: env.platform,
    scope: request.scope,
    dir: null,
    folder,
    launcher: p.join(folder, launcherFileName(env.platform)),
    manifests,
    kept,
    registry,
  };
}

export function registryDeleteCommands(plan: UninstallPlan): string[][] {
  return plan.registry.map(({ key }) => ['delete', key, '/f']);
}

export function applyUninstall(plan: UninstallPlan, env: InstallEnvironment, dryRun = false): Report {
  const p = pathsFor(env.platform);
  const steps: Step[] = [];
  const remove = (file: string, isOurs: (text: string) => boolean, detail: string) => {
    const text = readText(file);
    if (text === null) return;
    if (!isOurs(text)) {
      steps.push({ outcome: 'not ours', target: file, detail: 'not an MX Lens file; left alone' });
      return;
    }
    if (!dryRun) {
      try {
        unlinkSync(file);
      } catch (error) {
        steps.push({ outcome: 'failed', target: file, detail: failure(error, plan.scope) });
        return;
      }
    }
    steps.push({ outcome: 'removed', target: file, detail });
  };

  for (const manifest of plan.manifests) {
    const names = manifest.browsers.map((id) => browserById(id).name).join(', ');
    remove(manifest.path, (text) => parseOurManifest(text) !== null, names);
  }
  for (const { target, reason } of plan.kept) {
    if (target.startsWith('HK') || readText(target) !== null) steps.push({ outcome: 'kept', target, detail: reason });
  }
  for (const args of registryDeleteCommands(plan)) {
    const step: Step = { outcome: 'removed', target: args[1]!, detail: `reg.exe ${args.join(' ')}` };
    if (!dryRun && env.platform === 'win32') {
      try {
        env.runReg?.(args);
      } catch {
        // reg.exe fails when the key is not there: nothing to remove.
        continue;
      }
    }
    steps.push(step);
  }

  const removedNow = new Set(steps.filter((step) => step.outcome === 'removed').map((step) => step.target));
  if (!launcherStillNamed(plan, env, removedNow)) remove(plan.launcher, isOurLauncher, 'launcher');
  if (plan.dir === null && !dryRun) removeCreatedFolders(plan, p.join(plan.folder, RECORD_FILE));
  return reportOf(steps);
}

/** The launcher stays while a manifest of ours (for any browser) still points at it. */
function launcherStillNamed(plan: UninstallPlan, env: SystemContext, removedNow: Set<string>): boolean {
  if (plan.dir !== null) return false;
  return BROWSERS.flatMap((browser) => candidateManifestFiles(browser, plan.scope, env)).some((file) => {
    if (removedNow.has(file)) return false;
    const manifest = parseOurManifest(readText(file) ?? '');
    return manifest !== null && manifest.path === plan.launcher;
  });
}

/** Folders install created, now empty, go too; the record of them goes with the launcher. */
function removeCreatedFolders(plan: UninstallPlan, record: string): void {
  const folders = readRecord(record);
  const launcherGone = !existsSync(plan.launcher);
  if (launcherGone && existsSync(record)) unlinkSync(record);
  const left = folders
    .sort((a, b) => b.length - a.length)
    .filter((folder) => {
      try {
        if (readdirSync(folder).length > 0) return true;
        rmdirSync(folder);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code !== 'ENOENT';
      }
    });
  if (!launcherGone && left.length !== folders.length) writeRecord(record, left);
}
