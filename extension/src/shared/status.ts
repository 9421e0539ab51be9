// The state of the connection to the native host, as every page of the extension shows it.

export type HostProblemCode =
  | 'host_not_installed'
  | 'host_forbidden'
  | 'host_crashed'
  | 'host_outdated'
  | 'extension_outdated'
  | 'host_timeout'
  | 'unknown';

export interface HostProblem {
  code: HostProblemCode;
  /** What went wrong, in plain words (translated). */
  message: string;
  /** What to do: a command to run, or a step (translated). */
  fix: string;
  /** The browser's or host's own words, for diagnostics. */
  raw: string;
}

interface HostLastError {
  /** In plain words (translated). */
  message: string;
  /** The browser's or host's own words. */
  raw: string;
  /** When it happened, ms since the epoch. */
  at: number;
}

export type HostStatus =
  | { state: 'disconnected' }
  | { state: 'connecting' }
  | {
      state: 'connected';
      hostVersion: string;
      /** Set when checks run on an MX Lens server (its origin) instead of the host on this computer. */
      server?: string;
      settingsProblems: Array<{ setting: string; message: string }>;
      /** The most recent problem since the background started (before a reconnect, a failed check), for diagnostics. */
      lastError?: HostLastError;
    }
  | { state: 'failed'; problem: HostProblem };
