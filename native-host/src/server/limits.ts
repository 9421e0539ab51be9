import type { AccountStore } from './account-store.js';

// Per API key: a request rate (token bucket, in memory) and a daily quota of addresses
// (in the database, so a restart does not reset it, and with PostgreSQL one count for all the
// server nodes).

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
  /** Refunds the database could not take (it was down), written before the key's next charge. */
  private readonly owed = new Map<string, { day: string; count: number }>();

  constructor(
    private readonly accounts: AccountStore,
    private readonly perDay: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts `count` addresses against today's quota, or refuses all of them. */
  async take(keyName: string, count: number): Promise<LimitCheck> {
    await this.settle(keyName);
    const charged = await this.accounts.charge(keyName, this.day(), count, this.perDay);
    if (charged.ok) return charged;
    const left = Math.max(0, this.perDay - charged.used);
    return {
      ok: false,
      retryAfterSeconds: this.secondsToMidnight(),
      message: `daily quota reached: this key may check ${this.perDay} addresses a day (UTC), ${left} left today, and this request has ${count}`,
    };
  }

  /**
   * Gives back addresses charged for work that was then refused (the job could not be saved).
   * Never fails: what the database cannot take now (it went down after the charge) is owed,
   * and given back before the key's next charge.
   */
  async refund(keyName: string, count: number): Promise<void> {
    this.owe(keyName, this.day(), count);
    await this.settle(keyName);
  }

  private async settle(keyName: string): Promise<void> {
    const owed = this.owed.get(keyName);
    if (!owed) return;
    this.owed.delete(keyName);
    await this.accounts.refund(keyName, owed.day, owed.count).catch(() => this.owe(keyName, owed.day, owed.count));
  }

  /** (An older day's debt is dropped: that day's usage limits nothing any more.) */
  private owe(keyName: string, day: string, count: number): void {
    const owed = this.owed.get(keyName);
    this.owed.set(keyName, { day, count: count + (owed?.day === day ? owed.count : 0) });
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
