import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

// A system-wide install makes every user's browser run the launcher, and through it a Node
// binary and the host script. If any of them, or any folder above them, can be changed by a
// user other than root, that user's code runs in everyone's session. `install --system` checks
// the whole chain first and refuses such a launcher (POSIX systems; Windows ACLs are not read).

export interface Owner {
  uid: number;
  gid: number;
  mode: number;
  isDirectory: boolean;
}

/** stat() of a path, or null when it does not exist (yet). */
export type StatOf = (file: string) => Owner | null;

export interface SafetyFinding {
  path: string;
  /** `refuse`: a non-root user can change it; `warn`: a non-root group can. */
  level: 'refuse' | 'warn';
  why: string;
}

const WORLD_WRITABLE = 0o002;
const GROUP_WRITABLE = 0o020;
const STICKY = 0o1000;

/**
 * What in the chain of `files` (each file and every folder above it) a non-root user or group
 * could change. Missing paths (a folder install will create, as root) are skipped.
 */
export function writableByOthers(files: readonly string[], statOf: StatOf): SafetyFinding[] {
  const findings = new Map<string, SafetyFinding>();
  for (const file of files) {
    for (const at of selfAndParents(file)) {
      if (findings.has(at)) continue;
      const owner = statOf(at);
      if (!owner) continue;
      const finding = judge(at, owner);
      if (finding) findings.set(at, finding);
    }
  }
  return [...findings.values()];
}

function judge(at: string, owner: Owner): SafetyFinding | null {
  // Root's sticky folders (/tmp): others may add entries but not replace ours, and what lies
  // below is checked on its own.
  const stickyRootFolder = owner.isDirectory && owner.uid === 0 && (owner.mode & STICKY) !== 0;
  if (owner.uid !== 0) return { path: at, level: 'refuse', why: `owned by uid ${owner.uid}, not root` };
  if ((owner.mode & WORLD_WRITABLE) !== 0 && !stickyRootFolder)
    return { path: at, level: 'refuse', why: 'writable by every user' };
  if ((owner.mode & GROUP_WRITABLE) !== 0 && owner.gid !== 0 && !stickyRootFolder) {
    return { path: at, level: 'warn', why: `writable by group ${owner.gid}` };
  }
  return null;
}

function selfAndParents(file: string): string[] {
  const chain: string[] = [];
  for (let at = path.resolve(file); ; at = path.dirname(at)) {
    chain.push(at);
    if (path.dirname(at) === at) return chain;
  }
}

/** The real file system, following links (what runs is where the link leads). */
export function statOnDisk(file: string): Owner | null {
  try {
    const stat = statSync(file);
    return { uid: stat.uid, gid: stat.gid, mode: stat.mode, isDirectory: stat.isDirectory() };
  } catch {
    return null;
  }
}

/** The launcher's own path, and what it runs, with links resolved. */
export function launcherChain(launcherPath: string, nodePath: string, hostScript: string): string[] {
  const real = (file: string) => {
    try {
      return realpathSync(file);
    } catch {
      return file;
    }
  };
  return [launcherPath, nodePath, real(nodePath), hostScript, real(hostScript)];
}
