import { setTimeout as sleep } from 'node:timers/promises';
import type { BudgetName, BudgetRates } from '../../shared/settings/verify-options.js';

// Budgets: whoever asks (a web page through the extension, the CLI, a future server), MX Lens
// must not hammer a mail server or burn the user's IP reputation. Token buckets, one per mail
// server address, per recipient domain and per requesting site, refilled continuously at a
// per-minute rate and holding at most one minute's worth. Work over budget waits for tokens
// when they come within the time it may wait; otherwise it is answered `rate_limited`, with
// `retryAfterMs`, without connecting.

export type { BudgetName, BudgetRates };
export const BUDGET_NAMES: readonly BudgetName[] = [
  'mxSessionsPerMinute',
  'mxRcptsPerMinute',
  'domainSessionsPerMinute',
  'domainRcptsPerMinute',
  'siteChecksPerMinute',
];

/**
 * Defaults, and why: a person checking a list rarely sends one server more than a few sessions
 * a minute, and one domain's mailboxes at 100 a minute is faster than anyone reads results.
 * Postfix's own anvil limits and the large providers' throttles start well above a session
 * every few seconds, so these stay under what gets an IP listed, and still bound what a page
 * (60 addresses a minute for the site it is on) can make this machine do.
 */
export function defaultBudgetRates(): BudgetRates {
  return {
    mxSessionsPerMinute: 20,
    mxRcptsPerMinute: 200,
    domainSessionsPerMinute: 10,
    domainRcptsPerMinute: 100,
    siteChecksPerMinute: 60,
  };
}

// ---------------------------------------------------------------- one bucket (pure)

export class TokenBucket {
  private level: number;
  private updated: number;

  /** Starts full: one minute's worth. */
  constructor(
    readonly perMinute: number,
    now: number,
  ) {
    this.level = perMinute;
    this.updated = now;
  }

  private get perMs(): number {
    return this.perMinute / 60_000;
  }

  private refill(now: number): void {
    if (now > this.updated) this.level = Math.min(this.perMinute, this.level + (now - this.updated) * this.perMs);
    this.updated = Math.max(this.updated, now);
  }

  /** How many units could be taken now if the taker may wait up to `maxWaitMs` for them. */
  admissible(now: number, maxWaitMs: number): number {
    this.refill(now);
    return Math.max(0, Math.floor(this.level + maxWaitMs * this.perMs + 1e-9));
  }

  /** Takes `units` (the level may go below zero: a reservation); returns how long to wait for them. */
  take(units: number, now: number): number {
    this.refill(now);
    this.level -= units;
    return this.level >= 0 ? 0 : Math.ceil(-this.level / this.perMs);
  }

  /** Milliseconds until one more unit is available. */
  msUntilOne(now: number): number {
    this.refill(now);
    return this.level >= 1 ? 0 : Math.ceil((1 - this.level) / this.perMs);
  }

  /** Full again: nothing to remember. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.level >= this.perMinute;
  }
}

// ---------------------------------------------------------------- the budgets of one host process

/** Which buckets one piece of work draws on: sessions take one token each, units one per address. */
export interface Claim {
  sessions: Array<{ name: BudgetName; key: string }>;
  units: Array<{ name: BudgetName; key: string }>;
  /** Units wanted (addresses, RCPTs). */
  wanted: number;
}

export interface Admission {
  /** Units admitted (the first `admitted` of those wanted); 0 when none. */
  admitted: number;
  /** How long to wait before starting the admitted work. */
  waitMs: number;
  /** When the rest could be tried again (0 when everything was admitted). */
  retryAfterMs: number;
  /** The budget that held work back, in words, for the result's detail. */
  limitedBy: string | null;
  /** The budget the admitted work waits for (the longest wait), in words, for progress. */
  waitingFor: string | null;
}

/** Told when admitted work waits for a budget, so a person can see why nothing moves. */
export type BudgetWaitListener = (wait: { ms: number; budget: string }) => void;

const MAX_BUCKETS = 10_000;

/**
 * Budgets shared with other processes (workers on several machines): of the units this
 * process admitted, how many the shared budgets let through, after waiting at most `maxWaitMs`.
 */
export interface SharedBudgets {
  admit(
    rates: BudgetRates,
    claim: Claim,
    admitted: Admission,
    maxWaitMs: number,
    signal?: AbortSignal,
  ): Promise<Admission>;
}

export class Budgets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly rates: BudgetRates,
    private readonly now: () => number = Date.now,
    readonly onWait: BudgetWaitListener | null = null,
    readonly shared: SharedBudgets | null = null,
  ) {}

  /**
   * Admits as many of `claim.wanted` units as every bucket allows within `maxWaitMs`, and
   * reserves them. All or part: the units not admitted are over budget.
   */
  admit(claim: Claim, maxWaitMs: number): Admission {
    const now = this.now();
    const sessions = claim.sessions.flatMap((ref) => this.bucket(ref, now));
    const units = claim.units.flatMap((ref) => this.bucket(ref, now));
    let admitted = claim.wanted;
    let limitedBy: string | null = null;
    for (const { bucket, label } of units) {
      const room = bucket.admissible(now, maxWaitMs);
      if (room < admitted) [admitted, limitedBy] = [room, label];
    }
    for (const { bucket, label } of sessions) {
      if (admitted > 0 && bucket.admissible(now, maxWaitMs) < 1) [admitted, limitedBy] = [0, label];
    }

    let waitMs = 0;
    let waitingFor: string | null = null;
    const wait = (ms: number, label: string) => {
      if (ms > waitMs) [waitMs, waitingFor] = [ms, label];
    };
    if (admitted > 0) {
      for (const { bucket, label } of sessions) wait(bucket.take(1, now), label);
      for (const { bucket, label } of units) wait(bucket.take(admitted, now), label);
    }
    let retryAfterMs = 0;
    if (admitted < claim.wanted) {
      for (const { bucket } of [...sessions, ...units]) retryAfterMs = Math.max(retryAfterMs, bucket.msUntilOne(now));
    }
    this.forgetFullBuckets(now);
    return { admitted, waitMs, retryAfterMs, limitedBy, waitingFor };
  }

  private bucket(ref: { name: BudgetName; key: string }, now: number): Array<{ bucket: TokenBucket; label: string }> {
    const rate = this.rates[ref.name];
    if (rate <= 0) return [];
    const id = `${ref.name}\n${ref.key}`;
    let bucket = this.buckets.get(id);
    if (!bucket || bucket.perMinute !== rate) {
      bucket = new TokenBucket(rate, now);
      this.buckets.set(id, bucket);
    }
    return [{ bucket, label: describeBudget(ref.name, ref.key, rate) }];
  }

  private forgetFullBuckets(now: number): void {
    if (this.buckets.size <= MAX_BUCKETS) return;
    for (const [id, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(id);
  }
}

export function describeBudget(name: BudgetName, key: string, rate: number): string {
  switch (name) {
    case 'mxSessionsPerMinute':
      return `${rate} sessions a minute to the mail server ${key}`;
    case 'mxRcptsPerMinute':
      return `${rate} recipients a minute to the mail server ${key}`;
    case 'domainSessionsPerMinute':
      return `${rate} sessions a minute for ${key}`;
    case 'domainRcptsPerMinute':
      return `${rate} addresses a minute at ${key}`;
    case 'siteChecksPerMinute':
      return `${rate} addresses a minute for pages of ${key}`;
  }
}

// ---------------------------------------------------------------- claims the pipeline makes

/** Checking `count` addresses of `domain` in one session, for `site` (null: the user asked). */
export function domainClaim(domain: string, count: number, site: string | null): Claim {
  return {
    sessions: [{ name: 'domainSessionsPerMinute', key: domain }],
    units: [
      { name: 'domainRcptsPerMinute', key: domain },
      ...(site ? [{ name: 'siteChecksPerMinute' as const, key: site }] : []),
    ],
    wanted: count,
  };
}

/** One session with `count` RCPTs to the mail server at `ip`. */
export function serverClaim(ip: string, count: number): Claim {
  const key = serverKey(ip);
  return {
    sessions: [{ name: 'mxSessionsPerMinute', key }],
    units: [{ name: 'mxRcptsPerMinute', key }],
    wanted: count,
  };
}

/** `count` more RCPTs to the mail server at `ip`, in a session already counted. */
export function serverRcptClaim(ip: string, count: number): Claim {
  return { ...serverClaim(ip, count), sessions: [] };
}

/** One server, one key: ::ffff:192.0.2.1 is 192.0.2.1, and IPv6 case does not matter. */
export function serverKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1]! : ip.toLowerCase();
}

/**
 * Admits what fits, waits for its tokens (at most `maxWaitMs`, or until `signal` aborts), and
 * says how many units may go ahead. Nothing is admitted after an abort. `waiting` is told
 * when it waits.
 */
export async function spend(
  budgets: Budgets,
  claim: Claim,
  maxWaitMs: number,
  signal?: AbortSignal,
  waiting?: () => void,
): Promise<Admission> {
  if (signal?.aborted) return { admitted: 0, waitMs: 0, retryAfterMs: 0, limitedBy: null, waitingFor: null };
  const startedAt = Date.now();
  let admission = budgets.admit(claim, Math.max(0, maxWaitMs));
  if (admission.admitted > 0 && admission.waitMs > 0) {
    budgets.onWait?.({ ms: admission.waitMs, budget: admission.waitingFor ?? 'checks' });
    waiting?.();
    await sleep(admission.waitMs, undefined, { signal }).catch(() => undefined);
  }
  if (budgets.shared && admission.admitted > 0 && !signal?.aborted) {
    admission = await budgets.shared.admit(
      budgets.rates,
      claim,
      admission,
      Math.max(0, maxWaitMs - (Date.now() - startedAt)),
      signal,
    );
  }
  return signal?.aborted ? { ...admission, admitted: 0 } : admission;
}

/** The detail of a `rate_limited` result MX Lens gave itself. */
export function overBudgetDetail(admission: Admission): string {
  const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
  return `Not checked: MX Lens's budget of ${admission.limitedBy ?? 'checks'} is spent; no connection was made. Try again in ${seconds} s.`;
}
