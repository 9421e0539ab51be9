import type { Database } from './store.js';
import { UsageStore } from './store.js';

// Per API key: a request rate (token bucket, in memory) and a daily quota of addresses
// (in the database, so a restart does not reset it).

export type LimitCheck = { ok: true } | { ok: false; retryAfterSeconds: number; message: string };

/** `perMinute` requests a minute, in bursts of up to `perMinute`. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(keyName: string): LimitCheck {
    const now = this.now();
    const perMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(keyName) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    this.buckets.set(keyName, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    return {
      ok: false,
      retryAfterSeconds,
      message: `too many requests: this key may make ${this.perMinute} a minute; retry in ${retryAfterSeconds} s`,
    };
  }
}

export class DailyQuota {
  private readonly usage: UsageStore;
  private readonly takeAtomically: (keyName: string, count: number) => LimitCheck;

  constructor(
    db: Database,
    private readonly perDay: number,
    private readonly now: () => number = Date.now,
  ) {
    this.usage = new UsageStore(db);
    this.takeAtomically = db.transaction((keyName: string, count: number): LimitCheck => {
      const day = this.day();
      const used = this.usage.used(keyName, day);
      if (used + count > this.perDay) {
        const left = Math.max(0, this.perDay - used);
        return {
          ok: false,
          retryAfterSeconds: this.secondsToMidnight(),
          message: `daily quota reached: this key may check ${this.perDay} addresses a day (UTC), ${left} left today, and this request has ${count}`,
        };
      }
      this.usage.record(keyName, day, count);
      return { ok: true };
    });
  }

  /** Counts `count` addresses against today's quota, or refuses all of them. */
  take(keyName: string, count: number): LimitCheck {
    return this.takeAtomically(keyName, count);
  }

  /** Gives back addresses charged for work that was then refused (the job could not be saved). */
  refund(keyName: string, count: number): void {
    this.usage.record(keyName, this.day(), -count);
  }

  private day(): string {
    return new Date(this.now()).toISOString().slice(0, 10);
  }

  private secondsToMidnight(): number {
    const now = this.now();
    const midnight = new Date(now);
    midnight.setUTCHours(24, 0, 0, 0);
    return Math.max(1, Math.ceil((midnight.getTime() - now) / 1000));
  }
}
