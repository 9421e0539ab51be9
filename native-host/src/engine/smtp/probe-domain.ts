import { overBudgetDetail, serverClaim, serverRcptClaim, spend, type Budgets } from '../budgets.js';
import type { MailHost } from '../dns.js';
import {
  decide,
  judgeCatchAllProbe,
  judgeRecipient,
  judgeReply,
  judgeSessionFailure,
  type Judgement,
} from '../judge.js';
import { describeRoute, routeTo, type NetworkWatch, type Route } from '../network-watch.js';
import { ErrorPaceWatch, recipientsForNextTransaction, type MxToleranceMemory } from '../mx-tolerance.js';
import { stepTimeouts, type VerifyOptions } from '../options.js';
import type { SmtpReply, TlsInfo } from '../../../shared/result.js';
import { nonPublicReason } from '../target-guard.js';
import type { Reason } from '../../../shared/verdicts.js';
import type { CheckStage } from '../../../shared/protocol/messages.js';
import { openSession, SmtpSessionError, type Command, type Exchange, type SmtpSession } from './session.js';

// One SMTP session to one mail server address, carrying recipients of any domains that this
// server receives mail for: transactions of MAIL FROM, RCPT TO (with one catch-all probe per
// domain not yet known) and RSET or QUIT, pipelined as one group each. Every recipient is
// judged from its own reply only; those the session could not ask go back to the scheduler.

export interface Recipient {
  /** The address as it goes into RCPT TO (ASCII domain). */
  mailbox: string;
  domain: string;
  needsSmtpUtf8: boolean;
}

export interface ProbeOutcome {
  reason: Reason;
  detail: string;
  mx: string | null;
  reply: SmtpReply | null;
  /** Id of the rule that decided the reason (judge.ts). */
  rule: string;
  retryAfterMs?: number;
  tls?: TlsInfo;
  transcript?: string[];
}

/** One address of a mail host to talk to. */
export interface Target {
  host: MailHost;
  ip: string;
  startTls: boolean;
}

/**
 * Why a recipient got no answer from this session:
 * - 'target': the server could not be reached or refused the session: try the next MX;
 * - 'no-tls': STARTTLS failed: the same server again, in plain text;
 * - 'cut': the session ended before its reply (421, reset, timeout): a new session;
 * - 'later': "too many recipients" for this transaction: the next transaction;
 * - 'desync': replies could not be matched to commands: a new session without pipelining.
 */
export type NoAnswer = 'target' | 'no-tls' | 'cut' | 'later' | 'desync';

/** What a session needs from the scheduler that feeds it (R: the scheduler's own recipients). */
export interface SessionWork<R extends Recipient = Recipient> {
  target: Target;
  options: VerifyOptions;
  tolerance: MxToleranceMemory;
  /** Sessions and RCPTs per mail server are drawn from these before they are sent. */
  budgets: Budgets;
  /** What connects have shown about this network (port 25 blocked?). */
  network: NetworkWatch;
  signal?: AbortSignal;
  /** The next recipient waiting for this server, now counted as in this session; null if none. */
  take(): R | null;
  /** Some recipient is still waiting for this server. */
  hasWaiting(): boolean;
  /** Until when this recipient may be asked (its time budget). */
  deadlineOf(recipient: R): number;
  /** This recipient's check entered a stage (for progress reports). */
  stage(recipient: R, stage: CheckStage): void;
  /** Known catch-all state of a domain, null when unknown (then it is probed). */
  catchAllOf(domain: string): boolean | null;
  learnCatchAll(domain: string, catchAll: boolean): void;
  answered(recipient: R, outcome: ProbeOutcome): void;
  unanswered(recipient: R, failure: ProbeOutcome, why: NoAnswer): void;
}

/** The server's addresses we may connect to, in order; or why none is allowed. */
export function allowedTargets(
  hosts: MailHost[],
  allowPrivate: boolean,
): { targets: Target[]; refused: ProbeOutcome | null } {
  const all = hosts.flatMap((host) => host.addresses.map((ip) => ({ host, ip, startTls: true })));
  if (allowPrivate) return { targets: all, refused: null };
  const targets = all.filter(({ ip }) => nonPublicReason(ip) === null);
  const first = all[0]!;
  const refused: ProbeOutcome = {
    ...decide('target-private'),
    detail: `${first.host.name} is at ${first.ip}, a ${nonPublicReason(first.ip)} address; refused (use --allow-private for mail servers on your own network).`,
    mx: first.host.name,
    reply: null,
  };
  return { targets, refused };
}

/** Runs one session until the server has no more waiting recipients or cannot take more. */
export async function runSession<R extends Recipient>(work: SessionWork<R>): Promise<void> {
  const route = routeTo(work.target.ip, work.options.smtpPort, work.options.proxy);
  if (work.network.failFast(route))
    return handBackAll(work, portBlockedOutcome('network-port-blocked', work.target, route));
  const tolerance = work.tolerance.get(work.target.ip);
  const first = await withinServerBudget(work, takeBatch(work, recipientsForNextTransaction(tolerance, 0)), true);
  if (first.recipients.length === 0) return;
  const host = work.target.host.name;
  const connecting: CheckStage = { stage: 'connecting', host };
  for (const r of first.recipients) work.stage(r, connecting);
  const transcript = work.options.verbose ? [] : undefined;
  const carrier = new SessionCarrier(work, transcript);
  const attempt = work.network.begin(route);
  const startedAt = Date.now();
  let session: SmtpSession | null = null;
  try {
    session = await openSession({
      host: work.target.ip,
      port: work.options.smtpPort,
      mxName: work.target.host.name,
      heloName: work.options.heloName,
      ...stepTimeouts(work.options.timeoutMs),
      deadline: earliestDeadline(work, first.recipients),
      startTls: work.target.startTls,
      proxy: work.options.proxy ?? undefined,
      localAddress: work.options.sourceAddress ?? undefined,
      transcript,
      signal: work.signal,
    });
  } catch (error) {
    let failure =
      error instanceof SmtpSessionError
        ? failureOutcome(error, work.target, transcript)
        : internalFailureOutcome(error);
    if (error instanceof SmtpSessionError && error.kind === 'timeout' && error.phase === 'connect') {
      attempt.timedOut(
        work.target.host.name,
        [...new Set(first.recipients.map((r) => r.domain))],
        Date.now() - startedAt,
      );
      // Judged with the connects timing out beside it: one dead server is not a blocked network.
      await work.network.othersSettled(route);
      if (work.network.isBlocked(route))
        failure = portBlockedOutcome('connect-timeouts-across-servers', work.target, route, transcript);
    }
    // Past the connect phase, TCP got through: the route works even if this server did not.
    if (error instanceof SmtpSessionError && error.phase !== 'connect') attempt.connected();
    else attempt.failed();
    const why: NoAnswer =
      error instanceof SmtpSessionError && error.kind === 'tls' && work.target.startTls ? 'no-tls' : 'target';
    for (const r of first.recipients) work.unanswered(r, failure, why);
    return;
  }
  attempt.connected();
  const talking: CheckStage = { stage: 'smtp', host };
  for (const r of first.recipients) work.stage(r, talking);
  await carrier.carry(session, first);
}

/** Every recipient waiting for this server goes on to its next server (or ends with `failure`). */
function handBackAll<R extends Recipient>(work: SessionWork<R>, failure: ProbeOutcome): void {
  for (let r = work.take(); r !== null; r = work.take()) work.unanswered(r, failure, 'target');
}

/** Connects on this route time out to every mail server: the network, not the server, is at fault. */
function portBlockedOutcome(
  rule: 'network-port-blocked' | 'connect-timeouts-across-servers',
  target: Target,
  route: Route,
  transcript?: string[],
): ProbeOutcome {
  const how =
    rule === 'network-port-blocked'
      ? 'not tried: connections to several mail servers had just timed out'
      : 'the connection timed out, as did those to other mail servers';
  return {
    ...decide(rule),
    detail:
      `Outbound ${describeRoute(route)} seems blocked from this network (${target.host.name} [${target.ip}]: ${how}). ` +
      'The mailbox could not be asked from here: check from a team server (mxlens serve, see "Run a team server" in the README) ' +
      'or through a SOCKS5 proxy on a machine that can reach port 25.',
    mx: target.host.name,
    reply: null,
    ...(transcript ? { transcript } : {}),
  };
}

const BUDGET_STAGE: CheckStage = { stage: 'budget' };

interface Batch<R extends Recipient> {
  recipients: R[];
  /** Domains to probe for catch-all in this transaction. */
  probes: string[];
}

/** Up to `room` RCPTs: recipients, plus one probe per domain whose catch-all state is unknown. */
function takeBatch<R extends Recipient>(work: SessionWork<R>, room: number): Batch<R> {
  const batch: Batch<R> = { recipients: [], probes: [] };
  const limit = Math.max(1, room);
  while (batch.recipients.length + batch.probes.length < limit) {
    const next = work.take();
    if (!next) break;
    batch.recipients.push(next);
    const wantsProbe = work.options.catchAllProbe && work.catchAllOf(next.domain) === null;
    const roomLeft = batch.recipients.length + batch.probes.length < limit;
    if (wantsProbe && roomLeft && !batch.probes.includes(next.domain)) batch.probes.push(next.domain);
  }
  return batch;
}

/**
 * The part of a batch the server's budget lets through now (after waiting, if the recipients'
 * budgets allow); the rest is answered "over budget" without being sent.
 */
async function withinServerBudget<R extends Recipient>(
  work: SessionWork<R>,
  batch: Batch<R>,
  newSession: boolean,
): Promise<Batch<R>> {
  if (batch.recipients.length === 0) return batch;
  const wanted = batch.recipients.length + batch.probes.length;
  const claim = newSession ? serverClaim(work.target.ip, wanted) : serverRcptClaim(work.target.ip, wanted);
  const maxWaitMs = (earliestDeadline(work, batch.recipients) - Date.now()) / 2;
  const waiting = () => batch.recipients.forEach((r) => work.stage(r, BUDGET_STAGE));
  const admission = await spend(work.budgets, claim, maxWaitMs, work.signal, waiting);
  if (admission.admitted >= wanted) return batch;
  // Probes go first in the group: they are worth nothing without the recipients they vouch for.
  const recipients = batch.recipients.slice(0, Math.max(0, admission.admitted - batch.probes.length));
  const probes =
    recipients.length > 0 ? batch.probes.filter((domain) => recipients.some((r) => r.domain === domain)) : [];
  const overBudget: ProbeOutcome = {
    ...decide(work.signal?.aborted ? 'session-cancelled' : 'over-budget'),
    detail: work.signal?.aborted ? 'The check was cancelled.' : overBudgetDetail(admission),
    mx: work.target.host.name,
    reply: null,
    ...(work.signal?.aborted ? {} : { retryAfterMs: admission.retryAfterMs }),
  };
  for (const r of batch.recipients.slice(recipients.length)) work.answered(r, overBudget);
  return { recipients, probes };
}

function earliestDeadline<R extends Recipient>(work: SessionWork<R>, recipients: readonly R[]): number {
  let earliest = Infinity;
  for (const r of recipients) earliest = Math.min(earliest, work.deadlineOf(r));
  return earliest;
}

/** Carries batches through one open session; every recipient taken is answered or handed back. */
class SessionCarrier<R extends Recipient> {
  private readonly inFlight = new Set<R>();
  private session: SmtpSession | null = null;
  /** We ended the session ourselves (the server began its error sleep). */
  private abandoned = false;

  constructor(
    private readonly work: SessionWork<R>,
    private readonly transcript: string[] | undefined,
  ) {}

  async carry(session: SmtpSession, first: Batch<R>): Promise<void> {
    const { work } = this;
    this.session = session;
    const watch = new ErrorPaceWatch(Date.now(), ErrorPaceWatch.thresholdMs(session.greetingRttMs));
    let batch = first;
    try {
      while (batch.recipients.length > 0) {
        for (const r of batch.recipients) this.inFlight.add(r);
        const done = await this.transaction(session, batch, watch);
        if (!done || !session.alive || !work.hasWaiting()) break;
        const room = recipientsForNextTransaction(work.tolerance.get(work.target.ip), watch.rejected);
        if (room === 0) break;
        batch = await withinServerBudget(work, takeBatch(work, room), false);
        const talking: CheckStage = { stage: 'smtp', host: work.target.host.name };
        for (const r of batch.recipients) work.stage(r, talking);
      }
    } catch (error) {
      // A bug must not lose the recipients in flight: they get an honest "unknown".
      for (const r of [...this.inFlight]) this.handBack(r, internalFailureOutcome(error), 'cut');
    } finally {
      const failure = this.outcome(decide('session-timeout'), null, 'The session ended before this address was asked.');
      for (const r of this.inFlight) work.unanswered(r, failure, 'cut');
      session.close();
    }
  }

  /**
   * One pipelined group, MAIL to RSET; false when the session cannot go on. RSET ends every
   * group: a reply left over (one too many before it) then shows up in the same read, and it
   * leaves the session ready for another transaction or for QUIT.
   */
  private async transaction(session: SmtpSession, batch: Batch<R>, watch: ErrorPaceWatch): Promise<boolean> {
    const { work } = this;
    const recipients = this.withoutUnsupportedUtf8(session, batch.recipients);
    if (recipients.length === 0) return true;
    const commands: Command[] = [
      session.mailCommand(work.options.sender, { smtputf8: recipients.some((r) => r.needsSmtpUtf8) }),
    ];
    // Probes first: a session cut short still tells whether the domain is a catch-all.
    for (const domain of batch.probes) commands.push(rcptCommand(`${randomLocalPart()}@${domain}`));
    for (const r of recipients) commands.push(rcptCommand(r.mailbox));
    commands.push({ line: 'RSET', phase: 'mail', verb: 'rset' });
    session.setDeadline(earliestDeadline(work, recipients));
    watch.sent(Date.now());
    let lastChunk = -1;
    const exchange = await session.exchange(commands, {
      lockstep: work.tolerance.get(work.target.ip).lockstep,
      onReply: (reply, at, chunk) => {
        watch.reply(reply.code, at, chunk);
        if (chunk === lastChunk) return;
        lastChunk = chunk;
        // After the other replies of this read: is this the server's error sleep?
        queueMicrotask(() => {
          const limit = watch.slowedDownAfter();
          if (limit === null || !session.alive) return;
          work.tolerance.learnErrorLimit(work.target.ip, limit);
          this.abandoned = true;
          session.close();
        });
      },
    });
    this.judge(exchange, recipients, batch.probes, watch);
    return exchange.failure === null;
  }

  private withoutUnsupportedUtf8(session: SmtpSession, recipients: R[]): R[] {
    if (session.capabilities.has('SMTPUTF8')) return recipients;
    return recipients.filter((r) => {
      if (!r.needsSmtpUtf8) return true;
      this.answer(
        r,
        this.outcome(
          decide('smtputf8-not-offered'),
          null,
          'The server does not advertise SMTPUTF8, needed for this non-ASCII address.',
        ),
      );
      return false;
    });
  }

  /** Turns the replies of one group into answers; whatever was not answered goes back. */
  private judge(exchange: Exchange, recipients: R[], probes: string[], watch: ErrorPaceWatch): void {
    const { work } = this;
    const cut = exchange.failure ? failureOutcome(exchange.failure, work.target, this.transcript) : null;
    if (exchange.desync) {
      work.tolerance.learnLockstep(work.target.ip);
      const failure = unmatchedRepliesOutcome(
        work.target,
        exchange.failure?.message ?? 'replies did not match the commands',
        this.transcript,
      );
      for (const r of recipients) this.handBack(r, failure, 'desync');
      return;
    }
    const [mail, ...allRcptReplies] = exchange.replies;
    const rcptReplies = allRcptReplies.slice(probes.length);
    if (!mail || mail.code === 421) {
      for (const r of recipients) this.handBack(r, cut ?? this.closedOutcome(mail ?? null), 'cut');
      return;
    }
    if (mail.code >= 300) {
      const detail = 'The server refused our sender (MAIL FROM); this says nothing about the mailbox.';
      for (const r of recipients) this.answer(r, this.outcome(judgeReply('mail', mail), mail, detail));
      return;
    }

    const probeReplies = new Map(probes.map((domain, i) => [domain, allRcptReplies[i] ?? null]));
    for (const [domain, reply] of probeReplies) {
      const catchAll = reply ? catchAllFromProbe(reply) : null;
      if (catchAll !== null) work.learnCatchAll(domain, catchAll);
    }
    let accepted = probes.length;
    let cutOff = 0;
    recipients.forEach((recipient, index) => {
      const reply = rcptReplies[index] ?? null;
      if (!reply || reply.code === 421) {
        cutOff++;
        return this.handBack(recipient, cut ?? this.closedOutcome(reply), 'cut');
      }
      // A 452 "too many recipients" after the first RCPT means "send the rest in a new transaction".
      if (index + probes.length > 0 && isTooManyRecipients(reply)) {
        work.tolerance.learnRecipientLimit(work.target.ip, accepted);
        return this.handBack(recipient, this.judgeRcpt(reply, null), 'later');
      }
      accepted++;
      this.answer(recipient, this.judgeRcpt(reply, probeReplies.get(recipient.domain) ?? null));
    });
    // The server hung up (or reset) after rejections: that is how many a session may collect.
    const hungUp = exchange.failure?.kind === 'connection' && cutOff > 0 && !this.abandoned;
    if (hungUp && watch.rejected > 0) work.tolerance.learnErrorLimit(work.target.ip, watch.rejected);
  }

  private answer(recipient: R, outcome: ProbeOutcome): void {
    this.inFlight.delete(recipient);
    this.work.answered(recipient, outcome);
  }

  private handBack(recipient: R, failure: ProbeOutcome, why: NoAnswer): void {
    this.inFlight.delete(recipient);
    this.work.unanswered(recipient, failure, why);
  }

  private closedOutcome(reply: SmtpReply | null): ProbeOutcome {
    const error = new SmtpSessionError('connection', 'rcpt', reply, 'the server ended the session');
    return failureOutcome(error, this.work.target, this.transcript);
  }

  private judgeRcpt(reply: SmtpReply, probeReply: SmtpReply | null): ProbeOutcome {
    return this.outcome(judgeRecipient(reply, probeReply), reply);
  }

  private outcome({ reason, rule, retryAfterMs }: Judgement, reply: SmtpReply | null, detail?: string): ProbeOutcome {
    // One object per recipient: built field by field (spreading optional ones costs an object each).
    const outcome: ProbeOutcome = { reason, detail: detail ?? '', mx: this.work.target.host.name, reply, rule };
    if (retryAfterMs !== undefined) outcome.retryAfterMs = retryAfterMs;
    if (this.session) outcome.tls = this.session.tls;
    if (this.transcript) outcome.transcript = this.transcript;
    return outcome;
  }
}

function rcptCommand(mailbox: string): Command {
  return { line: `RCPT TO:<${mailbox}>`, phase: 'rcpt', verb: 'rcpt' };
}

/** Accepted: any address is; refused as unknown: unknown ones are refused; anything else says nothing. */
function catchAllFromProbe(reply: SmtpReply): boolean | null {
  if (isTooManyRecipients(reply)) return null;
  return judgeCatchAllProbe(reply);
}

/**
 * Replies that cannot be matched to their commands (an extra reply, one before its command, a
 * second greeting, a code that cannot answer the command) answer no one: unknown.
 */
function unmatchedRepliesOutcome(target: Target, problem: string, transcript?: string[]): ProbeOutcome {
  return {
    ...decide('replies-unmatched'),
    detail: `${target.host.name} [${target.ip}] sent replies that do not match our commands (${problem}); no reply was taken as this address's answer.`,
    mx: target.host.name,
    reply: null,
    ...(transcript ? { transcript } : {}),
  };
}

/** An unexpected error inside the engine: an honest "unknown" for the addresses it touched. */
export function internalFailureOutcome(error: unknown): ProbeOutcome {
  const message = error instanceof Error ? error.message : String(error);
  return {
    ...decide('internal-error'),
    detail: `MX Lens could not finish this check: ${message}`,
    mx: null,
    reply: null,
  };
}

export function timeoutOutcome(signal?: AbortSignal): ProbeOutcome {
  return signal?.aborted
    ? { ...decide('session-cancelled'), detail: 'The check was cancelled.', mx: null, reply: null }
    : {
        ...decide('session-timeout'),
        detail: 'No mail server answered within the time allowed.',
        mx: null,
        reply: null,
      };
}

function failureOutcome(error: SmtpSessionError, target: Target, transcript: string[] | undefined): ProbeOutcome {
  const where = `${target.host.name} [${target.ip}]`;
  const base = { mx: target.host.name, reply: error.reply, ...(transcript ? { transcript } : {}) };
  const { reason, rule, retryAfterMs } = judgeSessionFailure(error.kind, error.phase, error.reply);
  const judged = { ...base, reason, rule, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  // A server that says why it hangs up (421 "too many connections") is judged by its words.
  switch (error.reply && error.kind === 'connection' ? 'rejected' : error.kind) {
    case 'rejected':
      return { ...judged, detail: `${where} refused us at ${error.phase.toUpperCase()}: ${error.message}` };
    case 'timeout':
      return { ...judged, detail: `${where} did not answer in time (${error.phase}).` };
    case 'aborted':
      return { ...judged, detail: 'The check was cancelled.' };
    case 'protocol':
      return { ...judged, detail: `${where} broke the SMTP protocol: ${error.message}` };
    case 'tls':
      return { ...judged, detail: `STARTTLS with ${where} failed: ${error.message}` };
    case 'connection':
      return { ...judged, detail: `Could not talk to ${where}: ${error.message}` };
  }
}

function isTooManyRecipients(reply: SmtpReply): boolean {
  return reply.code === 452 && (reply.enhanced === '4.5.3' || /too many recipients/i.test(reply.message));
}

const LOCAL_PART_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Random bytes below this are spread evenly over the alphabet (7 × 36); the rest are drawn again. */
const EVEN_BYTES = 252;

/**
 * 14 random letters and digits: no one's mailbox, and not guessable by the server. From the
 * global Web Crypto object, which Node loads when first used (importing node:crypto would load
 * it at every start of the CLI and the host).
 */
function randomLocalPart(): string {
  let local = '';
  const bytes = new Uint8Array(32);
  while (local.length < 14) {
    crypto.getRandomValues(bytes);
    for (const byte of bytes) {
      if (byte < EVEN_BYTES && local.length < 14) local += LOCAL_PART_ALPHABET[byte % LOCAL_PART_ALPHABET.length];
    }
  }
  return local;
}
