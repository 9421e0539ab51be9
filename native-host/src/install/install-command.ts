// `mxlens install` and `mxlens uninstall`: register the native messaging host with browsers.
// This file is the command line (flags, output); planning is pure (plan-install.ts,
// uninstall.ts) and separate from doing it (apply-install.ts), so tests check the plan for any
// system, and the Windows registry commands are a list that is only run on Windows.

import { existsSync } from 'node:fs';
import { parseStrictArgs, UsageError } from '../cli/usage-error.js';
import { applyInstall } from './apply-install.js';
import { BROWSERS, parseBrowserName, type BrowserId, type Scope } from './browsers.js';
import { currentEnvironment, type InstallEnvironment } from './environment.js';
import type { FileOutcome, Report, Step } from './host-files.js';
import { launcherChain, statOnDisk, writableByOthers } from './launcher-safety.js';
import { parseOurManifest, sortExtensionIds } from './manifest.js';
import { planInstall, type InstallPlan } from './plan-install.js';
import { applyUninstall, planUninstall } from './uninstall.js';

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
  const names = (values.browser ?? [])
    .flatMap((value) => value.split(','))
    .map((name) => name.trim())
    .filter(Boolean);
  let browsers: BrowserId[] | 'all' | null = null;
  if (names.some((name) => name.toLowerCase() === 'all')) browsers = 'all';
  else if (names.length > 0) {
    browsers = [];
    for (const name of names) {
      const id = parseBrowserName(name);
      if (!id)
        throw new UsageError(`--browser takes one of ${BROWSERS.map((b) => b.id).join(', ')}, all; not "${name}"`);
      if (!browsers.includes(id)) browsers.push(id);
    }
  }
  if (values.dir !== undefined && values.system) throw new UsageError('--dir and --system do not go together');
  if (values.dir === '') throw new UsageError('--dir needs a folder');
  const extensionIds = (values as { 'extension-id'?: string[] })['extension-id'] ?? [];
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
    throw new UsageError(
      `--extension-id takes a Chrome extension ID (32 letters a-p) or a Firefox add-on ID (name@domain), not "${sorted.bad}"`,
    );
  }
  if (!existsSync(env.hostScript)) {
    process.stderr.write(
      `mxlens: the host is not built yet: ${env.hostScript} is missing; run "npm run build" first\n`,
    );
    return 1;
  }
  const plan = planInstall(env, { browsers: flags.browsers, scope: flags.scope, dir: flags.dir, extra: sorted.extra });
  if (plan.scope === 'system' && env.platform !== 'win32' && !systemInstallIsSafe(plan, env)) return 1;
  const report = applyInstall(plan, env, flags.dryRun);
  process.stdout.write(`${installSummary(plan, report, flags.dryRun).join('\n')}\n`);
  return report.ok ? 0 : 1;
}

function installSummary(plan: InstallPlan, report: Report, dryRun: boolean): string[] {
  const who =
    plan.dir !== null
      ? `in ${plan.dir}`
      : `for ${plan.browsers.map((b) => b.name).join(', ')} (${plan.scope === 'user' ? 'this user' : 'all users'})`;
  const allowed = plan.manifests.flatMap((m) => {
    const manifest = parseOurManifest(m.text);
    return [...(manifest?.allowed_origins ?? []), ...(manifest?.allowed_extensions ?? [])];
  });
  return [
    `${dryRun ? 'Would install' : 'MX Lens host'} ${who}:`,
    ...formatSteps(report.steps, dryRun),
    ...plan.notes,
    `Extensions allowed to use it: ${[...new Set(allowed)].join(', ')}`,
    installOutcome(report, dryRun),
  ];
}

function installOutcome(report: Report, dryRun: boolean): string {
  if (!report.ok) return 'Some files could not be written (see above).';
  if (dryRun) return 'Dry run: nothing was changed.';
  const changed = report.steps.some((step) => step.outcome === 'written' || step.outcome === 'updated');
  if (!changed) return 'Already installed: nothing changed.';
  return 'Done. Restart the browser if the extension could not reach the host before. Check with: mxlens doctor';
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
  const findings = writableByOthers(
    launcherChain(plan.launcher.path, env.nodePath, env.hostScript),
    env.statOf ?? statOnDisk,
  );
  const refused = findings.filter((finding) => finding.level === 'refuse');
  for (const finding of findings.filter((f) => f.level === 'warn')) {
    process.stderr.write(
      `mxlens: warning: ${finding.path} is ${finding.why}; its members could change what every user's browser runs\n`,
    );
  }
  if (refused.length === 0) return true;
  process.stderr.write(
    [
      "mxlens: refusing a system-wide install: every user's browser would run code that a non-root user can change:",
      ...refused.map((finding) => `  ${finding.path}: ${finding.why}`),
      'Install MX Lens and Node where only root can write (e.g. sudo npm install -g mxlens), then run: sudo mxlens install --system',
      '',
    ].join('\n'),
  );
  return false;
}

const WOULD: Partial<Record<FileOutcome, string>> = {
  written: 'would write',
  updated: 'would update',
  removed: 'would remove',
};

function formatSteps(steps: Step[], dryRun = false): string[] {
  return steps.map((step) => {
    const outcome = (dryRun ? WOULD[step.outcome] : undefined) ?? step.outcome;
    return `  ${outcome.padEnd(12)}  ${step.target}${step.detail ? `  (${step.detail})` : ''}`;
  });
}
