import type { Redis } from 'ioredis';
import { serverKey } from '../engine/budgets.js';
import { type MailDns } from '../engine/dns.js';
import type { VerifyOptions } from '../engine/options.js';
import type { VerificationResult } from '../../shared/result.js';
import { parseAddress } from '../../shared/address/syntax.js';

// What the server and the workers agree on: the queue's name, a batch (the recipients of one
// mail server), and the ledger of a batch's answers in Redis. A batch is grouped by the first
// address of its domain's first MX, the key the engine's scheduler and limits use, so one
// worker's SMTP sessions carry the whole batch as they would on one machine.

export const QUEUE_NAME = 'mxlens-checks';
/** Recipients in one batch: about one SMTP transaction's worth (RFC 5321 servers take 100). */
const BATCH_SIZE = 100;
const LEDGER_TTL_SECONDS = 24 * 60 * 60;

export interface BatchInput {
  /** Position of the address in the request. */
  index: number;
  address: string;
}

export interface BatchData {
  /** The mail server address the batch goes to, or what stands for it (no MX: the domain). */
  mx: string;
  options: VerifyOptions;
  inputs: BatchInput[];
  /** Times the batch was handed back because a worker's address was refused by the server. */
  handedBack?: number;
  /** When a worker's address was first refused for this batch (ms since the epoch). */
  refusedAt?: number;
}

/** One answer of a batch; a job's progress event carries the new ones, several at a time. */
export interface BatchAnswer {
  index: number;
  result: VerificationResult;
}

/**
 * Redis connection options for the queue: commands wait while Redis is away (restarted) and
 * go on when it is back, instead of failing the checks in flight. BullMQ requires this too.
 */
export function redisOptions(url: string): { url: string; maxRetriesPerRequest: null } {
  return { url, maxRetriesPerRequest: null };
}

/**
 * Connects to the queue's Redis and resolves once it answers. A Redis that is not up yet (boot
 * order, a restart) is waited for, as ioredis retries (at most 2 s apart), but never silently:
 * each outage is said once on `say`, and its end too.
 */
export async function connectRedis(url: string, say: (line: string) => void): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const where = withoutPassword(url);
  let outage = '';
  redis.on('error', (error: Error) => {
    if (outage) return;
    outage = error.message;
    say(`cannot reach Redis at ${where} (${error.message}); retrying until it answers`);
  });
  redis.on('ready', () => {
    if (outage) say(`Redis at ${where} answers again`);
    outage = '';
  });
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  return redis;
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return url;
  }
}

/**
 * Answers of a batch, keyed by job and input position: written once (HSETNX), so a batch done
 * again after its worker died neither asks a mail server again nor reports an answer twice.
 */
export class BatchLedger {
  constructor(private readonly redis: Redis) {}

  /** Stores the answers not stored before (one round trip for all) and returns those. */
  async save(jobId: string, answers: readonly BatchAnswer[]): Promise<BatchAnswer[]> {
    const key = ledgerKey(jobId);
    const writes = this.redis.multi();
    for (const { index, result } of answers) writes.hsetnx(key, String(index), JSON.stringify(result));
    const replies = (await writes.expire(key, LEDGER_TTL_SECONDS).exec()) as Array<[unknown, number]>;
    return answers.filter((_, n) => replies[n]![1] === 1);
  }

  async answered(jobId: string): Promise<Set<number>> {
    return new Set((await this.redis.hkeys(ledgerKey(jobId))).map(Number));
  }

  /** The stored answers, but for the indexes `skip` names (those are not even parsed). */
  async all(jobId: string, skip: (index: number) => boolean): Promise<BatchAnswer[]> {
    const stored = await this.redis.hgetall(ledgerKey(jobId));
    const answers: BatchAnswer[] = [];
    for (const [key, result] of Object.entries(stored)) {
      const index = Number(key);
      if (!skip(index)) answers.push({ index, result: JSON.parse(result) as VerificationResult });
    }
    return answers;
  }

  async drop(jobId: string): Promise<void> {
    await this.redis.del(ledgerKey(jobId));
  }
}

function ledgerKey(jobId: string): string {
  return `mxlens:answers:${jobId}`;
}

/**
 * The addresses grouped by the mail server that will be asked, in batches of BATCH_SIZE. DNS
 * here only decides the grouping; the worker runs the whole pipeline (its answers are the
 * engine's). Addresses that never reach a mail server are grouped by domain.
 */
export async function batchByMailServer(
  dns: MailDns,
  addresses: readonly string[],
  options: VerifyOptions,
): Promise<Array<Omit<BatchData, 'options'>>> {
  const byDomain = new Map<string, BatchInput[]>();
  const groups = new Map<string, BatchInput[]>();
  const add = (key: string, input: BatchInput, to = groups) => {
    const group = to.get(key);
    if (group) group.push(input);
    else to.set(key, [input]);
  };
  addresses.forEach((address, index) => {
    const parsed = parseAddress(address);
    if (!parsed.ok || options.level === 'syntax') return add('no mail server', { index, address });
    if (parsed.literalIp) return add(serverKey(parsed.literalIp), { index, address });
    add(parsed.domain, { index, address }, byDomain);
  });
  await Promise.all(
    [...byDomain].map(async ([domain, inputs]) => {
      const routing = await dns.resolveMailRouting(domain);
      const first = routing.kind === 'hosts' ? routing.hosts[0]?.addresses[0] : undefined;
      for (const input of inputs) add(first ? serverKey(first) : `domain ${domain}`, input);
    }),
  );
  return [...groups].flatMap(([mx, inputs]) => {
    const batches = [];
    for (let start = 0; start < inputs.length; start += BATCH_SIZE)
      batches.push({ mx, inputs: inputs.slice(start, start + BATCH_SIZE) });
    return batches;
  });
}
