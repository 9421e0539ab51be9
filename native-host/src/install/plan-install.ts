// Planning an install: which launcher and which host manifests go where, for which browsers, and
// (on Windows) which registry keys name them. Pure over the environment: tests check the plan for
// any system; apply-install.ts does it.

import { UsageError } from '../cli/usage-error.js';
import {
  BROWSERS,
  browserById,
  detectBrowsers,
  existsIn,
  manifestFolders,
  pathsFor,
  registryKeys,
  type Browser,
  type BrowserFamily,
  type BrowserId,
  type Scope,
} from './browsers.js';
import type { InstallEnvironment } from './environment.js';
import { launcherFileName, launcherText, mxlensFolder } from './launcher.js';
import { HOST_NAME, hostManifest, manifestText, type ExtraExtensions } from './manifest.js';

export interface FileTarget {
  kind: 'launcher' | 'manifest';
  path: string;
  /** For manifests: the browsers reading this file. */
  browsers: BrowserId[];
  family?: BrowserFamily;
}

export interface WriteTarget extends FileTarget {
  text: string;
}

interface RegistryTarget {
  key: string;
  /** The manifest path the key's default value names. */
  value: string;
  browsers: BrowserId[];
}

export interface InstallPlan {
  platform: NodeJS.Platform;
  scope: Scope;
  dir: string | null;
  browsers: Browser[];
  /** Where the launcher goes (the MX Lens folder, or --dir). */
  folder: string;
  launcher: WriteTarget;
  manifests: WriteTarget[];
  registry: RegistryTarget[];
  notes: string[];
}

export interface InstallRequest {
  /** null: the browsers found on this machine (with --dir: Chromium-family). */
  browsers: BrowserId[] | 'all' | null;
  scope: Scope;
  dir: string | null;
  extra: ExtraExtensions;
}

/** On Windows both families' manifests share the MX Lens folder: Firefox's gets its own name. */
export const FIREFOX_MANIFEST_ON_WINDOWS = `${HOST_NAME}.firefox.json`;

export function planInstall(env: InstallEnvironment, request: InstallRequest): InstallPlan {
  const p = pathsFor(env.platform);
  const exists = existsIn(env);
  const notes: string[] = [];
  const launcherFor = (folder: string): WriteTarget => ({
    kind: 'launcher',
    path: p.join(folder, launcherFileName(env.platform)),
    text: launcherText(env.platform, env.nodePath, env.hostScript),
    browsers: [],
  });
  const manifestFor = (
    family: BrowserFamily,
    file: string,
    browsers: BrowserId[],
    launcherPath: string,
  ): WriteTarget => ({
    kind: 'manifest',
    path: file,
    text: manifestText(hostManifest(family, launcherPath, request.extra)),
    browsers,
    family,
  });

  if (request.dir !== null) {
    const dir = p.resolve(request.dir);
    const browsers =
      request.browsers === null ? [] : request.browsers === 'all' ? [...BROWSERS] : request.browsers.map(browserById);
    const families = new Set(browsers.map((browser) => browser.family));
    if (families.size > 1) {
      throw new UsageError('--dir holds one manifest: name only Chromium-family browsers, or only Firefox');
    }
    const family: BrowserFamily = families.has('firefox') ? 'firefox' : 'chromium';
    const launcher = launcherFor(dir);
    const manifest = manifestFor(
      family,
      p.join(dir, `${HOST_NAME}.json`),
      browsers.map((b) => b.id),
      launcher.path,
    );
    if (env.platform === 'win32')
      notes.push(
        'On Windows browsers find hosts through the registry only; --dir writes the files and registers nothing.',
      );
    return {
      platform: env.platform,
      scope: request.scope,
      dir,
      browsers,
      folder: dir,
      launcher,
      manifests: [manifest],
      registry: [],
      notes,
    };
  }

  const browsers = selectForInstall(env, request.browsers);
  const folder = mxlensFolder(request.scope, env);
  const launcher = launcherFor(folder);
  const planWith = (manifests: WriteTarget[], registry: RegistryTarget[]): InstallPlan => ({
    platform: env.platform,
    scope: request.scope,
    dir: null,
    browsers,
    folder,
    launcher,
    manifests,
    registry,
    notes,
  });

  if (env.platform === 'win32') {
    const files: Record<BrowserFamily, string> = {
      chromium: p.join(folder, `${HOST_NAME}.json`),
      firefox: p.join(folder, FIREFOX_MANIFEST_ON_WINDOWS),
    };
    const manifests: WriteTarget[] = [];
    for (const family of ['chromium', 'firefox'] as const) {
      const readers = browsers.filter((browser) => browser.family === family).map((browser) => browser.id);
      if (readers.length > 0) manifests.push(manifestFor(family, files[family], readers, launcher.path));
    }
    const registry = new Map<string, RegistryTarget>();
    for (const browser of browsers) {
      for (const key of registryKeys(browser, request.scope, HOST_NAME)) {
        const entry = registry.get(key) ?? { key, value: files[browser.family], browsers: [] };
        entry.browsers.push(browser.id);
        registry.set(key, entry);
      }
    }
    return planWith(manifests, [...registry.values()]);
  }

  // Linux and macOS: one manifest file per folder the browser reads (some folders are shared).
  const byPath = new Map<string, WriteTarget>();
  for (const browser of browsers) {
    for (const folder of manifestFolders(browser, request.scope, env)) {
      if (folder.optional && !exists(p.dirname(folder.path))) continue;
      const file = p.join(folder.path, `${HOST_NAME}.json`);
      const known = byPath.get(file);
      if (known) {
        if (known.family !== browser.family)
          throw new Error(`browser table error: ${file} is read by browsers of two families`);
        known.browsers.push(browser.id);
      } else {
        byPath.set(file, manifestFor(browser.family, file, [browser.id], launcher.path));
      }
    }
  }
  return planWith([...byPath.values()], []);
}

function selectForInstall(env: InstallEnvironment, wanted: BrowserId[] | 'all' | null): Browser[] {
  if (wanted === 'all') return [...BROWSERS];
  if (wanted !== null) return wanted.map(browserById);
  const found = detectBrowsers(env).map((detected) => detected.browser);
  if (found.length === 0) {
    throw new UsageError(
      `no supported browser found on this machine (${BROWSERS.map((b) => b.name).join(', ')}); ` +
        'name one with --browser NAME, or register with every one: --browser all',
    );
  }
  return found;
}

/** The reg.exe commands that register the host (run only on Windows). */
export function registryAddCommands(plan: InstallPlan): string[][] {
  return plan.registry.map(({ key, value }) => ['add', key, '/ve', '/t', 'REG_SZ', '/d', value, '/f']);
}
