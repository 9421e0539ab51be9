import type { SocksProxy } from '../../shared/protocol/messages.js';
import type { VerifyOptions } from '../../shared/settings/verify-options.js';
import { defaultBudgetRates } from './budgets.js';

export type { SocksProxy, VerifyOptions };

/**
 * The EHLO name when none is set. Not this machine's host name: every mail server a web page
 * picks would learn it ("alice-macbook", a company's naming scheme). RFC 5321 wants a domain
 * (or an address literal); an address literal of our own address would leak the LAN address
 * behind NAT or a proxy, and a real domain would be somebody else's. `.invalid` is reserved
 * (RFC 6761) never to exist, so this name is well-formed, the same on every machine, names the
 * software rather than the person, and claims no one's identity. Servers that insist on a name
 * resolving to the client's IP refuse it, as they refuse most home host names: set --helo.
 */
const DEFAULT_HELO_NAME = 'mxlens.invalid';

/**
 * Defaults, and why:
 * - sender "" (MAIL FROM:<>): the null reverse-path is what mail servers themselves use for
 *   address-verification callouts and bounces, and RFC 5321 requires it to be accepted. It claims
 *   no one's identity. Using the checked address, or a well-known provider's, would be a lie.
 * - HELO: DEFAULT_HELO_NAME (above), which says nothing about this machine; set --helo to a
 *   name that resolves to the connecting IP when you have one.
 * - budgets: defaultBudgetRates() (budgets.ts).
 * - concurrency 256: politeness is per mail server (connectionsPerHost, and the budgets), so
 *   the overall bound only keeps sockets in check. A small one (it was 8) made distinct servers
 *   wait for each other: 20 domains took 3 rounds of sessions, 200 domains 25. 256 sockets sit
 *   well within the descriptor limit Node raises itself to at start-up.
 */
export function defaultVerifyOptions(): VerifyOptions {
  return {
    level: 'smtp',
    dnsServers: [],
    smtpPort: 25,
    allowPrivate: false,
    heloName: DEFAULT_HELO_NAME,
    sender: '',
    timeoutMs: 20_000,
    catchAllProbe: true,
    greylistWaitMs: 0,
    proxy: null,
    sourceAddress: null,
    concurrency: 256,
    connectionsPerHost: 2,
    verbose: false,
    budgets: defaultBudgetRates(),
  };
}

/** Connect and per-reply timeouts derived from the per-address budget. */
export function stepTimeouts(timeoutMs: number): { connectTimeoutMs: number; replyTimeoutMs: number } {
  return {
    connectTimeoutMs: Math.min(8_000, Math.max(200, Math.floor(timeoutMs / 2))),
    replyTimeoutMs: Math.min(15_000, Math.max(200, Math.floor(timeoutMs / 2))),
  };
}
