// What went wrong with the native host, as a HostProblem the user can act on: the browser's
// error strings (Chrome's runtime.lastError, Firefox's port.error) and the host's own error
// replies mapped to a code, a translated sentence, and the one command that fixes it.

import { PROTOCOL_VERSION } from '../../../native-host/shared/protocol/messages.js';
import type { HostProblem, HostProblemCode } from '../shared/status.js';
import type { ApiI18n } from './browser-api.js';
import { translate } from '../shared/i18n.js';
import type { ThisBrowser } from './this-browser.js';

/** After the host is installed `mxlens` is on PATH (npm install --global). */
export const DOCTOR_COMMAND = 'mxlens doctor';

/**
 * The browsers' own words, first match wins. Chrome's are fixed strings; Firefox names the host
 * in them. Firefox says "No such native application" both when the host manifest is missing and
 * when it does not list this add-on, so that is "not installed" (installing again fixes both).
 */
const BROWSER_ERRORS: ReadonlyArray<{ pattern: RegExp; code: HostProblemCode }> = [
  // Chrome, Chromium, Edge, Brave, Vivaldi
  { pattern: /^Specified native messaging host not found\.?$/i, code: 'host_not_installed' },
  { pattern: /^Native messaging host .* is not registered\.?$/i, code: 'host_not_installed' },
  { pattern: /^Access to the specified native messaging host is forbidden\.?$/i, code: 'host_forbidden' },
  { pattern: /^Native host has exited\.?$/i, code: 'host_crashed' },
  { pattern: /^Failed to start native messaging host\.?$/i, code: 'host_crashed' },
  { pattern: /^Error when communicating with the native messaging host\.?$/i, code: 'host_crashed' },
  // Firefox
  { pattern: /^No such native application\b/i, code: 'host_not_installed' },
  { pattern: /does not have permission to use native application/i, code: 'host_forbidden' },
  { pattern: /^Attempt to postMessage on disconnected port\b/i, code: 'host_crashed' },
  { pattern: /^Native application tried to send a message of \d+ bytes/i, code: 'host_crashed' },
];

export function codeForBrowserError(raw: string): HostProblemCode {
  const text = raw.trim();
  return BROWSER_ERRORS.find(({ pattern }) => pattern.test(text))?.code ?? 'unknown';
}

/** The messages.json keys of the problems' sentences (texts in extension/_locales). */
export const PROBLEM_MESSAGE_KEYS = [
  'hostProblemNotInstalled',
  'hostProblemForbidden',
  'hostProblemCrashed',
  'hostProblemHostOutdated',
  'hostProblemExtensionOutdated',
  'hostProblemExtensionOutdatedFix',
  'hostProblemTimeout',
  'hostProblemRefused',
  'hostProblemNoResult',
  'hostProblemUnknown',
] as const;

export type ProblemMessageKey = (typeof PROBLEM_MESSAGE_KEYS)[number];

export interface ProblemContext {
  i18n: ApiI18n;
  browser: ThisBrowser;
  /** runtime.id: what a Chromium host manifest must allow. */
  extensionId: string;
  /** The extension's version: the host release to install is the same one (mxlens-<version>.tgz). */
  version?: string;
}

/** Builds every HostProblem the background reports. */
export class HostProblems {
  constructor(private readonly context: ProblemContext) {}

  /** A port error or runtime.lastError message. */
  fromBrowserError(raw: string): HostProblem {
    const code = codeForBrowserError(raw);
    switch (code) {
      case 'host_not_installed':
        return this.make(code, 'hostProblemNotInstalled', [], this.installCommand(), raw);
      case 'host_forbidden':
        // The host is installed, for another extension ID: registering again is enough.
        return this.make(code, 'hostProblemForbidden', [this.context.extensionId], this.registerCommand(), raw);
      case 'host_crashed':
        return this.crashed(raw);
      default:
        return this.make('unknown', 'hostProblemUnknown', [], DOCTOR_COMMAND, raw);
    }
  }

  /** The host went away (exited, or its port closed) without the browser saying why. */
  crashed(raw: string): HostProblem {
    return this.make('host_crashed', 'hostProblemCrashed', [], DOCTOR_COMMAND, raw);
  }

  timeout(raw: string): HostProblem {
    return this.make('host_timeout', 'hostProblemTimeout', [], DOCTOR_COMMAND, raw);
  }

  /**
   * The hello was refused with protocol_mismatch (or answered with another protocol number).
   * The host's message names its protocol ("the host (mxlens 0.1.0) speaks protocol 1"): the side
   * with the lower number must be updated. Without a number, the words "the host is older" decide.
   */
  protocolMismatch(raw: string, hostProtocol?: number): HostProblem {
    const spoken = hostProtocol ?? hostProtocolIn(raw);
    let hostOlder: boolean;
    if (spoken !== null) hostOlder = spoken < PROTOCOL_VERSION;
    else hostOlder = !/\bthe extension is older\b/i.test(raw);
    const numbers = [spoken === null ? '?' : String(spoken), String(PROTOCOL_VERSION)];
    if (hostOlder) {
      return this.make('host_outdated', 'hostProblemHostOutdated', numbers, this.installCommand(), raw);
    }
    return this.make(
      'extension_outdated',
      'hostProblemExtensionOutdated',
      numbers,
      this.text('hostProblemExtensionOutdatedFix'),
      raw,
    );
  }

  /** The host answered a request with an error (bad_value for a wrong proxy, internal, …). */
  refused(code: string, message: string): HostProblem {
    return this.make('unknown', 'hostProblemRefused', [message], DOCTOR_COMMAND, `${code}: ${message}`);
  }

  /** The host ended a verify without a result for an address (it should not). */
  noResult(address: string): HostProblem {
    return this.make('unknown', 'hostProblemNoResult', [], DOCTOR_COMMAND, `no result for ${address}`);
  }

  /**
   * The fix for a missing, refusing or outdated host, two lines run in the folder that holds the
   * release's mxlens-<version>.tgz (the host is not on the npm registry: see README, "Install"):
   *   npm install --global ./mxlens-<version>.tgz
   *   mxlens install --browser <this> [--extension-id <id>]
   */
  installCommand(): string {
    return `npm install --global ./mxlens-${this.version}.tgz\n${this.registerCommand()}`;
  }

  /** `mxlens install --browser <this> [--extension-id <id>]`: registers the host already installed. */
  registerCommand(): string {
    const { browser, extensionId } = this.context;
    const register = [`mxlens install --browser ${browser.id}`];
    if (browser.family === 'chromium' && extensionId) register.push(`--extension-id ${extensionId}`);
    return register.join(' ');
  }

  private get version(): string {
    return this.context.version ?? '<version>';
  }

  private make(
    code: HostProblemCode,
    key: ProblemMessageKey,
    substitutions: string[],
    fix: string,
    raw: string,
  ): HostProblem {
    return { code, message: this.text(key, substitutions), fix, raw };
  }

  private text(key: ProblemMessageKey, substitutions: string[] = []): string {
    return translate(this.context.i18n, key, substitutions);
  }
}

/** "… the host (mxlens 0.1.0) speaks protocol 1 …" → 1. */
export function hostProtocolIn(message: string): number | null {
  const match = /\bthe host(?: \([^)]*\))? speaks protocol (\d+)/i.exec(message);
  return match?.[1] === undefined ? null : Number(match[1]);
}
