import type { Reason, Verdict } from './verdicts.js';

/** One SMTP reply, as read off the wire by smtp/reply-parser.ts. */
export interface SmtpReply {
  code: number;
  /** RFC 3463 enhanced status code ("5.1.1"), or null when the server sent none. */
  enhanced: string | null;
  /** Text of every line, without code, separator or enhanced code, joined by "\n". */
  message: string;
}

/** The SMTP phase a reply (or a failure) came from: classification depends on it. */
export type SmtpPhase = 'connect' | 'banner' | 'ehlo' | 'helo' | 'starttls' | 'mail' | 'rcpt';

export interface Flags {
  disposable: boolean;
  role: boolean;
  free: boolean;
  /** true: the domain accepts any mailbox; false: it rejects an unknown one; null: not probed. */
  catchAll: boolean | null;
}

export interface TlsInfo {
  /** STARTTLS was negotiated on the session that gave the answer. */
  used: boolean;
  /** The server's certificate was valid for the MX host name (null when TLS was not used). */
  certificateValid: boolean | null;
}

export interface VerificationResult {
  address: string;
  normalized: string | null;
  verdict: Verdict;
  reason: Reason;
  /** Id of the rule that decided the reason (engine/judge.ts), so every verdict can be explained. */
  rule: string;
  mx: string | null;
  smtp: SmtpReply | null;
  flags: Flags;
  suggestion: string | null;
  /** Plain-language account of what happened, for people (not for parsing). */
  detail: string;
  /** For greylisted and rate_limited results: when a re-check makes sense, in ms from now. */
  retryAfterMs?: number;
  /** The address used a domain literal ("user@[192.0.2.1]"): accepted, but unusual. */
  domainLiteral?: boolean;
  tls?: TlsInfo;
  /** The SMTP dialogue, with --verbose. */
  transcript?: string[];
}
