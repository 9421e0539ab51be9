// Messages inside the extension (content scripts, popup, options, welcome page ↔ background).
// The background alone talks to the native host (native-host/shared/protocol/messages.ts).

import type { CheckStage, VerificationResult } from '../../../native-host/shared/protocol/messages.js';
import type { HostProblem, HostStatus } from './status.js';

export type { CheckStage, VerificationResult };

/** What a badge shows: the host's verdict, or pending while the check runs. */
export type BadgeVerdict = VerificationResult['verdict'] | 'pending';

/** How far a check goes: the content script asks for 'dns' or 'smtp' by the user's auto mode. */
export type CheckDepth = 'dns' | 'smtp';

// ------------------------------------------------- long-lived port "mxlens-checks" (runtime.connect)
// Content scripts and the popup open one port each; results stream back on it.

export const CHECKS_PORT = 'mxlens-checks';

/**
 * Who asked for a check. 'auto': the content script, because the page shows the address (counts
 * against the tab's budget; cached and sent to the host per top-level site). 'user': a trusted
 * click or key press of the user (a badge, the card's button, the popup).
 */
export type CheckTrigger = 'auto' | 'user';

export type PortRequest =
  /**
   * Check these addresses (normalized). `force` skips the result cache (Re-check). `trigger`:
   * on a port from a web page absent means 'auto'; a port from the extension's own pages (the
   * popup) is always the user's.
   */
  { kind: 'check'; addresses: string[]; depth: CheckDepth; trigger?: CheckTrigger; force?: boolean };

export type PortEvent =
  /** A result, or a newer one (re-check of a greylisted address, a forced re-check). */
  | { kind: 'result'; address: string; result: VerificationResult }
  /** What the check of this address is doing now; only to ports whose own ask it answers. */
  | { kind: 'stage'; address: string; stage: CheckStage }
  /** Not checked automatically: the tab's budget of automatic checks is spent (a click still checks). */
  | { kind: 'skipped'; address: string; why: 'budget' }
  /** The check of this address could not be done (host missing, crashed, timed out). */
  | { kind: 'failed'; address: string; status: HostStatus }
  | { kind: 'status'; status: HostStatus }
  /** The host's report on port 25 changed (the popup's banner follows it while open). */
  | { kind: 'network'; port25Blocked: boolean };

// ------------------------------------------------- one-shot runtime.sendMessage to the background

export type BackgroundRequest =
  | { kind: 'get-status' }
  /** Try to connect to the host again now (the "check again" button). */
  | { kind: 'reconnect' }
  | { kind: 'clear-cache' }
  /** What the host has reported about this network (the popup's and welcome page's port-25 banner). */
  | { kind: 'get-network' }
  /** tabId: the tab the popup was opened on, whose toolbar icon then says "paused". */
  | { kind: 'set-site-paused'; origin: string; paused: boolean; tabId?: number }
  /** A content script found its site paused at load: it opens no checks port, so it says so for the toolbar's "off". */
  | { kind: 'page-paused' };

export interface BackgroundReplies {
  'get-status': HostStatus;
  reconnect: HostStatus;
  'clear-cache': { cleared: number };
  'get-network': { port25Blocked: boolean };
  'set-site-paused': { paused: boolean };
  'page-paused': null;
}

// ------------------------------------------------- one-shot tabs.sendMessage to a content script

export type ContentRequest =
  /** The popup asks which addresses the page shows, with their verdicts so far. */
  | { kind: 'list-addresses' }
  /**
   * The context menu: show a card for this address near the selection or the link. First sent
   * with result null (checking), then again with the result, or with `problem` when the check
   * could not be done (host missing, crashed, timed out). address null: the selection or link
   * held no address; `input` is what it held.
   */
  | {
      kind: 'show-card';
      address: string | null;
      input: string;
      result: VerificationResult | null;
      problem?: HostProblem;
    }
  /** Pause or resume scanning on this page (the popup's toggle). */
  | { kind: 'set-paused'; paused: boolean }
  /** The keyboard shortcut: the focused frame answers with its selected text; other frames do not answer. */
  | { kind: 'get-selection' };

export interface PageAddress {
  address: string;
  verdict: BadgeVerdict;
  result: VerificationResult | null;
}

export interface ContentReplies {
  'list-addresses': PageAddress[];
  'show-card': { shown: boolean };
  'set-paused': { paused: boolean };
  'get-selection': { text: string };
}
