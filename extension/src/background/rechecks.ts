// Asking again later about greylisted and rate-limited addresses: the background alone does
// this (PROTOCOL.md, "Caching and re-checks"). Greylisting delays run to minutes, longer than the
// native port stays open (a minute of quiet) and than the service worker lives, so each such
// result sets a browser alarm, which outlives both: it wakes the background, which checks again
// and caches the answer. At most MAX_ATTEMPTS alarms per address; the attempt is kept in the
// alarm's name, so it survives a restart.

import type { VerificationResult } from '../../../native-host/shared/protocol/messages.js';
import type { ApiAlarms } from './browser-api.js';

const RECHECK_ALARM_PREFIX = 'mxlens-recheck|';
const MAX_ATTEMPTS = 3;
/** Added to the server's delay: greylisting counts from the server's own first sighting. (Chrome makes a packed extension's alarms wait at least 30 s.) */
export const RECHECK_MARGIN_MS = 1_000;

export function alarmName(attempt: number, key: string): string {
  return `${RECHECK_ALARM_PREFIX}${attempt}|${key}`;
}

function parseAlarmName(name: string): { attempt: number; key: string } | null {
  if (!name.startsWith(RECHECK_ALARM_PREFIX)) return null;
  const rest = name.slice(RECHECK_ALARM_PREFIX.length);
  const bar = rest.indexOf('|');
  const attempt = Number(rest.slice(0, bar));
  const key = rest.slice(bar + 1);
  if (bar <= 0 || !Number.isInteger(attempt) || attempt < 1 || key === '') return null;
  return { attempt, key };
}

/** A result worth asking about again, and when (ms from now). */
export function retryDelay(result: VerificationResult): number | null {
  if (result.reason !== 'greylisted' && result.reason !== 'rate_limited') return null;
  const after = result.retryAfterMs;
  return typeof after === 'number' && Number.isFinite(after) && after >= 0 ? after : null;
}

export class RecheckScheduler {
  /** Alarm attempts set in this life of the background, by address. */
  private scheduled = new Map<string, number>();
  /** Addresses being checked because their alarm fired, with that alarm's attempt. */
  private firing = new Map<string, number>();

  constructor(
    private readonly alarms: ApiAlarms,
    private readonly recheck: (key: string) => void,
  ) {}

  /** After every result for an address: set, move or drop its alarm. */
  onResult(key: string, result: VerificationResult): void {
    const delay = retryDelay(result);
    const fired = this.firing.get(key);
    this.firing.delete(key);
    if (delay === null) {
      // Only alarms set in this life are known; one left from an earlier life finds, when it
      // fires, a settled result in the cache and does nothing (see checks.ts).
      if (this.scheduled.has(key)) this.cancel(key);
      return;
    }
    // An alarm's own check that is still greylisted sets the next one.
    const attempt = fired !== undefined ? fired + 1 : 1;
    if (attempt > MAX_ATTEMPTS) {
      this.scheduled.delete(key);
      return;
    }
    if (attempt !== this.scheduled.get(key)) this.clearOthers(key, attempt);
    this.scheduled.set(key, attempt);
    void Promise.resolve(
      this.alarms.create(alarmName(attempt, key), { when: Date.now() + delay + RECHECK_MARGIN_MS }),
    ).catch((error: unknown) => console.warn('MX Lens: could not set a re-check alarm:', error));
  }

  /** runtime's alarms.onAlarm: true when the alarm was ours. */
  onAlarm(name: string): boolean {
    const parsed = parseAlarmName(name);
    if (!parsed) return false;
    this.scheduled.delete(parsed.key);
    this.firing.set(parsed.key, parsed.attempt);
    this.recheck(parsed.key);
    return true;
  }

  /** The check that an alarm started could not be done (host gone): no further alarm. */
  onFailed(key: string): void {
    this.firing.delete(key);
  }

  cancel(key: string): void {
    this.scheduled.delete(key);
    this.clearOthers(key, 0);
  }

  private clearOthers(key: string, keep: number): void {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (attempt !== keep) void this.alarms.clear(alarmName(attempt, key)).catch(() => false);
    }
  }
}
