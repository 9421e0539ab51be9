// The messages between the extension and the native messaging host, typed once.
// Pure TypeScript (no Node imports): the host and the extension both import this file.
// PROTOCOL.md at the repository root describes the same thing for people.

import type { VerificationResult } from '../result.js';
import type { ErrorCode } from './error-codes.js';

export type { VerificationResult } from '../result.js';
export type { ErrorCode } from './error-codes.js';

/** The native messaging name the host is registered under, in every browser. */
export const HOST_NAME = 'io.mxlens.host';

/** The version of this protocol. Bumped only for changes an older peer would misread. */
export const PROTOCOL_VERSION = 1;

/** Chosen by the sender of a request, echoed in every reply to it. */
export type RequestId = string | number;

export const LIMITS = {
  /** A frame body (JSON, UTF-8 bytes) to the host may be at most this long; the host's frames are shorter. */
  maxFrameBytes: 1024 * 1024,
  maxAddressesPerRequest: 10_000,
  /** Verify requests running at once; more get `busy`. */
  maxConcurrentRequests: 16,
  /** Longest string `id` accepted. */
  maxIdLength: 200,
  /** Longest `site` accepted (an origin: scheme, a host name of at most 253 characters, a port). */
  maxSiteLength: 300,
} as const;

type Limits = { [K in keyof typeof LIMITS]: number };

/** What this host can do, announced in the hello reply. */
export const CAPABILITIES = ['verify', 'cancel', 'site', 'network', 'progress'] as const;
type Capability = (typeof CAPABILITIES)[number];

// ---------------------------------------------------------------- requests (extension → host)

/** Always the first request. Its shape is frozen for every protocol version. */
export interface HelloRequest {
  type: 'hello';
  id: RequestId;
  protocol: number;
  /** The extension's version, "x.y.z". */
  extension: string;
}

/** Where a check stops: syntax only, syntax and DNS, or the full SMTP check. */
export type CheckLevel = 'syntax' | 'dns' | 'smtp';

/** A SOCKS5 proxy, as parsed from its URL. */
export interface SocksProxy {
  host: string;
  port: number;
  userId?: string;
  password?: string;
}

/** Per-request settings; each one present overrides the host's settings for this request only. */
export interface VerifyRequestOptions {
  level?: CheckLevel;
  /** MAIL FROM; "" (or "<>") is the null sender. */
  sender?: string;
  heloName?: string;
  /** socks5://[user:pass@]host:port; "" means no proxy even if the host's settings name one. */
  proxy?: string;
  timeoutMs?: number;
  /** Probe a random mailbox to detect catch-all domains. */
  catchAll?: boolean;
  greylistWaitMs?: number;
  /** Accepted and ignored (older hosts kept results): the extension asks anew when it sends a request (PROTOCOL.md). */
  fresh?: boolean;
}

export interface VerifyRequest {
  type: 'verify';
  id: RequestId;
  addresses: string[];
  options?: VerifyRequestOptions;
  /** the top-level origin (scheme://host[:port]) of the page that chose these addresses; absent when the user asked (popup, context menu, CLI) */
  site?: string;
  /** send `progress` messages for this verify (capability `progress`); an older host ignores it */
  progress?: boolean;
}

export interface CancelRequest {
  type: 'cancel';
  id: RequestId;
  /** The id of the verify to cancel. */
  target: RequestId;
}

export type Request = HelloRequest | VerifyRequest | CancelRequest;
export type RequestType = Request['type'];
export const REQUEST_TYPES: readonly RequestType[] = ['hello', 'verify', 'cancel'];

// ---------------------------------------------------------------- replies (host → extension)

export interface SettingsProblem {
  setting: string;
  message: string;
}

interface HelloReply {
  type: 'hello';
  id: RequestId;
  protocol: number;
  /** The host's version (MX Lens's package version). */
  version: string;
  capabilities: Capability[];
  limits: Limits;
  /** What was wrong in the host's settings (environment, config file); defaults were used instead. */
  settingsProblems: SettingsProblem[];
  /** What the host's checks have learned about its network so far (capability `network`). */
  network: NetworkRoute[];
}

/** One way out of the host's machine to mail servers, and whether it works (PROTOCOL.md, "network"). */
export interface NetworkRoute {
  port: number;
  /** "host:port" of the SOCKS5 proxy, or null for direct connections. */
  proxy: string | null;
  family: 4 | 6;
  state: 'unknown' | 'open' | 'blocked';
  /** Mail servers whose connects timed out since the route last worked. */
  servers: string[];
}

/**
 * Not a reply: the host's network changed state (outbound port 25 found blocked, or working
 * again). `id` is null: it belongs to no request.
 */
interface NetworkMessage {
  type: 'network';
  id: null;
  network: NetworkRoute[];
}

/** One address's result. Streamed as each becomes known, not in input order. */
export interface ResultMessage {
  type: 'result';
  /** The verify request's id. */
  id: RequestId;
  /** Position of the address in the request's `addresses`. */
  index: number;
  result: VerificationResult;
  /** Some long strings or lists in the message were shortened so the frame stays under the limit. */
  truncated?: true;
}

/** What the check of an address is doing now (PROTOCOL.md, "progress"). */
export type CheckStage =
  | { stage: 'dns' }
  /** waiting for one of MX Lens's own budgets (per site, mail server or domain) */
  | { stage: 'budget' }
  | { stage: 'connecting'; host: string }
  | { stage: 'smtp'; host: string }
  /** the server greylisted it; asked again in `waitMs` (from when the message was sent) */
  | { stage: 'greylisted'; host: string; waitMs: number };

/** Stages that changed since the last `progress` of this verify, each with the addresses (indexes) now in it. */
export interface ProgressMessage {
  type: 'progress';
  id: RequestId;
  stages: Array<CheckStage & { indexes: number[] }>;
}

/** The end of a verify's stream of results. */
export interface DoneMessage {
  type: 'done';
  id: RequestId;
  /** How many `result` messages were sent for this verify. */
  count: number;
  /** The verify was cancelled: addresses without a result were not (fully) checked and get none. */
  cancelled?: true;
}

interface CancelledReply {
  type: 'cancelled';
  id: RequestId;
  target: RequestId;
}

export interface ErrorReply {
  type: 'error';
  /** The request's id, or null when it could not be read. */
  id: RequestId | null;
  code: ErrorCode;
  message: string;
}

export type HostMessage =
  HelloReply | ResultMessage | ProgressMessage | DoneMessage | CancelledReply | ErrorReply | NetworkMessage;

export function errorReply(id: RequestId | null, code: ErrorCode, message: string): ErrorReply {
  return { type: 'error', id, code, message };
}
