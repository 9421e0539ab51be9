import type { VerifyOptions } from '../engine/options.js';
import type { VerificationResult } from '../../shared/result.js';
import type { VerifyRequestOptions } from '../../shared/protocol/messages.js';
import { requestOptions } from '../host/actions/verify.js';
import type { ServeSettings } from '../settings.js';
import type { BulkRunner } from './bulk-runner.js';
import { HttpError } from './errors.js';
import { DailyQuota, RateLimiter } from './limits.js';
import type { AccountStore } from './account-store.js';
import type { KeyStore } from './store.js';
import type { BulkStore } from './bulk-store.js';
import type { Urgency, WorkQueue } from './work-queue.js';

// What every route shares: the settings, the keys and limits, one queue of checks (by default
// one pool of engines in this process, so the DNS cache, catch-all memory and per-MX connection
// limits are shared by all callers; work-queue.ts), and the checks running now.

export interface ServerContext {
  serve: ServeSettings;
  /** The engine's options from the config file and environment; requests may change some. */
  verify: VerifyOptions;
  /** API keys and daily usage: the SQLite database (default) or PostgreSQL. */
  accounts: AccountStore;
  keys: KeyStore;
  rate: RateLimiter;
  quota: DailyQuota;
  /** Where checks run: this process's engines, or workers behind a queue. */
  queue: WorkQueue;
  /** Bulk jobs and results: SQLite (default) or PostgreSQL. */
  store: BulkStore;
  bulk: BulkRunner;
  /** Aborts the checks of live requests (on shutdown). */
  running: Set<AbortController>;
  /** Addresses being checked for live requests right now. */
  inFlight: { addresses: number };
  version: string;
}

export function createContext(parts: Omit<ServerContext, 'rate' | 'quota' | 'running' | 'inFlight'>): ServerContext {
  return {
    ...parts,
    rate: new RateLimiter(parts.serve.ratePerMinute),
    quota: new DailyQuota(parts.accounts, parts.serve.dailyQuota),
    running: new Set(),
    inFlight: { addresses: 0 },
  };
}

/** Extra choices a request may make beyond the native options, where the server allows. */
export interface ServerOnlyOptions {
  smtpPort?: number;
}

/**
 * The engine options for one request: the server's, with the request's on top. A proxy or an
 * SMTP port the server does not let requests choose is refused (403), never silently dropped.
 */
export function optionsFor(
  ctx: ServerContext,
  wanted: VerifyRequestOptions | undefined,
  extra: ServerOnlyOptions = {},
): VerifyOptions {
  if (wanted?.proxy !== undefined && wanted.proxy !== '' && !ctx.serve.allowRequestProxy) {
    throw new HttpError(
      403,
      'forbidden',
      'this server does not let requests choose a proxy (its operator can allow it: MXLENS_SERVE_ALLOW_PROXY=1)',
    );
  }
  if (extra.smtpPort !== undefined && extra.smtpPort !== ctx.verify.smtpPort && !ctx.serve.allowRequestSmtpPort) {
    throw new HttpError(
      403,
      'forbidden',
      `this server checks on port ${ctx.verify.smtpPort} only (its operator can let requests choose: MXLENS_SERVE_ALLOW_SMTP_PORT=1)`,
    );
  }
  const built = requestOptions(ctx.verify, wanted);
  if (!built.ok) throw new HttpError(400, 'bad_request', built.problem);
  if (extra.smtpPort !== undefined) built.options.smtpPort = extra.smtpPort;
  return built.options;
}

/** Takes `count` addresses from the key's daily quota, or throws 429. */
export async function chargeQuota(ctx: ServerContext, keyName: string, count: number): Promise<void> {
  const check = await ctx.quota.take(keyName, count);
  if (!check.ok) throw new HttpError(429, 'quota_exceeded', check.message, check.retryAfterSeconds);
}

/**
 * Checks `addresses` on the server's queue (its shared engines by default), handing each result over as it
 * becomes known. Stops early when `signal` aborts (the caller went away) or the server shuts down.
 */
export async function checkAddresses(
  ctx: ServerContext,
  options: VerifyOptions,
  addresses: readonly string[],
  signal: AbortSignal,
  onResult: (index: number, result: VerificationResult) => void,
  urgency: Urgency = 'live',
): Promise<'done' | 'aborted'> {
  const controller = new AbortController();
  const forward = () => controller.abort();
  signal.addEventListener('abort', forward, { once: true });
  ctx.running.add(controller);
  ctx.inFlight.addresses += addresses.length;
  let left = addresses.length;
  try {
    return await ctx.queue.check(
      options,
      addresses,
      controller.signal,
      (index, result) => {
        left--;
        ctx.inFlight.addresses--;
        onResult(index, result);
      },
      urgency,
    );
  } finally {
    ctx.inFlight.addresses -= left;
    ctx.running.delete(controller);
    signal.removeEventListener('abort', forward);
  }
}
