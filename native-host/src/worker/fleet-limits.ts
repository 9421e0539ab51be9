import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Semaphore } from 'redis-semaphore';
import {
  describeBudget,
  type Admission,
  type BudgetName,
  type BudgetRates,
  type Claim,
  type SharedBudgets,
} from '../engine/budgets.js';
import type { SessionGate } from '../engine/mx-scheduler.js';
import type { VerificationResult } from '../../shared/result.js';

// The engine's limits, held for the whole fleet of workers in Redis: sessions open at once to
// one mail server (a semaphore whose slots expire when their worker dies), and the per-minute
// budgets per mail server and recipient domain (rate-limiter-flexible). A refusal aimed at a
// worker's own address pauses that address for that mail server only.

const PREFIX = 'mxlens:';
const PAUSE_PREFIX = `${PREFIX}pause:`;
/** A dead worker's session slot frees itself after this long; live ones renew it. */
const SLOT_LEASE_MS = 10_000;
const SLOT_RETRY_MS = 25;
/** Longest wait for Redis while a recipient's time runs. */
const REDIS_WAIT_MS = 500;
/** How long a worker's address rests from a mail server that refused it, unless told. */
const PAUSE_MS = 5 * 60_000;

/** The limiter and semaphore libraries, loaded only by `mxlens worker` (the bundle keeps them outside). */
export interface FleetModules {
  RateLimiterRedis: typeof RateLimiterRedis;
  RateLimiterRes: typeof RateLimiterRes;
  Semaphore: typeof Semaphore;
}

export async function loadFleetModules(): Promise<FleetModules> {
  const [limiter, semaphore] = await Promise.all([import('rate-limiter-flexible'), import('redis-semaphore')]);
  return {
    RateLimiterRedis: limiter.RateLimiterRedis,
    RateLimiterRes: limiter.RateLimiterRes,
    Semaphore: semaphore.Semaphore,
  };
}

/** At most `perServer` sessions at once to one mail server address, over every worker. */
export class FleetSessionGate implements SessionGate {
  constructor(
    private readonly modules: FleetModules,
    private readonly redis: Redis,
    private readonly perServer: number,
    private readonly onSlotLost: (error: Error) => void,
  ) {}

  async hold(serverIp: string, session: () => Promise<void>): Promise<void> {
    const slot = new this.modules.Semaphore(this.redis, `${PREFIX}sessions:${serverIp}`, this.perServer, {
      lockTimeout: SLOT_LEASE_MS,
      refreshInterval: SLOT_LEASE_MS / 4,
      acquireTimeout: Number.POSITIVE_INFINITY,
      retryInterval: SLOT_RETRY_MS,
      onLockLost: this.onSlotLost,
    });
    await slot.acquire();
    try {
      await session();
    } finally {
      await slot.release().catch(this.onSlotLost);
    }
  }
}

type FleetAdmission = Pick<Admission, 'admitted' | 'retryAfterMs' | 'limitedBy'>;

/** The per-minute budgets, counted in Redis by every worker (fixed one-minute windows). */
export class FleetBudgets implements SharedBudgets {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    private readonly modules: FleetModules,
    private readonly redis: Redis,
  ) {}

  async admit(
    rates: BudgetRates,
    claim: Claim,
    local: Admission,
    maxWaitMs: number,
    signal?: AbortSignal,
  ): Promise<Admission> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const fleet = await this.takeOrLetGo(rates, claim, local.admitted);
      if (fleet === null) return local;
      const giveUp = fleet.admitted > 0 || signal?.aborted || Date.now() + fleet.retryAfterMs > deadline;
      if (giveUp)
        return {
          ...local,
          ...fleet,
          limitedBy: fleet.limitedBy ?? local.limitedBy,
          retryAfterMs: Math.max(local.retryAfterMs, fleet.retryAfterMs),
        };
      await sleep(fleet.retryAfterMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /**
   * The shared budgets' answer, or null when Redis does not answer in time (it is restarting):
   * the recipients' time runs meanwhile, so the worker keeps to its own budgets until it is back.
   */
  private async takeOrLetGo(rates: BudgetRates, claim: Claim, wanted: number): Promise<FleetAdmission | null> {
    let timer: NodeJS.Timeout | undefined;
    const away = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), REDIS_WAIT_MS)));
    try {
      return await Promise.race([this.take(rates, claim, wanted), away]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Takes what every shared bucket allows now, and gives back what was taken beyond that. */
  private async take(rates: BudgetRates, claim: Claim, wanted: number): Promise<FleetAdmission> {
    let admitted = wanted;
    let retryAfterMs = 0;
    let limitedBy: string | null = null;
    const taken: Array<{ limiter: RateLimiterRedis; key: string; points: number; session: boolean }> = [];
    const draw = async (ref: { name: BudgetName; key: string }, session: boolean) => {
      const limiter = this.limiter(ref.name, rates[ref.name]);
      if (!limiter || admitted === 0) return;
      const points = session ? 1 : admitted;
      taken.push({ limiter, key: ref.key, points, session });
      try {
        await limiter.consume(ref.key, points);
      } catch (refusal) {
        if (!(refusal instanceof this.modules.RateLimiterRes)) throw refusal;
        const room = session ? 0 : Math.max(0, rates[ref.name] - (refusal.consumedPoints - points));
        if (room < admitted) [admitted, limitedBy] = [room, describeBudget(ref.name, ref.key, rates[ref.name])];
        retryAfterMs = Math.max(retryAfterMs, refusal.msBeforeNext);
      }
    };
    for (const ref of claim.sessions) await draw(ref, true);
    for (const ref of claim.units) await draw(ref, false);
    for (const { limiter, key, points, session } of taken) {
      const kept = session ? Math.min(1, admitted) : admitted;
      if (points > kept) await limiter.reward(key, points - kept);
    }
    return { admitted, retryAfterMs, limitedBy };
  }

  private limiter(name: BudgetName, perMinute: number): RateLimiterRedis | null {
    if (perMinute <= 0) return null;
    const id = `${name}:${perMinute}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new this.modules.RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${PREFIX}budget:${name}`,
        points: perMinute,
        duration: 60,
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

/** Mail servers that refused this worker's address, and until when (kept in Redis, for all to see). */
export class AddressPauses {
  constructor(
    private readonly redis: Redis,
    /** The worker's source address (or its name when it has none of its own). */
    private readonly source: string,
  ) {}

  async pause(mx: string, result: VerificationResult): Promise<void> {
    await this.redis.set(this.key(mx), result.detail, 'PX', Math.max(result.retryAfterMs ?? 0, PAUSE_MS));
  }

  async isPaused(mx: string): Promise<boolean> {
    return (await this.redis.exists(this.key(mx))) === 1;
  }

  private key(mx: string): string {
    return `${PAUSE_PREFIX}${this.source} ${mx}`;
  }
}

/** Every worker's pauses (a few at most: one per refusing mail server and worker). */
export async function listPauses(redis: Redis): Promise<Array<{ worker: string; mx: string; msLeft: number }>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${PAUSE_PREFIX}*`, 'COUNT', 1000);
    keys.push(...found);
    cursor = next;
  } while (cursor !== '0');
  const left = await Promise.all(keys.map((key) => redis.pttl(key)));
  return keys.map((key, i) => {
    const [worker = '', mx = ''] = key.slice(PAUSE_PREFIX.length).split(' ');
    return { worker, mx, msLeft: Math.max(0, left[i]!) };
  });
}

/** A refusal of the connecting address (a block list, a rate limit), not a verdict on the mailbox. */
export function refusesOurAddress(result: VerificationResult): boolean {
  return result.reason === 'blocked' || (result.reason === 'rate_limited' && result.rule !== 'over-budget');
}
