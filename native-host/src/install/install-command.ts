import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseStrictArgs, UsageError } from '../cli/usage-error.js';
import {
  BROWSERS,
  browserById,
  detectBrowsers,
  existsIn,
  manifestFolders,
  parseBrowserName,
  pathsFor,
  registryKeys,
  type Browser,
  type BrowserFamily,
  type BrowserId,
  type Scope,
  type SystemContext,
} from './browsers.js';
import { isOurLauncher, launcherFileName, launcherText, mxlensFolder } from './launcher.js';
import { launcherChain, statOnDisk, writableByOthers, type StatOf } from './launcher-safety.js';
import { HOST_NAME, hostManifest, manifestText, parseOurManifest, sortExtensionIds, type ExtraExtensions } from './manifest.js';

// `mxlens install` and `mxlens uninstall`: register the native messaging host with browsers.
// Planning (what goes where) is pure and separate from doing it, so tests can check the plan
// for any system, and the Windows registry commands are produced as a list that is only run
// on Windows.

export const INSTALL_HELP = `Usage: mxlens install [options]
       mxlens uninstall [options]

Registers the MX Lens host (io.mxlens.host) with your browsers, so the extension can start it.
Writes a launcher (which runs this Node on this MX Lens) and one host manifest per browser.
Installing again changes nothing unless something moved; uninstall removes exactly those files.

Options:
  --browser NAME        chrome | chromium | edge | brave | vivaldi | firefox | all (repeatable;
                        default: the browsers found on this machine; uninstall: all)
  --system              for every user of this machine (needs root / administrator)
  --dir DIR             write the manifest and launcher into DIR only (e.g. a test profile's
                        <profile>/NativeMessagingHosts); nothing else is touched
  --extension-id ID     also allow this extension (repeatable): a Chrome Web Store / Edge Add-ons
                        ID (32 letters a-p) or a Firefox add-on ID (name@domain)
  --dry-run             print what would be done, change nothing
`;

// ------------------------------------------------------------------------ context

/** Everything install and uninstall depend on; injectable for tests. */
export interface InstallEnvironment extends SystemContext {
  /** The Node binary the launcher runs (default: the one running now). */
  nodePath: string;
  /** The bundled host, dist/host/mxlens.mjs. */
  hostScript: string;
  /** Runs reg.exe with these arguments (called only when platform is win32). */
  runReg?: (args: string[]) => void;
  /** Owner and mode of a path (default: the real file system); for the --system safety check. */
  statOf?: StatOf;
}

export function currentEnvironment(): InstallEnvironment {
  return {
    platform: process.platform,
    home: homedir(),
    env: process.env,
    nodePath: process.execPath,
    hostScript: bundledHostScript(),
    runReg: (args) => void execFileSync('reg.exe', args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true }),
  };
}

/**
 * dist/host/mxlens.mjs, the bundle's entry. Bundled, this module is a chunk in dist/host/chunks/
 * (native-host/vite.config.ts); from the sources, it is native-host/src/install/.
 */
export function bundledHostScript(): string {
  const bundled = import.meta.url.endsWith('.mjs');
  const script = fileURLToPath(new URL(bundled ? '../mxlens.mjs' : '../../../dist/host/mxlens.mjs', import.meta.url));
  try {
    return realpathSync(script);
  } catch {
    return script;
  }
}

// ------------------------------------------------------------------------ planning

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

export interface RegistryTarget {
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

const FIREFOX_MANIFEST_ON_WINDOWS = `${HOST_NAME}.firefox.json`;
const RECORD_FILE = 'install-record.json';

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
  const manifestFor = (family: BrowserFamily, file: string, browsers: BrowserId[], launcherPath: string): WriteTarget => ({
    kind: 'manifest',
    path: file,
    text: manifestText(hostManifest(family, launcherPath, request.extra)),
    browsers,
    family,
  });

  if (request.dir !== null) {
    const dir = p.resolve(request.dir);
    const browsers = request.browsers === null ? [] : request.browsers === 'all' ? [...BROWSERS] : request.browsers.map(browserById);
    const families = new Set(browsers.map((browser) => browser.family));
    if (families.size > 1) {
      throw new UsageError('--dir holds one manifest: name only Chromium-family browsers, or only Firefox');
    }
    const family: BrowserFamily = families.has('firefox') ? 'firefox' : 'chromium';
    const launcher = launcherFor(dir);
    const manifest = manifestFor(family, p.join(dir, `${HOST_NAME}.json`), browsers.map((b) => b.id), launcher.path);
    if (env.platform === 'win32') notes.push('On Windows browsers find hosts through the registry only; --dir writes the files and registers nothing.');
    return { platform: env.platform, scope: request.scope, dir, browsers, folder: dir, launcher, manifests: [manifest], registry: [], notes };
  }

  const browsers = selectForInstall(env, request.browsers);
  const folder = mxlensFolder(request.scope, env);
  const launcher = launcherFor(folder);

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
    return { platform: env.platform, scope: request.scope, dir: null, browsers, folder, launcher, manifests, registry: [...registry.values()], notes };
  }

  // Linux and macOS: one manifest file per folder the browser reads (some folders are shared).
  const byPath = new Map<string, WriteTarget>();
  for (const browser of browsers) {
    for (const folder of manifestFolders(browser, request.scope, env)) {
      if (folder.optional && !exists(p.dirname(folder.path))) continue;
      const file = p.join(folder.path, `${HOST_NAME}.json`);
      const known = byPath.get(file);
      if (known) {
        if (known.family !== browser.family) throw new Error(`browser table error: ${file} is read by browsers of two families`);
        known.browsers.push(browser.id);
      } else {
        byPath.set(file, manifestFor(browser.family, file, [browser.id], launcher.path));
      }
    }
  }
  return { platform: env.platform, scope: request.scope, dir: null, browsers, folder, launcher, manifests: [...byPath.values()], registry: [], notes };
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

// ------------------------------------------------------------------------ installing

export type FileOutcome = 'written' | 'updated' | 'unchanged' | 'not ours' | 'failed' | 'removed' | 'absent' | 'kept';

export interface Step {
  outcome: FileOutcome;
  /** A file path or a registry key. */
  target: string;
  detail: string;
}

export interface Report {
  steps: Step[];
  /** Anything refused or failed. */
  ok: boolean;
}

export function applyInstall(plan: InstallPlan, env: InstallEnvironment, dryRun = false): Report {
  const steps: Step[] = [];
  const created: string[] = [];
  const names = (ids: BrowserId[]) => ids.map((id) => browserById(id).name).join(', ');

  const write = (target: WriteTarget, mode: number, detail: string) => {
    const existing = readText(target.path);
    if (existing !== null) {
      const ours = target.kind === 'launcher' ? isOurLauncher(existing) : parseOurManifest(existing) !== null;
      if (!ours) {
        steps.push({ outcome: 'not ours', target: target.path, detail: 'a file of that name is there and is not MX Lens\'s; left alone (remove it yourself)' });
        return;
      }
      if (existing === target.text && hasMode(target.path, mode, env.platform)) {
        steps.push({ outcome: 'unchanged', target: target.path, detail });
        return;
      }
    }
    if (!dryRun) {
      try {
        created.push(...makeFolders(pathsFor(env.platform).dirname(target.path), env.platform));
        writeFileSync(target.path, target.text, { mode });
        if (env.platform !== 'win32') chmodSync(target.path, mode);
      } catch (error) {
        steps.push({ outcome: 'failed', target: target.path, detail: failure(error, plan.scope) });
        return;
      }
    }
    steps.push({ outcome: existing === null ? 'written' : 'updated', target: target.path, detail });
  };

  write(plan.launcher, 0o755, `launcher: ${env.nodePath} ${env.hostScript} host`);
  for (const manifest of plan.manifests) {
    write(manifest, 0o644, manifest.browsers.length > 0 ? names(manifest.browsers) : `${manifest.family} family`);
  }

  if (plan.registry.length > 0) {
    for (const args of registryAddCommands(plan)) {
      const key = args[1]!;
      const entry = plan.registry.find((target) => target.key === key)!;
      const step: Step = { outcome: 'written', target: key, detail: `${names(entry.browsers)}: reg.exe ${args.join(' ')}` };
      if (!dryRun && env.platform === 'win32') {
        try {
          env.runReg?.(args);
        } catch (error) {
          step.outcome = 'failed';
          step.detail = `reg.exe add failed: ${(error as Error).message}`;
        }
      }
      steps.push(step);
    }
  }

  if (!dryRun && plan.dir === null && created.length > 0) {
    const record = pathsFor(env.platform).join(plan.folder, RECORD_FILE);
    const known = readRecord(record);
    writeRecord(record, [...known, ...created]);
  }
  return { steps, ok: steps.every((step) => step.outcome !== 'not ours' && step.outcome !== 'failed') };
}

// ------------------------------------------------------------------------ uninstalling

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
  const add = (map: Map<string, BrowserId[]>, target: string, id: BrowserId) => map.set(target, [...(map.get(target) ?? []), id]);
  for (const browser of BROWSERS) {
    for (const file of candidateManifestFiles(browser, request.scope, env)) add(readersOf, file, browser.id);
  }
  const keyReaders = new Map<string, BrowserId[]>();
  if (env.platform === 'win32') {
    for (const browser of BROWSERS) for (const key of registryKeys(browser, request.scope, HOST_NAME)) add(keyReaders, key, browser.id);
  }

  const kept: UninstallPlan['kept'] = [];
  const stillWanted = (readers: BrowserId[]) => readers.filter((id) => !selected.has(id));
  const manifests: FileTarget[] = [];
  for (const [file, readers] of readersOf) {
    if (!readers.some((id) => selected.has(id))) continue;
    const others = stillWanted(readers);
    if (others.length > 0) {
      kept.push({ target: file, reason: `${others.map((id) => browserById(id).name).join(', ')} read${others.length === 1 ? 's' : ''} it too` });
    } else {
      manifests.push({ kind: 'manifest', path: file, browsers: readers });
    }
  }
  const registry: UninstallPlan['registry'] = [];
  for (const [key, readers] of keyReaders) {
    if (!readers.some((id) => selected.has(id))) continue;
    const others = stillWanted(readers);
    if (others.length > 0) kept.push({ target: key, reason: `${others.map((id) => browserById(id).name).join(', ')} read${others.length === 1 ? 's' : ''} it too` });
    else registry.push({ key, browsers: readers });
  }

  const folder = mxlensFolder(request.scope, env);
  return { platform: env.platform, scope: request.scope, dir: null, folder, launcher: p.join(folder, launcherFileName(env.platform)), manifests, kept, registry };
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

  // The launcher goes once no manifest of ours (for any browser) points at it any more.
  const removedNow = new Set(steps.filter((step) => step.outcome === 'removed').map((step) => step.target));
  const remaining =
    plan.dir !== null
      ? []
      : BROWSERS.flatMap((browser) => candidateManifestFiles(browser, plan.scope, env)).filter((file) => {
          if (removedNow.has(file)) return false;
          const manifest = parseOurManifest(readText(file) ?? '');
          return manifest !== null && manifest.path === plan.launcher;
        });
  if (remaining.length === 0) remove(plan.launcher, isOurLauncher, 'launcher');

  // Folders install created, now empty, go too; the record of them goes with the launcher.
  if (plan.dir === null && !dryRun) {
    const record = p.join(plan.folder, RECORD_FILE);
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
  return { steps, ok: steps.every((step) => step.outcome !== 'not ours' && step.outcome !== 'failed') };
}

// ------------------------------------------------------------------------ files

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function hasMode(file: string, mode: number, platform: NodeJS.Platform): boolean {
  if (platform === 'win32') return true;
  try {
    return (statSync(file).mode & 0o777) === mode;
  } catch {
    return false;
  }
}

/** mkdir -p that returns the folders it created, outermost first. */
function makeFolders(folder: string, platform: NodeJS.Platform): string[] {
  const p = pathsFor(platform);
  const missing: string[] = [];
  for (let at = folder; !existsSync(at); at = p.dirname(at)) {
    missing.unshift(at);
    if (p.dirname(at) === at) break;
  }
  if (missing.length > 0) mkdirSync(folder, { recursive: true, mode: 0o755 });
  return missing;
}

function readRecord(file: string): string[] {
  const text = readText(file);
  if (text === null) return [];
  try {
    const value = JSON.parse(text) as { createdFolders?: unknown };
    return Array.isArray(value.createdFolders) ? value.createdFolders.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

function writeRecord(file: string, folders: string[]): void {
  const record = {
    note: 'Folders "mxlens install" created; "mxlens uninstall" removes them again when they are empty.',
    createdFolders: [...new Set(folders)].sort(),
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o644 });
}

function failure(error: unknown, scope: Scope): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error as Error).message;
  if ((code === 'EACCES' || code === 'EPERM') && scope === 'system') {
    return `permission denied: a system-wide install needs root (sudo) or an administrator (${message})`;
  }
  return message;
}

// ------------------------------------------------------------------------ the commands

interface ParsedFlags {
  browsers: BrowserId[] | 'all' | null;
  scope: Scope;
  dir: string | null;
  extensionIds: string[];
  dryRun: boolean;
}

function parseFlags(argv: string[], command: 'install' | 'uninstall'): ParsedFlags {
  const { values } = parseStrictArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      browser: { type: 'string', multiple: true },
      system: { type: 'boolean' },
      dir: { type: 'string' },
      'dry-run': { type: 'boolean' },
      ...(command === 'install' ? { 'extension-id': { type: 'string' as const, multiple: true } } : {}),
    },
  });
  const names = (values.browser ?? []).flatMap((value) => value.split(',')).map((name) => name.trim()).filter(Boolean);
  let browsers: BrowserId[] | 'all' | null = null;
  if (names.some((name) => name.toLowerCase() === 'all')) browsers = 'all';
  else if (names.length > 0) {
    browsers = [];
    for (const name of names) {
      const id = parseBrowserName(name);
      if (!id) throw new UsageError(`--browser takes one of ${BROWSERS.map((b) => b.id).join(', ')}, all; not "${name}"`);
      if (!browsers.includes(id)) browsers.push(id);
    }
  }
  if (values.dir !== undefined && values.system) throw new UsageError('--dir and --system do not go together');
  if (values.dir === '') throw new UsageError('--dir needs a folder');
  const extensionIds = ((values as { 'extension-id'?: string[] })['extension-id'] ?? []);
  return {
    browsers,
    scope: values.system ? 'system' : 'user',
    dir: values.dir ?? null,
    extensionIds,
    dryRun: values['dry-run'] ?? false,
  };
}

export async function runInstall(argv: string[], env: InstallEnvironment = currentEnvironment()): Promise<number> {
  const flags = parseFlags(argv, 'install');
  const sorted = sortExtensionIds(flags.extensionIds);
  if (!sorted.ok) {
    throw new UsageError(`--extension-id takes a Chrome extension ID (32 letters a-p) or a Firefox add-on ID (name@domain), not "${sorted.bad}"`);
  }
  if (!existsSync(env.hostScript)) {
    process.stderr.write(`mxlens: the host is not built yet: ${env.hostScript} is missing; run "npm run build" first\n`);
    return 1;
  }
  const plan = planInstall(env, { browsers: flags.browsers, scope: flags.scope, dir: flags.dir, extra: sorted.extra });
  if (plan.scope === 'system' && env.platform !== 'win32' && !systemInstallIsSafe(plan, env)) return 1;
  const report = applyInstall(plan, env, flags.dryRun);

  const out: string[] = [];
  const who = plan.dir !== null ? `in ${plan.dir}` : `for ${plan.browsers.map((b) => b.name).join(', ')} (${plan.scope === 'user' ? 'this user' : 'all users'})`;
  out.push(`${flags.dryRun ? 'Would install' : 'MX Lens host'} ${who}:`);
  out.push(...formatSteps(report.steps, flags.dryRun));
  out.push(...plan.notes);
  const allowed = plan.manifests.flatMap((m) => {
    const manifest = parseOurManifest(m.text);
    return [...(manifest?.allowed_origins ?? []), ...(manifest?.allowed_extensions ?? [])];
  });
  out.push(`Extensions allowed to use it: ${[...new Set(allowed)].join(', ')}`);
  const changed = report.steps.some((step) => step.outcome === 'written' || step.outcome === 'updated');
  if (!report.ok) out.push('Some files could not be written (see above).');
  else if (flags.dryRun) out.push('Dry run: nothing was changed.');
  else if (!changed) out.push('Already installed: nothing changed.');
  else out.push('Done. Restart the browser if the extension could not reach the host before. Check with: mxlens doctor');
  process.stdout.write(`${out.join('\n')}\n`);
  return report.ok ? 0 : 1;
}

export async function runUninstall(argv: string[], env: InstallEnvironment = currentEnvironment()): Promise<number> {
  const flags = parseFlags(argv, 'uninstall');
  const browsers = flags.browsers === 'all' ? null : flags.browsers;
  const plan = planUninstall(env, { browsers, scope: flags.scope, dir: flags.dir });
  const report = applyUninstall(plan, env, flags.dryRun);
  const out: string[] = [];
  if (report.steps.length === 0) out.push('MX Lens host is not installed there: nothing to remove.');
  else {
    out.push(flags.dryRun ? 'Would remove:' : 'MX Lens host:');
    out.push(...formatSteps(report.steps, flags.dryRun));
    if (flags.dryRun) out.push('Dry run: nothing was changed.');
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return report.ok ? 0 : 1;
}

/**
 * Every user's browser will run the launcher and what it names: refuses when a non-root user
 * could change any of it (or a folder above it); warns when a non-root group could.
 */
function systemInstallIsSafe(plan: InstallPlan, env: InstallEnvironment): boolean {
  const findings = writableByOthers(launcherChain(plan.launcher.path, env.nodePath, env.hostScript), env.statOf ?? statOnDisk);
  const refused = findings.filter((finding) => finding.level === 'refuse');
  for (const finding of findings.filter((f) => f.level === 'warn')) {
    process.stderr.write(`mxlens: warning: ${finding.path} is ${finding.why}; its members could change what every user's browser runs\n`);
  }
  if (refused.length === 0) return true;
  process.stderr.write(
    [
      'mxlens: refusing a system-wide install: every user\'s browser would run code that a non-root user can change:',
      ...refused.map((finding) => `  ${finding.path}: ${finding.why}`),
      'Install MX Lens and Node where only root can write (e.g. sudo npm install -g mxlens), then run: sudo mxlens install --system',
      '',
    ].join('\n'),
  );
  return false;
}

const WOULD: Partial<Record<FileOutcome, string>> = { written: 'would write', updated: 'would update', removed: 'would remove' };

function formatSteps(steps: Step[], dryRun = false): string[] {
  return steps.map((step) => {
    const outcome = (dryRun ? WOULD[step.outcome] : undefined) ?? step.outcome;
    return `  ${outcome.padEnd(12)}  ${step.target}${step.detail ? `  (${step.detail})` : ''}`;
  });
}
