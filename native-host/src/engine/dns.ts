import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Semaphore } from './limits.js';

/** A host that receives mail for a domain, with the addresses to try in order. */
export interface MailHost {
  name: string;
  preference: number;
  addresses: string[];
  /** No MX record: the domain's own address record stands in (RFC 5321 §5.1). */
  implicit: boolean;
}

export type MailRouting =
  | { kind: 'hosts'; hosts: MailHost[] }
  | { kind: 'null_mx' }
  | { kind: 'no_such_domain' }
  | { kind: 'no_mail_server'; detail: string }
  | { kind: 'dns_error'; detail: string };

export interface DnsOptions {
  /** "host" or "host:port" (IPv6 as "[::1]:53"); empty means the system's resolvers. */
  servers: string[];
  /** For one try of one query. */
  timeoutMs: number;
  /** Tries per query on SERVFAIL or timeout (default 2: one retry). */
  tries?: number;
  /** Queries in flight at once (default 32). */
  maxInFlight?: number;
}

// node:dns does not expose an MX record's TTL, so MX answers are kept this long; address
// records are kept for their own TTL, capped the same way.
const MAX_CACHE_MS = 5 * 60_000;
const NEGATIVE_CACHE_MS = 60_000;
const MAX_CACHE_ENTRIES = 10_000;
/** Thousands of queries fired at once overflow socket buffers and forwarding resolvers'
 *  limits (dnsmasq forwards at most 150 at a time): answers are lost and come back as errors. */
const QUERIES_IN_FLIGHT = 32;
/** Answers worth one more try: the server failed or did not answer, not "no such name". */
const RETRYABLE = new Set(['ESERVFAIL', 'ETIMEOUT', 'ECONNREFUSED', 'EREFUSED']);
const RETRY_BACKOFF_MS = 100;

type Lookup<T> = { ok: true; value: T } | { ok: false; code: string };

interface CacheEntry {
  expires: number;
  answer: Promise<Lookup<unknown>>;
}

export class MailDns {
  private readonly resolver: Resolver;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight: Semaphore;
  private readonly tries: number;

  constructor(options: DnsOptions) {
    // One try per query here; the retry (after a pause) is ours, in ask().
    this.resolver = new Resolver({ timeout: options.timeoutMs, tries: 1 });
    if (options.servers.length > 0) this.resolver.setServers(options.servers);
    this.inFlight = new Semaphore(options.maxInFlight ?? QUERIES_IN_FLIGHT);
    this.tries = Math.max(1, options.tries ?? 2);
  }

  async resolveMailRouting(domain: string): Promise<MailRouting> {
    const mx = await this.lookupMx(domain);
    if (!mx.ok) return this.routingWithoutMx(domain, mx.code);

    const exchanges = mx.value.filter((record) => !isNullExchange(record.exchange));
    if (exchanges.length === 0) {
      return mx.value.length > 0 ? { kind: 'null_mx' } : this.routingWithoutMx(domain, 'ENODATA');
    }
    return this.resolveHosts(sortByPreference(exchanges));
  }

  private async routingWithoutMx(domain: string, code: string): Promise<MailRouting> {
    if (code === 'ENOTFOUND') return { kind: 'no_such_domain' };
    if (code !== 'ENODATA') return { kind: 'dns_error', detail: `MX lookup for ${domain}: ${code}` };

    const implicit = await this.resolveHostAddresses(domain);
    if (implicit.addresses.length > 0) {
      return { kind: 'hosts', hosts: [{ name: domain, preference: 0, addresses: implicit.addresses, implicit: true }] };
    }
    if (implicit.errors.includes('ENOTFOUND')) return { kind: 'no_such_domain' };
    if (implicit.errors.some((error) => error !== 'ENODATA')) {
      return { kind: 'dns_error', detail: `address lookup for ${domain}: ${implicit.errors.join(', ')}` };
    }
    return { kind: 'no_mail_server', detail: `${domain} has no MX, A or AAAA record` };
  }

  private async resolveHosts(exchanges: Array<{ exchange: string; priority: number }>): Promise<MailRouting> {
    const hosts: MailHost[] = [];
    const failures: string[] = [];
    const lookups = await Promise.all(exchanges.map(({ exchange }) => this.resolveHostAddresses(exchange)));
    exchanges.forEach(({ exchange, priority }, index) => {
      const { addresses, errors } = lookups[index]!;
      if (addresses.length > 0) {
        hosts.push({ name: exchange, preference: priority, addresses, implicit: false });
      } else {
        failures.push(`${exchange}: ${errors.join(', ')}`);
      }
    });
    if (hosts.length > 0) return { kind: 'hosts', hosts };
    const onlyMissing = lookups.every(({ errors }) => errors.every((e) => e === 'ENODATA' || e === 'ENOTFOUND'));
    return onlyMissing
      ? { kind: 'no_mail_server', detail: `no MX host has an address (${failures.join('; ')})` }
      : { kind: 'dns_error', detail: `MX host lookups failed (${failures.join('; ')})` };
  }

  /** IPv4 first: many networks that reach port 25 at all have no working IPv6 route. */
  private async resolveHostAddresses(host: string): Promise<{ addresses: string[]; errors: string[] }> {
    if (isIP(host)) return { addresses: [host], errors: [] };
    const [v4, v6] = await Promise.all([this.lookupAddresses(host, 'A'), this.lookupAddresses(host, 'AAAA')]);
    const addresses = [...(v4.ok ? v4.value : []), ...(v6.ok ? v6.value : [])];
    const errors = [v4, v6].flatMap((answer) => (answer.ok ? [] : [answer.code]));
    return { addresses, errors };
  }

  private lookupMx(domain: string): Promise<Lookup<Array<{ exchange: string; priority: number }>>> {
    return this.cached(`MX ${domain}`, async () => {
      const records = await this.ask(() => this.resolver.resolveMx(domain));
      return { value: records, ttlMs: MAX_CACHE_MS };
    });
  }

  private lookupAddresses(host: string, type: 'A' | 'AAAA'): Promise<Lookup<string[]>> {
    return this.cached(`${type} ${host}`, async () => {
      const records = await this.ask(() =>
        type === 'A' ? this.resolver.resolve4(host, { ttl: true }) : this.resolver.resolve6(host, { ttl: true }),
      );
      const ttlSeconds = Math.min(...records.map((record) => record.ttl));
      return { value: records.map((record) => record.address), ttlMs: Math.min(ttlSeconds * 1000, MAX_CACHE_MS) };
    });
  }

  /** One query within the in-flight limit; one more try, after a pause, on SERVFAIL or timeout. */
  private async ask<T>(query: () => Promise<T>, attempt = 1): Promise<T> {
    try {
      return await this.inFlight.use(query);
    } catch (error) {
      const retryable = RETRYABLE.has((error as NodeJS.ErrnoException).code ?? '');
      if (!retryable || attempt >= this.tries) throw error;
      await sleep(attempt * RETRY_BACKOFF_MS * (1 + Math.random()));
      return this.ask(query, attempt + 1);
    }
  }

  /** Caches answers (and NXDOMAIN/NODATA briefly) and shares lookups already in flight. */
  private cached<T>(key: string, query: () => Promise<{ value: T; ttlMs: number }>): Promise<Lookup<T>> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expires > now) return hit.answer as Promise<Lookup<T>>;

    const entry: CacheEntry = { expires: Number.POSITIVE_INFINITY, answer: Promise.resolve({ ok: false, code: '' }) };
    entry.answer = query().then(
      ({ value, ttlMs }) => {
        entry.expires = Date.now() + ttlMs;
        return { ok: true as const, value };
      },
      (error: NodeJS.ErrnoException) => {
        const code = error.code ?? 'EUNKNOWN';
        // Only definite answers are remembered; a SERVFAIL or timeout is asked again next time.
        entry.expires = code === 'ENOTFOUND' || code === 'ENODATA' ? Date.now() + NEGATIVE_CACHE_MS : 0;
        return { ok: false as const, code };
      },
    );
    if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, entry);
    return entry.answer as Promise<Lookup<T>>;
  }
}

/** RFC 7505: a null MX is a single record whose exchange is the root ("." or empty). */
function isNullExchange(exchange: string): boolean {
  return exchange === '' || exchange === '.';
}

/** By preference; hosts of equal preference in random order, as RFC 5321 §5.1 asks. */
function sortByPreference<T extends { priority: number }>(records: T[]): T[] {
  return records
    .map((record) => ({ record, tieBreak: Math.random() }))
    .sort((a, b) => a.record.priority - b.record.priority || a.tieBreak - b.tieBreak)
    .map(({ record }) => record);
}
