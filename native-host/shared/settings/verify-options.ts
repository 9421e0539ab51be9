// The engine's options and budget rates as plain types: the settings table (and through it the
// protocol and the extension) writes them, the engine in native-host/src reads them.
import type { CheckLevel, SocksProxy } from '../protocol/messages.js';

export interface VerifyOptions {
  /** Where to stop: syntax only, syntax and DNS, or the full SMTP check. */
  level: CheckLevel;
  /** DNS servers as "host" or "host:port"; empty means the system's resolvers. */
  dnsServers: string[];
  smtpPort: number;
  /** Allow connecting to loopback, private and other non-public addresses. */
  allowPrivate: boolean;
  heloName: string;
  /** The MAIL FROM address; "" is the null reverse-path "<>". */
  sender: string;
  /** Budget for one address's check (DNS, connecting, one SMTP transaction). */
  timeoutMs: number;
  catchAllProbe: boolean;
  /** How long we may wait for a greylisting server's delay before retrying; 0 never waits. */
  greylistWaitMs: number;
  proxy: SocksProxy | null;
  /** The local address SMTP connections leave from (a worker's own IP); null: the system's choice. */
  sourceAddress: string | null;
  /** SMTP sessions open at once over the whole run. */
  concurrency: number;
  /** SMTP sessions open at once to one mail server address. */
  connectionsPerHost: number;
  /** Keep the SMTP dialogue in each result. */
  verbose: boolean;
  /** Sessions and recipients per minute, per mail server, recipient domain and requesting site. */
  budgets: BudgetRates;
}

/** Per-minute rates; 0 turns that budget off. */
export interface BudgetRates {
  /** SMTP sessions opened to one mail server address. */
  mxSessionsPerMinute: number;
  /** RCPT TO commands sent to one mail server address. */
  mxRcptsPerMinute: number;
  /** SMTP sessions opened for one recipient domain (over all its MX hosts). */
  domainSessionsPerMinute: number;
  /** RCPT TO commands for addresses of one recipient domain. */
  domainRcptsPerMinute: number;
  /** Addresses a web page (one top-level site) may have checked up to SMTP; the user's own checks are not counted. */
  siteChecksPerMinute: number;
}

export type BudgetName = keyof BudgetRates;
