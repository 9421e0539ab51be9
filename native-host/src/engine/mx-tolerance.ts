// What one mail server (by IP address) puts up with, learned during the run and kept for a
// while, so later sessions stay below it. Real servers count rejected recipients per session:
// stock Postfix slows every reply down by 1 s after 10 errors (smtpd_soft_error_limit) and
// hangs up with "421 4.7.0 Error: too many errors" after 20 (smtpd_hard_error_limit). A session
// cut off half-way costs a new session anyway; one that never gets there costs nothing.

/** RFC 5321 §4.5.3.1.8: servers must take at least 100 recipients per transaction. */
const RECIPIENTS_PER_TRANSACTION = 100;
/** A reply this much later than the previous read, after a rejection, is the server's error sleep. */
const SLOW_REPLY_FLOOR_MS = 500;
const REMEMBER_MS = 60 * 60_000;
const MAX_SERVERS = 10_000;

export interface MxTolerance {
  /** Rejections a session may collect before the server slows down or hangs up; null: none seen. */
  errorLimit: number | null;
  /** Recipients one transaction may carry (a 452 "too many recipients" seen); null: none seen. */
  recipientLimit: number | null;
  /** Pipelined replies could not be matched to commands: talk to it one command at a time. */
  lockstep: boolean;
}

const UNKNOWN: MxTolerance = { errorLimit: null, recipientLimit: null, lockstep: false };

export class MxToleranceMemory {
  private readonly byServer = new Map<string, MxTolerance & { expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(server: string): MxTolerance {
    const known = this.byServer.get(server);
    if (!known || known.expires < this.now()) return UNKNOWN;
    return known;
  }

  /** The server slowed down or hung up after `errors` rejections in one session. */
  learnErrorLimit(server: string, errors: number): void {
    const known = this.get(server);
    const errorLimit = Math.max(1, Math.min(errors, known.errorLimit ?? Number.POSITIVE_INFINITY));
    this.remember(server, { ...known, errorLimit });
  }

  learnRecipientLimit(server: string, recipients: number): void {
    const known = this.get(server);
    const recipientLimit = Math.max(1, Math.min(recipients, known.recipientLimit ?? Number.POSITIVE_INFINITY));
    this.remember(server, { ...known, recipientLimit });
  }

  learnLockstep(server: string): void {
    this.remember(server, { ...this.get(server), lockstep: true });
  }

  private remember(server: string, tolerance: MxTolerance): void {
    this.byServer.delete(server);
    if (this.byServer.size >= MAX_SERVERS) this.byServer.delete(this.byServer.keys().next().value!);
    this.byServer.set(server, { ...tolerance, expires: this.now() + REMEMBER_MS });
  }
}

/**
 * How many recipients (catch-all probes included) the next transaction of a session may carry,
 * when every one of them might be rejected: 0 means "end this session, start a new one".
 * Without a known limit the batch stays as large as RFC 5321 lets it be.
 */
export function recipientsForNextTransaction(tolerance: MxTolerance, rejectionsInSession: number): number {
  const byRecipients = Math.min(RECIPIENTS_PER_TRANSACTION, tolerance.recipientLimit ?? RECIPIENTS_PER_TRANSACTION);
  if (tolerance.errorLimit === null) return byRecipients;
  return Math.max(0, Math.min(byRecipients, tolerance.errorLimit - 1 - rejectionsInSession));
}

/**
 * Watches the replies of a session for the server's error sleep: after some rejections, a read
 * that comes much later than the one before, and the read after it late again (the server
 * sleeps before every reply from then on). A server that buffers pipelined replies sends the
 * ones before the sleep together with the first delayed one, so the delayed reply is the last
 * of its read and the limit is the number of rejections before it. One late read is not
 * enough: a server that paces its replies (a per-client rate, a busy moment) is late once, at
 * the start of a group, and then sends the rest as fast as ever; taking that for an error
 * limit would cut every later session to a recipient or two.
 */
export class ErrorPaceWatch {
  private rejections = 0;
  private lastReadAt: number;
  private currentChunk = -1;
  private chunkSlow = false;
  private rejectionsBeforeLast = 0;
  private limit: number | null = null;

  constructor(
    startedAt: number,
    private readonly slowAfterMs: number,
  ) {
    this.lastReadAt = startedAt;
  }

  /** The threshold for a session whose EHLO took `greetingRttMs`. */
  static thresholdMs(greetingRttMs: number): number {
    return Math.max(SLOW_REPLY_FLOOR_MS, 5 * greetingRttMs);
  }

  get rejected(): number {
    return this.rejections;
  }

  /** Commands were written: the next read is measured from now. */
  sent(at: number): void {
    this.lastReadAt = Math.max(this.lastReadAt, at);
  }

  /** Feeds one reply; replies of one read share `chunk`. */
  reply(code: number, at: number, chunk: number): void {
    if (chunk !== this.currentChunk) {
      const suspected = this.chunkSlow && this.rejectionsBeforeLast > 0 ? this.rejectionsBeforeLast : null;
      this.chunkSlow = at - this.lastReadAt >= this.slowAfterMs;
      if (this.chunkSlow && suspected !== null) this.limit ??= suspected;
      this.currentChunk = chunk;
      this.lastReadAt = at;
    }
    this.rejectionsBeforeLast = this.rejections;
    // 421 is the server closing the session, not a rejection it counted.
    if (code >= 400 && code !== 421) this.rejections++;
  }

  /** After the replies of a read: the rejections the server took before slowing down, or null. */
  slowedDownAfter(): number | null {
    return this.limit;
  }
}
