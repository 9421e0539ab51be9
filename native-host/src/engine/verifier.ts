import { Budgets, domainClaim, overBudgetDetail, spend } from './budgets.js';
import { MailDns, type MailHost, type MailRouting } from './dns.js';
import { computeFlags, suggestAddress } from './flags/index.js';
import { decide, judgeRouting, judgeWithFlags, type Judgement } from './judge.js';
import { KeyedSemaphore, Semaphore } from './limits.js';
import type { VerifyOptions } from './options.js';
import type { Flags, VerificationResult } from './result.js';
import { probeDomain, type ProbeOutcome } from './smtp/probe-domain.js';
import { invalidSyntaxResult, parseAddress, type ParsedAddress } from './syntax.js';
import { REASONS, verdictOf, type Reason } from './verdicts.js';

// The pipeline, in order: syntax → DNS → SMTP → judge. Each stage can end an address's
// check with a reason; what reaches the end is judged from the SMTP reply and the flags.

export interface IndexedResult {
  /** Position of the address in the input. */
  index: number;
  result: VerificationResult;
}

const CATCH_ALL_MEMORY_MS = 60 * 60_000;

/** Who the checks are for: the budgets they draw on, and the web site that asked (null: the user). */
export interface Requester {
  budgets: Budgets;
  site: string | null;
}

export class Verifier {
  private readonly dns: MailDns;
  private readonly sessions: Semaphore;
  private readonly connectionsPerHost: KeyedSemaphore;
  private readonly catchAllByDomain = new Map<string, { catchAll: boolean; expires: number }>();

  private readonly requester: Requester;

  constructor(
    private readonly options: VerifyOptions,
    requester: Partial<Requester> = {},
  ) {
    this.requester = { budgets: requester.budgets ?? new Budgets(options.budgets), site: requester.site ?? null };
    this.dns = new MailDns({
      servers: options.dnsServers,
      timeoutMs: Math.min(5_000, options.timeoutMs),
      tries: 2,
    });
    this.sessions = new Semaphore(options.concurrency);
    this.connectionsPerHost = new KeyedSemaphore(options.connectionsPerHost);
  }

  /**
   * Checks every address and yields each result as soon as it is known (not in input order).
   * Equal addresses are checked once; addresses at one domain share one SMTP session.
   */
  async *verify(addresses: readonly string[], signal?: AbortSignal): AsyncGenerator<IndexedResult> {
    const ready: IndexedResult[] = [];
    let wake: (() => void) | null = null;
    const emit = (index: number, result: VerificationResult) => {
      ready.push({ index, result });
      wake?.();
    };

    const work = this.run(addresses, emit, signal);
    let finished = false;
    const markFinished = () => {
      finished = true;
      wake?.();
    };
    work.then(markFinished, markFinished);
    while (!finished || ready.length > 0) {
      if (ready.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      yield* ready.splice(0);
    }
    await work;
  }

  private async run(
    addresses: readonly string[],
    emit: (index: number, result: VerificationResult) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const byDomain = new Map<string, Map<string, { parsed: ParsedAddress; indexes: number[] }>>();
    addresses.forEach((address, index) => {
      const parsed = parseAddress(address);
      if (!parsed.ok) {
        emit(index, invalidSyntaxResult(address, parsed.problem));
        return;
      }
      if (this.options.level === 'syntax') {
        emit(index, buildResult(address, parsed, { ...decide('level-syntax'), detail: '', mx: null, reply: null }, null));
        return;
      }
      const domainGroup = byDomain.get(parsed.domain) ?? new Map();
      byDomain.set(parsed.domain, domainGroup);
      const same = domainGroup.get(parsed.normalized) ?? { parsed, indexes: [] };
      same.indexes.push(index);
      domainGroup.set(parsed.normalized, same);
    });

    await Promise.all(
      [...byDomain].map(([domain, group]) =>
        this.checkDomain(domain, [...group.values()], signal).then((outcomes) => {
          for (const { parsed, indexes } of group.values()) {
            const { outcome, catchAll } = outcomes.get(parsed.normalized)!;
            for (const index of indexes) emit(index, buildResult(addresses[index]!, parsed, outcome, catchAll));
          }
        }),
      ),
    );
  }

  private async checkDomain(
    domain: string,
    members: Array<{ parsed: ParsedAddress }>,
    signal?: AbortSignal,
  ): Promise<Map<string, { outcome: ProbeOutcome; catchAll: boolean | null }>> {
    const answer = (outcome: ProbeOutcome, catchAll: boolean | null = null) =>
      new Map(members.map(({ parsed }) => [parsed.normalized, { outcome, catchAll }]));

    const literalIp = members[0]!.parsed.literalIp;
    const routing: MailRouting = literalIp
      ? { kind: 'hosts', hosts: [{ name: domain, preference: 0, addresses: [literalIp], implicit: true }] }
      : await this.dns.resolveMailRouting(domain);
    if (routing.kind !== 'hosts') return answer(routingOutcome(domain, routing));
    if (this.options.level === 'dns') {
      const names = routing.hosts.map((host) => host.name).join(', ');
      return answer({ ...decide('level-dns'), detail: `Mail for ${domain} goes to ${names}.`, mx: routing.hosts[0]!.name, reply: null });
    }

    // Over budget: the addresses that do not fit wait, or are answered without connecting.
    const budget = await spend(
      this.requester.budgets,
      domainClaim(domain, members.length, this.requester.site),
      this.options.timeoutMs / 2,
      signal,
    );
    const overBudget: ProbeOutcome = { ...decide('over-budget'), detail: overBudgetDetail(budget), mx: null, reply: null, retryAfterMs: budget.retryAfterMs };
    // A cancelled check goes on to the probe, which answers "cancelled" without connecting.
    const admitted = signal?.aborted ? members : members.slice(0, budget.admitted);
    const outcomes = admitted.length > 0 ? await this.probe(domain, routing.hosts, admitted, signal) : new Map();
    for (const { parsed } of members.slice(admitted.length)) outcomes.set(parsed.normalized, { outcome: overBudget, catchAll: null });
    return outcomes;
  }

  private async probe(
    domain: string,
    hosts: MailHost[],
    members: Array<{ parsed: ParsedAddress }>,
    signal?: AbortSignal,
  ): Promise<Map<string, { outcome: ProbeOutcome; catchAll: boolean | null }>> {
    const knownCatchAll = this.rememberedCatchAll(domain);
    const probe = await this.sessions.use(() =>
      probeDomain({
        domain,
        hosts,
        recipients: members.map(({ parsed }) => ({ mailbox: parsed.normalized, needsSmtpUtf8: !parsed.asciiLocalPart })),
        knownCatchAll,
        options: this.options,
        connectionsPerHost: this.connectionsPerHost,
        budgets: this.requester.budgets,
        signal,
      }),
    );
    if (probe.catchAll !== null && knownCatchAll === null) {
      this.catchAllByDomain.set(domain, { catchAll: probe.catchAll, expires: Date.now() + CATCH_ALL_MEMORY_MS });
    }
    return new Map(
      members.map(({ parsed }) => [parsed.normalized, { outcome: probe.outcomes.get(parsed.normalized)!, catchAll: probe.catchAll }]),
    );
  }

  private rememberedCatchAll(domain: string): boolean | null {
    const known = this.catchAllByDomain.get(domain);
    if (!known || known.expires < Date.now()) return null;
    return known.catchAll;
  }
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
  const flags: Flags = { ...computeFlags(parsed.localPart, parsed.domain), catchAll };
  const { verdict, reason, rule } = judgeWithFlags(decided(outcome), flags);
  return {
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
    ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
    ...(parsed.domainLiteral ? { domainLiteral: true } : {}),
    ...(outcome.tls ? { tls: outcome.tls } : {}),
    ...(outcome.transcript ? { transcript: outcome.transcript } : {}),
  };
}

/** The judgement a stage already made, as carried by its outcome. */
function decided(outcome: ProbeOutcome): Judgement {
  return { verdict: verdictOf(outcome.reason), reason: outcome.reason, rule: outcome.rule };
}

function explain(reason: Reason, outcome: ProbeOutcome): string {
  if (reason !== outcome.reason || !outcome.detail) return REASONS[reason].summary;
  return outcome.detail;
}
