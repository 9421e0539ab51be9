// Doing an install plan: write the launcher and the manifests (never over a file that is not
// ours, never rewriting an unchanged one), run reg.exe on Windows, record the folders made.

import { chmodSync, writeFileSync } from 'node:fs';
import { browserById, pathsFor, type BrowserId } from './browsers.js';
import type { InstallEnvironment } from './environment.js';
import {
  failure,
  hasMode,
  makeFolders,
  readRecord,
  readText,
  RECORD_FILE,
  reportOf,
  writeRecord,
  type Report,
  type Step,
} from './host-files.js';
import { isOurLauncher } from './launcher.js';
import { parseOurManifest } from './manifest.js';
import { registryAddCommands, type InstallPlan, type WriteTarget } from './plan-install.js';

export function applyInstall(plan: InstallPlan, env: InstallEnvironment, dryRun = false): Report {
  const steps: Step[] = [];
  const created: string[] = [];
  const names = (ids: BrowserId[]) => ids.map((id) => browserById(id).name).join(', ');

  const write = (target: WriteTarget, mode: number, detail: string) => {
    const existing = readText(target.path);
    if (existing !== null) {
      const ours = target.kind === 'launcher' ? isOurLauncher(existing) : parseOurManifest(existing) !== null;
      if (!ours) {
        steps.push({
          outcome: 'not ours',
          target: target.path,
          detail: "a file of that name is there and is not MX Lens's; left alone (remove it yourself)",
        });
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
      const step: Step = {
        outcome: 'written',
        target: key,
        detail: `${names(entry.browsers)}: reg.exe ${args.join(' ')}`,
      };
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
  return reportOf(steps);
}
