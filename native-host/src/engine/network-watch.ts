import { isIPv6 } from 'node:net';
import type { NetworkRoute } from '../../shared/protocol/messages.js';

// Is outbound SMTP blocked from this network? Home ISPs and the big clouds silently DROP
// packets to port 25: every connection then waits its full connect timeout, for every mail
// server, and each address would end "timeout" one by one. The watch learns it from the
// sessions themselves: connects that time out to several mail servers of several domains, while
// none got through, mean the network (not those servers) is at fault. From then on sessions on
// that route fail at once with that reason, until a retest connects again.
//
// A route is what a connection depends on besides the server: the port, the SOCKS proxy (a proxy
// has its own network) and the address family (IPv6 can be blackholed while IPv4 works).

/** Connect timeouts to this many distinct mail servers (by name), of this many recipient domains. */
const BLOCKED_AFTER_SERVERS = 2;
const BLOCKED_AFTER_DOMAINS = 2;
/** While blocked, sessions fail at once; after this long without new evidence they try again. */
export const RETEST_AFTER_MS = 60_000;
/** A connect that gave up sooner than this (a nearly spent budget) proves nothing. */
const MIN_EVIDENCE_WAIT_MS = 300;
/**
 * A mail server answers a connect well within this; a first connect on an untested route that
 * takes longer starts the second opinion beside it, so a lone address need not wait twice.
 */
const SUSPECT_AFTER_MS = 2_000;

export type RouteState = NetworkRoute['state'];
/** A route: what a connection depends on besides the server. */
export type Route = Omit<NetworkRoute, 'state' | 'servers'>;
/** What the watch knows about one route, for people and for the protocol. */
export type RouteReport = NetworkRoute;

export type NetworkListener = (report: RouteReport) => void;

/** What a test connect to a well-known mail server said (doctor's port-25 check does it). */
export interface SecondOpinion {
  /** true: connected; false: could not connect; null: not tested (its DNS failed). */
  reachable: boolean | null;
  server: string;
  domain: string;
}

/**
 * Asked once per route, on the first connect timeout while the route has never worked: a lone
 * address (one badge on a page) has no second server of its own to compare with.
 */
export type AskSecondOpinion = (route: Route) => Promise<SecondOpinion>;

export interface NetworkWatchOptions {
  now?: () => number;
  secondOpinion?: AskSecondOpinion | null;
}

interface RouteMemory {
  route: Route;
  state: RouteState;
  servers: Set<string>;
  domains: Set<string>;
  lastTimeoutAt: number;
  inFlight: Set<Promise<void>>;
  /** The second opinion was asked for (once per route). */
  asked: boolean;
}

/** One connection attempt: say how it ended, exactly once. */
export interface ConnectAttempt {
  /** TCP (and the proxy, if any) got through: the route works. */
  connected(): void;
  /** No answer within the connect timeout, after waiting `waitedMs`. */
  timedOut(server: string, domains: readonly string[], waitedMs: number): void;
  /** Refused, unreachable, cancelled: nothing learned about the route. */
  failed(): void;
}

export class NetworkWatch {
  private readonly routes = new Map<string, RouteMemory>();
  private readonly listeners = new Set<NetworkListener>();

  private readonly now: () => number;
  private readonly secondOpinion: AskSecondOpinion | null;

  constructor(options: NetworkWatchOptions = {}) {
    this.now = options.now ?? Date.now;
    this.secondOpinion = options.secondOpinion ?? null;
  }

  /** Called whenever a route changes state; returns the unsubscribe function. */
  onChange(listener: NetworkListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  begin(route: Route): ConnectAttempt {
    const memory = this.memory(route);
    let end!: () => void;
    const settled = new Promise<void>((resolve) => (end = resolve));
    memory.inFlight.add(settled);
    const suspect =
      memory.state === 'unknown' && this.secondOpinion && !memory.asked
        ? setTimeout(() => this.askSecondOpinion(memory), SUSPECT_AFTER_MS).unref()
        : null;
    let over = false;
    const finish = (learn: () => void) => {
      if (over) return;
      over = true;
      if (suspect) clearTimeout(suspect);
      memory.inFlight.delete(settled);
      learn();
      end();
    };
    return {
      connected: () => finish(() => this.learnOpen(memory)),
      timedOut: (server, domains, waitedMs) => finish(() => this.learnTimeout(memory, server, domains, waitedMs)),
      failed: () => finish(() => undefined),
    };
  }

  /**
   * Resolves once the attempts on this route that are under way now have ended: a connect
   * timeout is judged together with those that time out beside it, not alone.
   */
  async othersSettled(route: Route): Promise<void> {
    await Promise.all([...this.memory(route).inFlight]);
  }

  /** Port blocked on this route, and not yet time to test it again: fail without connecting. */
  failFast(route: Route): boolean {
    const memory = this.routes.get(routeKey(route));
    return memory?.state === 'blocked' && this.now() - memory.lastTimeoutAt < RETEST_AFTER_MS;
  }

  isBlocked(route: Route): boolean {
    return this.routes.get(routeKey(route))?.state === 'blocked';
  }

  reports(): RouteReport[] {
    return [...this.routes.values()].filter((m) => m.state !== 'unknown').map(report);
  }

  private learnOpen(memory: RouteMemory): void {
    memory.servers.clear();
    memory.domains.clear();
    this.setState(memory, 'open');
  }

  private learnTimeout(memory: RouteMemory, server: string, domains: readonly string[], waitedMs: number): void {
    if (waitedMs < MIN_EVIDENCE_WAIT_MS) return;
    memory.lastTimeoutAt = this.now();
    memory.servers.add(server);
    for (const domain of domains) memory.domains.add(domain);
    if (memory.servers.size >= BLOCKED_AFTER_SERVERS && memory.domains.size >= BLOCKED_AFTER_DOMAINS)
      this.setState(memory, 'blocked');
    else if (memory.state === 'unknown') this.askSecondOpinion(memory);
  }

  /** Counted as an attempt in flight, so the timeouts waiting on othersSettled hear its answer. */
  private askSecondOpinion(memory: RouteMemory): void {
    if (!this.secondOpinion || memory.asked || memory.state !== 'unknown') return;
    memory.asked = true;
    const asking: Promise<void> = this.secondOpinion(memory.route)
      .then((opinion) => {
        if (opinion.reachable === true) this.learnOpen(memory);
        else if (opinion.reachable === false)
          this.learnTimeout(memory, opinion.server, [opinion.domain], MIN_EVIDENCE_WAIT_MS);
      })
      .catch(() => undefined)
      .finally(() => memory.inFlight.delete(asking));
    memory.inFlight.add(asking);
  }

  private setState(memory: RouteMemory, state: RouteState): void {
    if (memory.state === state) return;
    memory.state = state;
    for (const listener of this.listeners) listener(report(memory));
  }

  private memory(route: Route): RouteMemory {
    const key = routeKey(route);
    let memory = this.routes.get(key);
    if (!memory) {
      memory = {
        route: { ...route },
        state: 'unknown',
        servers: new Set(),
        domains: new Set(),
        lastTimeoutAt: 0,
        inFlight: new Set(),
        asked: false,
      };
      this.routes.set(key, memory);
    }
    return memory;
  }
}

/** The route a connection to `ip` takes with these settings. */
export function routeTo(ip: string, port: number, proxy: { host: string; port: number } | null): Route {
  // Through a proxy the family is the proxy's business.
  if (proxy) return { port, proxy: `${proxy.host}:${proxy.port}`, family: 4 };
  return { port, proxy: null, family: isIPv6(ip) ? 6 : 4 };
}

/** "port 25", "port 25 over IPv6", "port 25 through the SOCKS proxy 10.0.0.2:1080". */
export function describeRoute(route: Route): string {
  if (route.proxy) return `port ${route.port} through the SOCKS proxy ${route.proxy}`;
  return `port ${route.port}${route.family === 6 ? ' over IPv6' : ''}`;
}

function routeKey(route: Route): string {
  return `${route.proxy ?? 'direct'}|${route.port}|${route.family}`;
}

function report(memory: RouteMemory): RouteReport {
  return { ...memory.route, state: memory.state, servers: [...memory.servers] };
}
