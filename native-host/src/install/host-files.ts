// The files install and uninstall touch, and what became of each: read without throwing, folders
// made with a record of which (so uninstall removes only those), errors in words.

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { pathsFor, type Scope } from './browsers.js';

/** Beside the launcher: the folders install created. */
export const RECORD_FILE = 'install-record.json';

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

/** A report of these steps: ok unless something was refused or failed. */
export function reportOf(steps: Step[]): Report {
  return { steps, ok: steps.every((step) => step.outcome !== 'not ours' && step.outcome !== 'failed') };
}

export function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export function hasMode(file: string, mode: number, platform: NodeJS.Platform): boolean {
  if (platform === 'win32') return true;
  try {
    return (statSync(file).mode & 0o777) === mode;
  } catch {
    return false;
  }
}

/** mkdir -p that returns the folders it created, outermost first. */
export function makeFolders(folder: string, platform: NodeJS.Platform): string[] {
  const p = pathsFor(platform);
  const missing: string[] = [];
  for (let at = folder; !existsSync(at); at = p.dirname(at)) {
    missing.unshift(at);
    if (p.dirname(at) === at) break;
  }
  if (missing.length > 0) mkdirSync(folder, { recursive: true, mode: 0o755 });
  return missing;
}

export function readRecord(file: string): string[] {
  const text = readText(file);
  if (text === null) return [];
  try {
    const value = JSON.parse(text) as { createdFolders?: unknown };
    return Array.isArray(value.createdFolders)
      ? value.createdFolders.filter((item): item is string => typeof item === 'string')
      : [];
  } catch {
    return [];
  }
}

export function writeRecord(file: string, folders: string[]): void {
  const record = {
    note: 'Folders "mxlens install" created; "mxlens uninstall" removes them again when they are empty.',
    createdFolders: [...new Set(folders)].sort(),
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o644 });
}

export function failure(error: unknown, scope: Scope): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error as Error).message;
  if ((code === 'EACCES' || code === 'EPERM') && scope === 'system') {
    return `permission denied: a system-wide install needs root (sudo) or an administrator (${message})`;
  }
  return message;
}
