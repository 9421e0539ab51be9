// One entry per address on the page: what its badges show and what was asked for. Badges and
// the card subscribe to an address; check results from the background land here.

import type {
  BadgeVerdict,
  CheckDepth,
  CheckStage,
  CheckTrigger,
  PageAddress,
  PortEvent,
  VerificationResult,
} from '../../shared/messages.js';
import type { HostProblem, HostStatus } from '../../shared/status.js';

/** The verdict, pending, or "unchecked": nothing asked yet (manual mode, off screen, over the tab's budget). */
export type BadgeState = BadgeVerdict | 'unchecked';

export interface AddressEntry {
  readonly address: string;
  state: BadgeState;
  result: VerificationResult | null;
  /** Why the check could not be done. */
  problem: HostProblem | null;
  /** The deepest check asked for so far, or null. */
  requested: CheckDepth | null;
  /** Judged here, never sent: a form field holding something that is not an address. */
  local: boolean;
  /** While pending: since when (ms), and what the check is doing as last reported (null: not yet). */
  pending: { since: number; stage: CheckStage | null; stageAt: number } | null;
}

type Listener = (entry: AddressEntry) => void;
export type SendCheck = (address: string, depth: CheckDepth, force: boolean, trigger: CheckTrigger) => void;

export class AddressBook {
  private readonly entries = new Map<string, AddressEntry>();
  private readonly listeners = new Map<string, Set<Listener>>();
  /** How many badges on the page show each address. */
  private readonly badgeCounts = new Map<string, number>();

  constructor(private readonly send: SendCheck) {}

  get(address: string): AddressEntry {
    let entry = this.entries.get(address);
    if (!entry) {
      entry = {
        address,
        state: 'unchecked',
        result: null,
        problem: null,
        requested: null,
        local: false,
        pending: null,
      };
      this.entries.set(address, entry);
    }
    return entry;
  }

  peek(address: string): AddressEntry | undefined {
    return this.entries.get(address);
  }

  /**
   * Ask the background, unless a check at least this deep was asked already (force: always).
   * `trigger` says who asks: the page's presence ('auto') or the user's own action ('user').
   */
  check(address: string, depth: CheckDepth, trigger: CheckTrigger, force = false): void {
    const entry = this.get(address);
    if (entry.local) return;
    if (!force && entry.requested !== null && (entry.requested === 'smtp' || depth === 'dns')) return;
    entry.requested = depth === 'smtp' ? 'smtp' : (entry.requested ?? 'dns');
    markPending(entry);
    this.notify(entry);
    this.send(address, depth, force, trigger);
  }

  setResult(address: string, result: VerificationResult): void {
    const entry = this.get(address);
    entry.result = result;
    entry.state = result.verdict;
    entry.problem = null;
    entry.pending = null;
    entry.requested ??= result.reason === 'dns_only' ? 'dns' : 'smtp';
    this.notify(entry);
  }

  /** A result judged in the page (a form field's text that is not an address). */
  setLocal(address: string, result: VerificationResult): void {
    const entry = this.get(address);
    entry.local = true;
    this.setResult(address, result);
  }

  /** The check is running elsewhere (the context menu's check, done by the background). */
  setPending(address: string): void {
    const entry = this.get(address);
    markPending(entry);
    this.notify(entry);
  }

  /** What a pending check is doing now (ignored once answered). */
  setStage(address: string, stage: CheckStage): void {
    const entry = this.peek(address);
    if (!entry?.pending) return;
    entry.pending = { ...entry.pending, stage, stageAt: Date.now() };
    this.notify(entry);
  }

  setFailed(address: string, problem: HostProblem | null): void {
    const entry = this.get(address);
    entry.state = entry.result ? entry.result.verdict : 'unknown';
    entry.problem = problem;
    entry.pending = null;
    // Asking again later (a click, a re-check) must reach the background.
    if (!entry.result) entry.requested = null;
    this.notify(entry);
  }

  /** Not asked after all (the tab's budget is spent): back to unchecked, so a click asks. */
  setUnchecked(address: string): void {
    const entry = this.get(address);
    if (entry.result) return;
    entry.state = 'unchecked';
    entry.requested = null;
    entry.problem = null;
    this.notify(entry);
  }

  /** Forgets failures without a result (the host works again): they may be asked again. */
  forgetFailures(): void {
    for (const entry of this.entries.values()) {
      if (entry.problem && !entry.result) {
        entry.problem = null;
        entry.requested = null;
        entry.state = 'unchecked';
      }
    }
  }

  /** Applies one event from the checks port. */
  apply(event: PortEvent): void {
    if (event.kind === 'result') this.setResult(event.address, event.result);
    else if (event.kind === 'stage') this.setStage(event.address, event.stage);
    else if (event.kind === 'skipped') this.setUnchecked(event.address);
    else if (event.kind === 'failed') this.setFailed(event.address, problemOf(event.status));
    else if (event.kind === 'status' && event.status.state === 'failed') {
      // The host is gone: nothing pending will be answered.
      for (const entry of this.entries.values()) {
        if (entry.state === 'pending') this.setFailed(entry.address, event.status.problem);
      }
    }
  }

  subscribe(address: string, listener: Listener): () => void {
    let set = this.listeners.get(address);
    if (!set) {
      set = new Set();
      this.listeners.set(address, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(address);
    };
  }

  badgeAdded(address: string): void {
    this.badgeCounts.set(address, (this.badgeCounts.get(address) ?? 0) + 1);
  }

  badgeRemoved(address: string): void {
    const count = (this.badgeCounts.get(address) ?? 0) - 1;
    if (count > 0) this.badgeCounts.set(address, count);
    else this.badgeCounts.delete(address);
  }

  /**
   * The addresses the page shows, for the popup: those with badges, and `waiting` (found in text
   * whose badges are not made yet). Unchecked ones are "unknown" with no result.
   */
  list(waiting: Iterable<string> = []): PageAddress[] {
    const out: PageAddress[] = [];
    for (const address of new Set([...this.badgeCounts.keys(), ...waiting])) {
      const entry = this.peek(address) ?? { state: 'unchecked' as const, result: null, local: false };
      if (entry.local) continue;
      const verdict: BadgeVerdict = entry.state === 'unchecked' ? 'unknown' : entry.state;
      out.push({ address, verdict, result: entry.result });
    }
    return out;
  }

  /** Addresses whose badges are on the page. */
  addresses(): string[] {
    return [...this.badgeCounts.keys()];
  }

  private notify(entry: AddressEntry): void {
    for (const listener of [...(this.listeners.get(entry.address) ?? [])]) listener(entry);
  }
}

function problemOf(status: HostStatus): HostProblem | null {
  return status.state === 'failed' ? status.problem : null;
}

function markPending(entry: AddressEntry): void {
  entry.state = 'pending';
  entry.problem = null;
  entry.pending = { since: Date.now(), stage: null, stageAt: 0 };
}
