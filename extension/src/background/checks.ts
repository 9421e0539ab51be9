// The checks service behind the "mxlens-checks" port. Content scripts and the popup connect and
// ask for addresses; every answer is pushed back on the port of everyone who asked.
//
// - Every ask has a scope: the user's own (the popup, the context menu, a click on a badge) or
//   the top-level site of the page that shows the address ('auto'). Cache, checks in flight
//   and the host's DNS and catch-all memory are kept apart per scope, so no site can tell by
//   timing what was checked for another site or for the user. Automatic asks also spend the
//   tab's budget.
// - From the cache first (unless `force`): this cache is the only one; the host keeps no results
//   (PROTOCOL.md, "Caching and re-checks").
// - One check per address and scope at a time (two frames of one site showing the same address share it).
// - Asks are gathered for BATCH_MS and sent as one verify, so the host can check addresses of
//   one domain in one SMTP session.
// - Later results (alarm re-checks of greylisted addresses, forced re-checks by another tab)
//   reach every port still interested in the address.
// - A check that cannot be done ends with `failed` and the reason, never with silence.

import type {
  CheckStage,
  VerificationResult,
  VerifyRequestOptions,
} from '../../../native-host/shared/protocol/messages.js';
import {
  CHECKS_PORT,
  type CheckDepth,
  type CheckTrigger,
  type PortEvent,
  type PortRequest,
} from '../shared/messages.js';
import type { ExtensionSettings } from '../shared/settings.js';
import type { HostProblem, HostStatus } from '../shared/status.js';
import type { ApiPort } from './browser-api.js';
import type { HostProblems } from './host-errors.js';
import { MAX_ADDRESSES_PER_VERIFY, type NativeHost, type VerifyCall } from './native-port.js';
import {
  answers,
  normalizeAddress,
  scopedKey,
  splitScopedKey,
  USER_PARTITION,
  type ResultCache,
} from './result-cache.js';
import type { TabBudgets } from './tab-budget.js';

/**
 * Asks that arrive in one task go as one verify: a content script already sends what one task
 * of it found as one message, and a longer window would sit on every page's first verdict.
 */
export const BATCH_MS = 0;
/** A verify fails when the host sends nothing this many times the per-address timeout (plus a margin). */
const DEADLINE_FACTOR = 2;
const DEADLINE_MARGIN_MS = 5_000;
/** Defensive limits on what a port may ask at once. */
const MAX_ADDRESSES_PER_ASK = 1_000;
const MAX_ADDRESS_LENGTH = 320;

/** Whoever wants results: a port, or a one-off ask (the context menu). */
export interface Subscriber {
  deliver(event: PortEvent): void;
}

interface Interest {
  /** The address as this subscriber wrote it: events carry it back unchanged. */
  spelling: string;
  depth: CheckDepth;
  /** Got a result deep enough: later failures of other checks are not its business. */
  answered: boolean;
}

export type CheckOutcome = { result: VerificationResult } | { problem: HostProblem };

/**
 * Whose check: `partition` names the cache partition (USER_PARTITION, or the page's top-level
 * origin); `site` (page checks only) goes to the host, which keeps its memory and budgets per site.
 */
export interface Scope {
  partition: string;
  site?: string;
}

const USER_SCOPE: Scope = { partition: USER_PARTITION };

/** http(s)://host[:port], the only form of `site` the host gets (content scripts run on no other pages). */
const ORIGIN = /^https?:\/\/[^/\s]+$/i;

/** The scope of a partition key's first part (alarm re-checks carry only the key). */
function scopeOfPartition(partition: string): Scope {
  if (partition === USER_PARTITION) return USER_SCOPE;
  // The host gets an origin or nothing (a page whose site is not known keeps its own partition here).
  return ORIGIN.test(partition) ? { partition, site: partition } : { partition };
}

/** The top-level origin of the tab a port comes from: the tab's URL, else the top frame's own. */
function topLevelSite(sender: NonNullable<ApiPort['sender']>): string {
  for (const url of [sender.tab?.url, sender.frameId === 0 ? sender.url : undefined]) {
    if (!url) continue;
    try {
      const origin = new URL(url).origin;
      if (origin !== 'null') return origin;
    } catch {
      // not a URL: try the next
    }
  }
  // Neither is known: all such pages share one partition, still apart from the user's.
  return 'page:unknown';
}

/** The per-request options sent to the host, from the user's settings. */
export function verifyOptions(settings: ExtensionSettings, depth: CheckDepth): VerifyRequestOptions {
  const options: VerifyRequestOptions = {
    level: depth,
    sender: settings.sender,
    proxy: settings.proxy,
    timeoutMs: clamp(Math.round(settings.timeoutMs), 100, 600_000),
    catchAll: settings.catchAll,
    // Greylisting is handled by re-checks (rechecks.ts); a badge must not wait minutes.
    greylistWaitMs: 0,
  };
  if (settings.heloName !== '') options.heloName = settings.heloName;
  return options;
}

export function deadlineFor(settings: ExtensionSettings): number {
  return clamp(Math.round(settings.timeoutMs), 100, 600_000) * DEADLINE_FACTOR + DEADLINE_MARGIN_MS;
}

export interface CheckServiceOptions {
  host: Pick<NativeHost, 'verify' | 'status'>;
  cache: ResultCache;
  settings: () => ExtensionSettings;
  problems: Pick<HostProblems, 'noResult'>;
  /** The budget of automatic checks per tab (settings.perPageLimit addresses). */
  budgets: TabBudgets;
  /** Where this extension's own pages live ("chrome-extension://<id>/"): ports from them are the user's. */
  extensionPages: string;
  /** Told of every result, to set or drop re-check alarms. */
  onResult?: (key: string, result: VerificationResult) => void;
  onFailed?: (key: string) => void;
}

export class CheckService {
  private interests = new Map<string, Map<Subscriber, Interest>>();
  /** Depths being checked now, by address. */
  private inflight = new Map<string, Set<CheckDepth>>();
  /** Waiting to be sent, by depth and partition (one verify carries one site). */
  private batch = new Map<string, { depth: CheckDepth; scope: Scope; keys: Set<string> }>();
  private batchTimer: ReturnType<typeof setTimeout> | null = null;
  private ports = new Map<ApiPort, { subscriber: Subscriber; detach: () => void }>();

  constructor(private readonly options: CheckServiceOptions) {}

  // ---------------------------------------------------------------- ports

  /** runtime.onConnect: serves the checks port; other ports are not ours to handle. */
  attachPort(port: ApiPort): boolean {
    if (port.name !== CHECKS_PORT) return false;
    // A port from a tab is a content script, unless it comes from one of our own pages (the
    // popup, also when it is opened in a tab); without a tab it is one of our own pages too.
    const tabId = port.sender?.tab?.id;
    const ownPage = port.sender?.url?.startsWith(this.options.extensionPages) ?? false;
    const page =
      port.sender && tabId !== undefined && tabId >= 0 && !ownPage ? { tabId, site: topLevelSite(port.sender) } : null;
    const subscriber: Subscriber = {
      deliver: (event) => {
        // Stages are for the badges' cards; the popup shows none (a bulk check has thousands).
        if (event.kind === 'stage' && !page) return;
        try {
          port.postMessage(event);
        } catch {
          // The other end is gone; onDisconnect cleans up.
        }
      },
    };
    const onMessage = (message: unknown) => {
      const request = parsePortRequest(message);
      if (!request) return;
      const force = request.force === true;
      const trigger: CheckTrigger = page ? (request.trigger ?? 'auto') : 'user';
      if (trigger === 'user' || !page)
        void this.request(request.addresses, request.depth, force, subscriber, USER_SCOPE);
      else void this.requestAuto(page.tabId, page.site, request.addresses, request.depth, force, subscriber);
    };
    const onDisconnect = () => this.detachPort(port);
    port.onMessage.addListener(onMessage);
    port.onDisconnect.addListener(onDisconnect);
    this.ports.set(port, {
      subscriber,
      detach: () => {
        port.onMessage.removeListener(onMessage);
        port.onDisconnect.removeListener(onDisconnect);
      },
    });
    subscriber.deliver({ kind: 'status', status: this.options.host.status() });
    return true;
  }

  private detachPort(port: ApiPort): void {
    const entry = this.ports.get(port);
    if (!entry) return;
    entry.detach();
    this.ports.delete(port);
    this.forget(entry.subscriber);
  }

  /** Tells every port the host's new state. */
  broadcastStatus(status: HostStatus): void {
    for (const { subscriber } of this.ports.values()) subscriber.deliver({ kind: 'status', status });
  }

  /** Tells every port the host's new word on port 25. */
  broadcastNetwork(port25Blocked: boolean): void {
    for (const { subscriber } of this.ports.values()) subscriber.deliver({ kind: 'network', port25Blocked });
  }

  get portCount(): number {
    return this.ports.size;
  }

  // ---------------------------------------------------------------- asking

  /**
   * Checks addresses for a subscriber (or for nobody in particular: an alarm re-check, whose
   * result goes to whoever is still interested, and to the cache).
   */
  async request(
    addresses: readonly string[],
    depth: CheckDepth,
    force: boolean,
    subscriber: Subscriber | null,
    scope: Scope,
  ): Promise<void> {
    const keys: string[] = [];
    for (const address of addresses.slice(0, MAX_ADDRESSES_PER_ASK)) {
      const normalized = normalizeAddress(address);
      if (normalized === '' || normalized.length > MAX_ADDRESS_LENGTH) continue;
      const key = scopedKey(scope.partition, normalized);
      if (keys.includes(key)) continue;
      keys.push(key);
      if (subscriber) this.interest(key, subscriber, address.trim(), depth, force);
    }
    let cached = new Map<string, VerificationResult>();
    if (!force) {
      try {
        cached = await this.options.cache.getMany(keys, depth);
      } catch (error) {
        console.warn('MX Lens: reading the result cache failed:', error);
      }
    }
    for (const key of keys) {
      const hit = cached.get(key);
      if (hit) {
        if (subscriber) this.deliverTo(subscriber, key, hit);
        continue;
      }
      if (this.covered(key, depth)) continue;
      this.enqueue(key, depth, scope);
    }
  }

  /**
   * A page's automatic ask: within the tab's budget it is checked in the site's scope; past
   * it the address is `skipped` (the badge stays unchecked; the user's click still checks).
   */
  async requestAuto(
    tabId: number,
    site: string,
    addresses: readonly string[],
    depth: CheckDepth,
    force: boolean,
    subscriber: Subscriber,
  ): Promise<void> {
    const wanted = new Map<string, string>();
    for (const address of addresses.slice(0, MAX_ADDRESSES_PER_ASK)) {
      const normalized = normalizeAddress(address);
      if (normalized !== '' && normalized.length <= MAX_ADDRESS_LENGTH && !wanted.has(normalized))
        wanted.set(normalized, address.trim());
    }
    let admission;
    try {
      admission = await this.options.budgets.admit(
        tabId,
        site,
        [...wanted.keys()],
        this.options.settings().perPageLimit,
      );
    } catch (error) {
      console.warn('MX Lens: the tab budget failed:', error);
      admission = { allowed: [], refused: [...wanted.keys()] };
    }
    for (const normalized of admission.refused) {
      subscriber.deliver({ kind: 'skipped', address: wanted.get(normalized) ?? normalized, why: 'budget' });
    }
    const allowed = admission.allowed.map((normalized) => wanted.get(normalized) ?? normalized);
    if (allowed.length > 0) await this.request(allowed, depth, force, subscriber, scopeOfPartition(site));
  }

  /** One address, one answer (the context menu). */
  checkOne(address: string, depth: CheckDepth): Promise<CheckOutcome> {
    return new Promise((resolve) => {
      const key = normalizeAddress(address);
      const subscriber: Subscriber = {
        deliver: (event) => {
          if (event.kind === 'status' || event.kind === 'skipped' || event.kind === 'network' || event.kind === 'stage')
            return;
          this.forget(subscriber);
          if (event.kind === 'result') resolve({ result: event.result });
          else
            resolve({
              problem: event.status.state === 'failed' ? event.status.problem : this.options.problems.noResult(key),
            });
        },
      };
      if (key === '') resolve({ problem: this.options.problems.noResult(address) });
      else void this.request([address], depth, false, subscriber, USER_SCOPE);
    });
  }

  /** Re-checks an address whose alarm fired (in its own scope), unless a settled result came in the meantime. */
  async recheckFromAlarm(key: string, stillWorthIt: (result: VerificationResult) => boolean): Promise<void> {
    const cached = await this.options.cache.get(key, 'smtp').catch(() => null);
    if (cached && !stillWorthIt(cached)) return;
    const { partition, address } = splitScopedKey(key);
    await this.request([address], 'smtp', true, null, scopeOfPartition(partition));
  }

  private interest(key: string, subscriber: Subscriber, spelling: string, depth: CheckDepth, force: boolean): void {
    let byKey = this.interests.get(key);
    if (!byKey) this.interests.set(key, (byKey = new Map()));
    const existing = byKey.get(subscriber);
    if (!existing) {
      byKey.set(subscriber, { spelling, depth, answered: false });
      return;
    }
    if (depth === 'smtp' && existing.depth === 'dns') {
      existing.depth = 'smtp';
      existing.answered = false;
    }
    if (force) existing.answered = false;
  }

  private forget(subscriber: Subscriber): void {
    for (const [key, byKey] of this.interests) {
      byKey.delete(subscriber);
      if (byKey.size === 0) this.interests.delete(key);
    }
  }

  private covered(key: string, depth: CheckDepth): boolean {
    const depths = this.inflight.get(key);
    return !!depths && (depths.has('smtp') || depths.has(depth));
  }

  // ---------------------------------------------------------------- batching

  private enqueue(key: string, depth: CheckDepth, scope: Scope): void {
    let depths = this.inflight.get(key);
    if (!depths) this.inflight.set(key, (depths = new Set()));
    depths.add(depth);
    const batchKey = `${depth} ${scope.partition}`;
    let group = this.batch.get(batchKey);
    if (!group) this.batch.set(batchKey, (group = { depth, scope, keys: new Set() }));
    group.keys.add(key);
    this.batchTimer ??= setTimeout(() => this.sendBatch(), BATCH_MS);
  }

  private sendBatch(): void {
    this.batchTimer = null;
    const batch = this.batch;
    this.batch = new Map();
    const settings = this.options.settings();
    for (const { depth, scope, keys: keySet } of batch.values()) {
      const keys = [...keySet];
      for (let start = 0; start < keys.length; start += MAX_ADDRESSES_PER_VERIFY) {
        this.send(keys.slice(start, start + MAX_ADDRESSES_PER_VERIFY), depth, settings, scope);
      }
    }
  }

  private send(keys: string[], depth: CheckDepth, settings: ExtensionSettings, scope: Scope): void {
    const answered = new Set<number>();
    const call: VerifyCall = {
      addresses: keys.map((key) => splitScopedKey(key).address),
      options: verifyOptions(settings, depth),
      ...(scope.site !== undefined ? { site: scope.site } : {}),
      deadlineMs: deadlineFor(settings),
      handlers: {
        onResult: (index, result) => {
          const key = keys[index];
          if (key === undefined || answered.has(index)) return;
          answered.add(index);
          this.settle(key, depth);
          this.onResult(key, depth, result);
        },
        onProgress: (stages) => {
          for (const { indexes, ...stage } of stages) {
            for (const index of Array.isArray(indexes) ? indexes : []) {
              const key = keys[index];
              if (key !== undefined && !answered.has(index)) this.onStage(key, depth, stage as CheckStage);
            }
          }
        },
        onDone: () => {
          keys.forEach((key, index) => {
            if (answered.has(index)) return;
            answered.add(index);
            this.settle(key, depth);
            this.onFailed(key, depth, this.options.problems.noResult(splitScopedKey(key).address));
          });
        },
        onFail: (problem) => {
          keys.forEach((key, index) => {
            if (answered.has(index)) return;
            answered.add(index);
            this.settle(key, depth);
            this.onFailed(key, depth, problem);
          });
        },
      },
    };
    this.options.host.verify(call);
  }

  private settle(key: string, depth: CheckDepth): void {
    const depths = this.inflight.get(key);
    depths?.delete(depth);
    if (depths?.size === 0) this.inflight.delete(key);
  }

  // ---------------------------------------------------------------- answers

  private onResult(key: string, depth: CheckDepth, result: VerificationResult): void {
    this.options.cache
      .put(key, depth, result)
      .catch((error: unknown) => console.warn('MX Lens: caching a result failed:', error));
    this.options.onResult?.(key, result);
    const byKey = this.interests.get(key);
    if (!byKey) return;
    for (const [subscriber, interest] of [...byKey]) {
      if (!answers(depth, result, interest.depth)) continue;
      interest.answered = true;
      subscriber.deliver({ kind: 'result', address: interest.spelling, result });
    }
  }

  /**
   * Only the subscribers of this key (its partition: one site's pages, or the user's own asks)
   * that still wait for an answer this check gives hear what it is doing.
   */
  private onStage(key: string, depth: CheckDepth, stage: CheckStage): void {
    for (const [subscriber, interest] of this.interests.get(key) ?? []) {
      if (interest.answered || (interest.depth === 'smtp' && depth === 'dns')) continue;
      subscriber.deliver({ kind: 'stage', address: interest.spelling, stage });
    }
  }

  private onFailed(key: string, depth: CheckDepth, problem: HostProblem): void {
    this.options.onFailed?.(key);
    const byKey = this.interests.get(key);
    if (!byKey) return;
    const status: HostStatus = { state: 'failed', problem };
    for (const [subscriber, interest] of [...byKey]) {
      // Someone who asked for less than this check, or is already answered, keeps what it has.
      if (interest.answered || (interest.depth === 'smtp' && depth === 'dns')) continue;
      // A DNS ask also covered by a deeper check still running waits for that one.
      if (interest.depth === 'dns' && depth === 'smtp' && this.covered(key, 'dns')) continue;
      subscriber.deliver({ kind: 'failed', address: interest.spelling, status });
    }
  }

  private deliverTo(subscriber: Subscriber, key: string, result: VerificationResult): void {
    const interest = this.interests.get(key)?.get(subscriber);
    if (interest) interest.answered = true;
    subscriber.deliver({ kind: 'result', address: interest?.spelling ?? key, result });
  }
}

function parsePortRequest(message: unknown): PortRequest | null {
  if (typeof message !== 'object' || message === null) return null;
  const { kind, addresses, depth, force, trigger } = message as Record<string, unknown>;
  if (kind !== 'check' || !Array.isArray(addresses) || (depth !== 'dns' && depth !== 'smtp')) return null;
  const strings = addresses.filter((address): address is string => typeof address === 'string');
  const request: PortRequest = { kind: 'check', addresses: strings, depth, force: force === true };
  if (trigger === 'auto' || trigger === 'user') request.trigger = trigger;
  return request;
}

function clamp(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, value));
}
