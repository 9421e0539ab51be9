import { Budgets, domainClaim, overBudgetDetail, spend } from './budgets.js';
import { MailDns, type MailRouting } from './dns.js';
import { computeFlags, suggestAddress, warmDomainFlags } from './flags/index.js';
import { decide, judgeRouting, judgeWithFlags, type Judgement } from './judge.js';
import { MxScheduler, type SessionGate } from './mx-scheduler.js';
import { NetworkWatch } from './network-watch.js';
import type { VerifyOptions } from './options.js';
import type { Flags, VerificationResult } from '../../shared/result.js';
import type { CheckStage } from '../../shared/protocol/messages.js';
import { allowedTargets, internalFailureOutcome, type ProbeOutcome } from './smtp/probe-domain.js';
import { invalidSyntaxResult, parseAddress, type ParsedAddress } from '../../shared/address/syntax.js';
import { REASONS, verdictOf, type Reason } from '../../shared/verdicts.js';

// The pipeline, in order: syntax → DNS → SMTP → judge. Each stage can end an address's
// check with a reason; what reaches the end is judged from the SMTP reply and the flags.

export interface IndexedResult {
  /** Position of the address in the input. */
  index: number;
  result: VerificationResult;
}

const CATCH_ALL_MEMORY_MS = 60 * 60_000;
/** Characters RCPT TO cannot carry, even inside a quoted local part. */
const UNSENDABLE = /[\r\n\0<>]/;

interface Member {
  parsed: ParsedAddress;
  indexes: number[];
}

/** Told when addresses (by input index) enter a stage of their check. */
export type StageListener = (indexes: number[], stage: CheckStage) => void;

/**
 * Who the checks are for: the budgets they draw on, the web site that asked (null: the user),
 * and what is known about the network they run from (shared by every Verifier of a process).
 */
export interface Requester {
  budgets: Budgets;
  site: string | null;
  network: NetworkWatch;
  /** Per-server session limits shared with other processes (null: this process alone). */
  gate: SessionGate | null;
}

export class Verifier {
  private readonly dns: MailDns;
  private readonly scheduler: MxScheduler;
  private readonly catchAllByDomain = new Map<string, { catchAll: boolean; expires: number }>();
  private readonly requester: Requester;

  constructor(
    private readonly options: VerifyOptions,
    requester: Partial<Requester> = {},
  ) {
    this.requester = {
      budgets: requester.budgets ?? new Budgets(options.budgets),
      site: requester.site ?? null,
      network: requester.network ?? new NetworkWatch(),
      gate: requester.gate ?? null,
    };
    this.dns = new MailDns({ servers: options.dnsServers, timeoutMs: dnsQueryTimeout(options.timeoutMs) });
    this.scheduler = new MxScheduler(
      options,
      {
        known: (domain) => this.rememberedCatchAll(domain),
        learn: (domain, catchAll) =>
          this.catchAllByDomain.set(domain, { catchAll, expires: Date.now() + CATCH_ALL_MEMORY_MS }),
      },
      this.requester.budgets,
      this.requester.network,
      undefined,
      this.requester.gate,
    );
  }

  /** What this Verifier's sessions have learned about the network. */
  get network(): NetworkWatch {
    return this.requester.network;
  }

  /**
   * Checks every address and yields each result as soon as it is known (not in input order).
   * Equal addresses are checked once; addresses whose domains share a mail server share its
   * SMTP sessions.
   */
  async *verify(
    addresses: readonly string[],
    signal?: AbortSignal,
    onStage?: StageListener,
  ): AsyncGenerator<IndexedResult> {
    for await (const batch of this.verifyInBatches(addresses, signal, onStage)) yield* batch;
  }

  /**
   * As verify(), but yields the results known by then together: a session answers up to 100
   * at once, and every step of an async generator costs a few promises.
   */
  async *verifyInBatches(
    addresses: readonly string[],
    signal?: AbortSignal,
    onStage?: StageListener,
  ): AsyncGenerator<IndexedResult[]> {
    const ready: IndexedResult[] = [];
    let wake: (() => void) | null = null;
    const emit = (index: number, result: VerificationResult) => {
      ready.push({ index, result });
      wake?.();
    };

    const work = this.run(addresses, emit, signal, onStage);
    let finished = false;
    const markFinished = () => {
      finished = true;
      wake?.();
    };
    work.then(markFinished, markFinished);
    while (!finished || ready.length > 0) {
      if (ready.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      if (ready.length > 0) yield ready.splice(0);
    }
    await work;
  }

  private async run(
    addresses: readonly string[],
    emit: (index: number, result: VerificationResult) => void,
    signal?: AbortSignal,
    onStage?: StageListener,
  ): Promise<void> {
    const byDomain = new Map<string, Map<string, Member>>();
    addresses.forEach((address, index) => {
      const parsed = parseAddress(address);
      if (!parsed.ok) return emit(index, invalidSyntaxResult(address, parsed.problem));
      if (UNSENDABLE.test(parsed.normalized)) {
        return emit(
          index,
          invalidSyntaxResult(address, 'control characters, "<" and ">" cannot be sent to a mail server'),
        );
      }
      if (this.options.level === 'syntax') {
        return emit(
          index,
          buildResult(address, parsed, { ...decide('level-syntax'), detail: '', mx: null, reply: null }, null),
        );
      }
      const domainGroup = byDomain.get(parsed.domain) ?? new Map<string, Member>();
      byDomain.set(parsed.domain, domainGroup);
      // An address seen before joins its twin; a new one gets a list of exactly one index (an
      // empty list grown by push would reserve room for 17, on each of 10,000 addresses).
      const same = domainGroup.get(parsed.normalized);
      if (same) same.indexes.push(index);
      else domainGroup.set(parsed.normalized, { parsed, indexes: [index] });
    });

    const answer = (member: Member, outcome: ProbeOutcome) => {
      const catchAll = outcome.mx !== null ? this.rememberedCatchAll(member.parsed.domain) : null;
      for (const index of member.indexes) emit(index, buildResult(addresses[index]!, member.parsed, outcome, catchAll));
    };
    await Promise.all(
      [...byDomain].map(([domain, group]) =>
        this.checkDomain(domain, [...group.values()], answer, signal, onStage).catch((error: unknown) => {
          // A bug must not cost the other addresses their answers, nor these theirs.
          for (const member of group.values()) answer(member, internalFailureOutcome(error));
        }),
      ),
    );
  }

  /** DNS for the domain, then every address goes to the scheduler; resolves when all answered. */
  private async checkDomain(
    domain: string,
    members: Member[],
    answer: (member: Member, outcome: ProbeOutcome) => void,
    signal?: AbortSignal,
    onStage?: StageListener,
  ): Promise<void> {
    const startedAt = Date.now();
    const literalIp = members[0]!.parsed.literalIp;
    const tell = (some: Member[], stage: CheckStage) =>
      onStage?.(
        some.flatMap((m) => m.indexes),
        stage,
      );
    if (!literalIp) tell(members, { stage: 'dns' });
    const routing: MailRouting = literalIp
      ? { kind: 'hosts', hosts: [{ name: domain, preference: 0, addresses: [literalIp], implicit: true }] }
      : await this.dns.resolveMailRouting(domain);
    if (routing.kind !== 'hosts') return members.forEach((m) => answer(m, routingOutcome(domain, routing)));
    if (this.options.level === 'dns') {
      const names = routing.hosts.map((host) => host.name).join(', ');
      const outcome = {
        ...decide('level-dns'),
        detail: `Mail for ${domain} goes to ${names}.`,
        mx: routing.hosts[0]!.name,
        reply: null,
      };
      return members.forEach((m) => answer(m, outcome));
    }
    const { targets, refused } = allowedTargets(routing.hosts, this.options.allowPrivate);
    if (targets.length === 0) return members.forEach((m) => answer(m, refused!));

    // Over budget: the addresses that do not fit wait, or are answered without connecting.
    const budget = await spend(
      this.requester.budgets,
      domainClaim(domain, members.length, this.requester.site),
      (this.options.timeoutMs - (Date.now() - startedAt)) / 2,
      signal,
      () => tell(members, { stage: 'budget' }),
    );
    const overBudget: ProbeOutcome = {
      ...decide('over-budget'),
      detail: overBudgetDetail(budget),
      mx: null,
      reply: null,
      retryAfterMs: budget.retryAfterMs,
    };
    // A cancelled check goes on to the scheduler, which answers "cancelled" without connecting.
    const admitted = signal?.aborted ? members : members.slice(0, budget.admitted);
    for (const member of members.slice(admitted.length)) answer(member, overBudget);

    const budgetMs = this.options.timeoutMs - (Date.now() - startedAt);
    let waiting = admitted.length;
    if (waiting === 0) return;
    await new Promise<void>((allAnswered) => {
      for (const member of admitted) {
        this.scheduler.submit(
          {
            mailbox: member.parsed.normalized,
            domain,
            needsSmtpUtf8: !member.parsed.asciiLocalPart,
            targets,
            budgetMs,
            stage: onStage && ((stage) => tell([member], stage)),
            done: (outcome) => {
              answer(member, outcome);
              if (--waiting === 0) allAnswered();
            },
          },
          signal,
        );
      }
      // The domain's flags are for the results, once answered; worked out now, behind the
      // scheduler's first connect, they cost no wall time: the first domain of a run parses
      // the disposable and provider lists (~5-10 ms) while the banner is on its way.
      setImmediate(() => warmDomainFlags(domain));
    });
  }

  private rememberedCatchAll(domain: string): boolean | null {
    const known = this.catchAllByDomain.get(domain);
    if (!known || known.expires < Date.now()) return null;
    return known.catchAll;
  }
}

/**
 * Each DNS query gets a slice of the address's budget, so that the MX lookup and the host's
 * address lookups, each with one retry, leave time for SMTP.
 */
function dnsQueryTimeout(timeoutMs: number): number {
  return Math.min(2_500, Math.max(200, Math.floor(timeoutMs / 8)));
}

/** The result for an address the engine could not finish (it broke down): unknown, never a guess. */
export function unfinishedResult(address: string, error: unknown): VerificationResult {
  const outcome = internalFailureOutcome(error ?? new Error('no result was produced'));
  return {
    address,
    normalized: null,
    verdict: verdictOf(outcome.reason),
    reason: outcome.reason,
    rule: outcome.rule,
    mx: null,
    smtp: null,
    flags: { disposable: false, role: false, free: false, catchAll: null },
    suggestion: null,
    detail: outcome.detail,
  };
}

function routingOutcome(domain: string, routing: Exclude<MailRouting, { kind: 'hosts' }>): ProbeOutcome {
  const { reason, rule } = judgeRouting(routing.kind);
  const base = { reason, rule, mx: null, reply: null };
  switch (routing.kind) {
    case 'null_mx':
      return { ...base, detail: `${domain} publishes a null MX: it accepts no mail.` };
    case 'no_such_domain':
      return { ...base, detail: `${domain} does not exist in DNS.` };
    case 'no_mail_server':
    case 'dns_error':
      return { ...base, detail: routing.detail };
  }
}

/** Turns the stage that decided into the result, with the verdict adjusted by the flags. */
function buildResult(
  address: string,
  parsed: ParsedAddress,
  outcome: ProbeOutcome,
  catchAll: boolean | null,
): VerificationResult {
  const { disposable, role, free } = computeFlags(parsed.localPart, parsed.domain);
  const flags: Flags = { disposable, role, free, catchAll };
  const { verdict, reason, rule } = judgeWithFlags(decided(outcome), flags);
  // One object per address, built field by field (spreading optional ones costs an object each).
  const result: VerificationResult = {
    address,
    normalized: parsed.normalized,
    verdict,
    reason,
    rule,
    mx: outcome.mx,
    smtp: outcome.reply,
    flags,
    suggestion: suggestAddress(parsed.localPart, parsed.domain),
    detail: explain(reason, outcome),
  };
  if (outcome.retryAfterMs !== undefined) result.retryAfterMs = outcome.retryAfterMs;
  if (parsed.domainLiteral) result.domainLiteral = true;
  if (outcome.tls) result.tls = outcome.tls;
  if (outcome.transcript) result.transcript = outcome.transcript;
  return result;
}

/** The judgement a stage already made, as carried by its outcome. */
function decided(outcome: ProbeOutcome): Judgement {
  return { verdict: verdictOf(outcome.reason), reason: outcome.reason, rule: outcome.rule };
}

function explain(reason: Reason, outcome: ProbeOutcome): string {
  if (reason !== outcome.reason || !outcome.detail) return REASONS[reason].summary;
  return outcome.detail;
}
