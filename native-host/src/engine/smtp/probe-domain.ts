import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { overBudgetDetail, serverClaim, spend, type Budgets } from '../budgets.js';
import type { MailHost } from '../dns.js';
import { decide, judgeCatchAllProbe, judgeRecipient, judgeReply, judgeSessionFailure, type Judgement } from '../judge.js';
import type { KeyedSemaphore } from '../limits.js';
import { stepTimeouts, type VerifyOptions } from '../options.js';
import type { SmtpReply, TlsInfo } from '../result.js';
import { nonPublicReason } from '../target-guard.js';
import type { Reason } from '../verdicts.js';
import { openSession, SmtpSessionError, type SmtpSession } from './session.js';

// The SMTP half of the pipeline for one domain: every address at the domain goes through
// one session (one MAIL FROM, many RCPT TO), with the catch-all probe in the same transaction.

export interface Recipient {
  /** The address as it goes into RCPT TO (ASCII domain). */
  mailbox: string;
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

export interface DomainProbeResult {
  outcomes: Map<string, ProbeOutcome>;
  /** true/false when the catch-all probe was answered, null when not probed or unclear. */
  catchAll: boolean | null;
}

export interface DomainProbeInput {
  domain: string;
  hosts: MailHost[];
  recipients: Recipient[];
  /** Known from an earlier probe of this domain: skips the catch-all probe. */
  knownCatchAll: boolean | null;
  options: VerifyOptions;
  connectionsPerHost: KeyedSemaphore;
  /** Sessions and RCPTs per mail server; without it, none are counted. */
  budgets?: Budgets;
  signal?: AbortSignal;
}

interface Target {
  host: MailHost;
  ip: string;
  startTls: boolean;
}

/** RFC 5321 asks servers to accept at least 100 recipients per transaction. */
const RECIPIENTS_PER_TRANSACTION = 100;

export async function probeDomain(input: DomainProbeInput): Promise<DomainProbeResult> {
  const first = await probeOnce(input);
  return retryGreylisted(input, first);
}

/** Waits out a greylisting delay that fits the --greylist-wait budget, then asks again. */
async function retryGreylisted(input: DomainProbeInput, result: DomainProbeResult): Promise<DomainProbeResult> {
  const greylisted = input.recipients.filter((r) => result.outcomes.get(r.mailbox)?.reason === 'greylisted');
  if (greylisted.length === 0 || input.options.greylistWaitMs <= 0) return result;

  const stated = Math.max(...greylisted.map((r) => result.outcomes.get(r.mailbox)?.retryAfterMs ?? 0));
  const wait = stated > 0 ? stated + 500 : input.options.greylistWaitMs;
  if (wait > input.options.greylistWaitMs) return result;

  await sleep(wait, undefined, { signal: input.signal }).catch(() => undefined);
  if (input.signal?.aborted) return result;
  const again = await probeOnce({
    ...input,
    recipients: greylisted,
    knownCatchAll: result.catchAll ?? input.knownCatchAll,
    options: { ...input.options, greylistWaitMs: input.options.greylistWaitMs - wait },
  });
  for (const [mailbox, outcome] of again.outcomes) result.outcomes.set(mailbox, outcome);
  return { outcomes: result.outcomes, catchAll: result.catchAll ?? again.catchAll };
}

async function probeOnce(input: DomainProbeInput): Promise<DomainProbeResult> {
  const outcomes = new Map<string, ProbeOutcome>();
  const { targets, refused } = allowedTargets(input);
  if (targets.length === 0) {
    for (const r of input.recipients) outcomes.set(r.mailbox, refused!);
    return { outcomes, catchAll: null };
  }

  let pending = [...input.recipients];
  let catchAll = input.knownCatchAll;
  let lastFailure: ProbeOutcome | null = null;
  const connectDeadline = Date.now() + input.options.timeoutMs;

  for (let i = 0; i < targets.length && pending.length > 0; i++) {
    if (Date.now() >= connectDeadline || input.signal?.aborted) break;
    const target = targets[i]!;
    const admitted = await withinServerBudget(input, target, pending, connectDeadline);
    if (admitted.failure) lastFailure = admitted.failure;
    if (admitted.recipients.length === 0) continue;
    const attempt = await input.connectionsPerHost.use(target.ip, () =>
      talkTo(target, admitted.recipients, catchAll, connectDeadline, input),
    );
    for (const [mailbox, outcome] of attempt.outcomes) outcomes.set(mailbox, outcome);
    catchAll = attempt.catchAll ?? catchAll;
    pending = pending.filter((r) => !outcomes.has(r.mailbox));
    if (attempt.failure) {
      lastFailure = attempt.failure;
      if (attempt.failure.reason === 'timeout' && Date.now() >= connectDeadline) break;
      if (attempt.retryWithoutTls) targets.push({ ...target, startTls: false });
    }
  }

  const fallback = lastFailure ?? timeoutOutcome(input.signal);
  for (const r of pending) outcomes.set(r.mailbox, fallback);
  return { outcomes, catchAll: input.knownCatchAll ?? catchAll };
}

/** The recipients this server's budget lets through now (after waiting, if it may), and why not the rest. */
async function withinServerBudget(
  input: DomainProbeInput,
  target: Target,
  pending: Recipient[],
  connectDeadline: number,
): Promise<{ recipients: Recipient[]; failure: ProbeOutcome | null }> {
  if (!input.budgets) return { recipients: pending, failure: null };
  if (input.signal?.aborted) return { recipients: [], failure: null };
  const maxWaitMs = (connectDeadline - Date.now()) / 2;
  const admission = await spend(input.budgets, serverClaim(target.ip, pending.length), maxWaitMs, input.signal);
  if (input.signal?.aborted) return { recipients: [], failure: null };
  const failure: ProbeOutcome | null =
    admission.admitted < pending.length
      ? { ...decide('over-budget'), detail: overBudgetDetail(admission), mx: target.host.name, reply: null, retryAfterMs: admission.retryAfterMs }
      : null;
  return { recipients: pending.slice(0, admission.admitted), failure };
}

function timeoutOutcome(signal?: AbortSignal): ProbeOutcome {
  return signal?.aborted
    ? { ...decide('session-cancelled'), detail: 'The check was cancelled.', mx: null, reply: null }
    : { ...decide('session-timeout'), detail: 'No mail server answered within the time allowed.', mx: null, reply: null };
}

function allowedTargets(input: DomainProbeInput): { targets: Target[]; refused: ProbeOutcome | null } {
  const all = input.hosts.flatMap((host) => host.addresses.map((ip) => ({ host, ip, startTls: true })));
  if (input.options.allowPrivate) return { targets: all, refused: null };
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

interface AttemptResult {
  outcomes: Map<string, ProbeOutcome>;
  catchAll: boolean | null;
  /** Why this target gave no answer for the remaining recipients (try the next one). */
  failure: ProbeOutcome | null;
  retryWithoutTls: boolean;
}

async function talkTo(
  target: Target,
  recipients: Recipient[],
  knownCatchAll: boolean | null,
  connectDeadline: number,
  input: DomainProbeInput,
): Promise<AttemptResult> {
  const transcript = input.options.verbose ? [] : undefined;
  const result: AttemptResult = { outcomes: new Map(), catchAll: null, failure: null, retryWithoutTls: false };
  let session: SmtpSession | null = null;
  try {
    session = await openSession({
      host: target.ip,
      port: input.options.smtpPort,
      mxName: target.host.name,
      heloName: input.options.heloName,
      ...stepTimeouts(input.options.timeoutMs),
      deadline: connectDeadline,
      startTls: target.startTls,
      proxy: input.options.proxy ?? undefined,
      transcript,
      signal: input.signal,
    });
    const conversation = new Conversation(session, target, input, transcript);
    await conversation.run(recipients, knownCatchAll, result);
  } catch (error) {
    if (!(error instanceof SmtpSessionError)) throw error;
    result.failure = failureOutcome(error, target, transcript);
    result.retryWithoutTls = error.kind === 'tls' && target.startTls;
  } finally {
    if (session) await session.quit();
  }
  return result;
}

/** One open session: transactions of RCPTs until every recipient has an answer. */
class Conversation {
  constructor(
    private readonly session: SmtpSession,
    private readonly target: Target,
    private readonly input: DomainProbeInput,
    private readonly transcript: string[] | undefined,
  ) {}

  async run(recipients: Recipient[], knownCatchAll: boolean | null, result: AttemptResult): Promise<void> {
    const supportsUtf8 = this.session.capabilities.has('SMTPUTF8');
    let queue = recipients.filter((r) => {
      if (!r.needsSmtpUtf8 || supportsUtf8) return true;
      result.outcomes.set(r.mailbox, this.outcome(decide('smtputf8-not-offered'), null, 'The server does not advertise SMTPUTF8, needed for this non-ASCII address.'));
      return false;
    });
    let probeWanted = this.input.options.catchAllProbe && knownCatchAll === null;

    while (queue.length > 0) {
      this.session.setDeadline(Date.now() + this.input.options.timeoutMs);
      const batch = queue.slice(0, RECIPIENTS_PER_TRANSACTION);
      const answered = await this.transaction(batch, probeWanted, result);
      if (answered === 0) return;
      if (result.catchAll !== null) probeWanted = false;
      queue = queue.filter((r) => !result.outcomes.has(r.mailbox));
      if (queue.length > 0) await this.session.reset();
    }
  }

  /** MAIL, RCPT for the batch (and the catch-all probe), then judge the replies. */
  private async transaction(batch: Recipient[], probeWanted: boolean, result: AttemptResult): Promise<number> {
    const mail = await this.session.mailFrom(this.input.options.sender, {
      smtputf8: batch.some((r) => r.needsSmtpUtf8),
    });
    if (mail.code >= 300) {
      const judgement = judgeReply('mail', mail);
      for (const r of batch) result.outcomes.set(r.mailbox, this.outcome(judgement, mail, 'The server refused our sender (MAIL FROM); this says nothing about the mailbox.'));
      return batch.length;
    }
    const probe = probeWanted ? `${randomLocalPart()}@${this.input.domain}` : null;
    const replies = await this.session.rcptTo([...batch.map((r) => r.mailbox), ...(probe ? [probe] : [])]);
    const probeReply = probe ? replies[batch.length]! : null;
    if (probeReply && !isTooManyRecipients(probeReply)) result.catchAll = judgeCatchAllProbe(probeReply);

    let answered = 0;
    batch.forEach((recipient, index) => {
      const reply = replies[index]!;
      // A 452 "too many recipients" after the first RCPT means "send the rest in a new transaction".
      if (index > 0 && isTooManyRecipients(reply)) return;
      result.outcomes.set(recipient.mailbox, this.outcome(judgeRecipient(reply, probeReply), reply));
      answered++;
    });
    return answered;
  }

  private outcome({ reason, rule, retryAfterMs }: Judgement, reply: SmtpReply | null, detail?: string): ProbeOutcome {
    return {
      reason,
      detail: detail ?? '',
      mx: this.target.host.name,
      reply,
      rule,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      tls: this.session.tls,
      ...(this.transcript ? { transcript: this.transcript } : {}),
    };
  }
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

/** 14 random letters and digits: no one's mailbox, and not guessable by the server. */
function randomLocalPart(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let local = '';
  for (let i = 0; i < 14; i++) local += alphabet[randomInt(alphabet.length)];
  return local;
}
