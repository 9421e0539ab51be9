import { describeRule } from '../engine/judge.js';
import type { VerificationResult } from '../../shared/result.js';
import type { Verdict } from '../../shared/verdicts.js';
import { escapeForTerminal } from './terminal-text.js';

// The human-readable output of `mxlens verify`: one row per address, colours and a progress
// line only on a terminal (and never with NO_COLOR). Everything in a row but our own words came
// from outside (the input, DNS, the mail server): it is shown with its control characters
// escaped (terminal-text.ts), so no reply can repaint a row or reach the clipboard.

const MARKS: Record<Verdict, { mark: string; colour: number }> = {
  deliverable: { mark: '✔', colour: 32 },
  undeliverable: { mark: '✘', colour: 31 },
  risky: { mark: '!', colour: 33 },
  unknown: { mark: '?', colour: 90 },
};

const MAX_ADDRESS_WIDTH = 40;
const VERDICT_ORDER: readonly Verdict[] = ['deliverable', 'undeliverable', 'risky', 'unknown'];

/** "4 addresses in 2.3 s: 1 deliverable, 2 undeliverable, 1 unknown" (verdicts with none left out). */
function summaryLine(counts: Readonly<Record<Verdict, number>>, elapsedMs: number): string {
  const total = VERDICT_ORDER.reduce((sum, verdict) => sum + counts[verdict], 0);
  const parts = VERDICT_ORDER.filter((verdict) => counts[verdict] > 0).map(
    (verdict) => `${counts[verdict]} ${verdict}`,
  );
  const seconds = elapsedMs < 10_000 ? (elapsedMs / 1000).toFixed(1) : String(Math.round(elapsedMs / 1000));
  return `${total} ${total === 1 ? 'address' : 'addresses'} in ${seconds} s: ${parts.join(', ')}`;
}

export class ResultTable {
  private readonly colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  private readonly showProgress = Boolean(process.stderr.isTTY);
  private readonly addressWidth: number;
  private progressShown = false;
  private checked = { done: 0, total: 0 };
  private readonly started = Date.now();
  private readonly counts: Record<Verdict, number> = { deliverable: 0, undeliverable: 0, risky: 0, unknown: 0 };

  constructor(
    addresses: readonly string[],
    private readonly verbose: boolean,
  ) {
    this.addressWidth = Math.min(MAX_ADDRESS_WIDTH, Math.max(7, ...addresses.map((a) => escapeForTerminal(a).length)));
    process.stdout.write(`${this.row('ADDRESS', 'VERDICT', 'REASON', 'MX', 'REPLY')}\n`);
  }

  write(result: VerificationResult): void {
    this.clearProgress();
    this.counts[result.verdict] += 1;
    const { mark, colour } = MARKS[result.verdict];
    const verdict = this.paint(`${mark} ${result.verdict}`.padEnd(15), colour);
    const reply = result.smtp
      ? `${result.smtp.code}${result.smtp.enhanced ? ` ${result.smtp.enhanced}` : ''} ${firstLine(result.smtp.message)}`
      : '';
    const safe = escapeForTerminal;
    process.stdout.write(
      `${this.row(safe(result.address), verdict, result.reason, safe(result.mx ?? '-'), safe(reply))}\n`,
    );
    const notes = [safe(result.detail)];
    if (result.suggestion) notes.push(`did you mean ${safe(result.suggestion)}?`);
    const flags = Object.entries(result.flags)
      .filter(([, on]) => on === true)
      .map(([name]) => name);
    if (flags.length > 0) notes.push(`flags: ${flags.join(', ')}`);
    process.stdout.write(this.paint(`  ${notes.join(' · ')}\n`, 90));
    if (this.verbose) {
      process.stdout.write(
        this.paint(`    rule ${result.rule}: ${describeRule(result.rule) ?? 'no explanation recorded'}\n`, 90),
      );
    }
    if (this.verbose && result.transcript) {
      process.stdout.write(result.transcript.map((line) => `    ${safe(line)}\n`).join(''));
    }
  }

  progress(done: number, total: number): void {
    this.checked = { done, total };
    if (!this.showProgress || total < 2) return;
    process.stderr.write(`\r${done}/${total} checked`);
    this.progressShown = true;
  }

  /** Work waits for a budget (engine/budgets.ts): say so, rather than look stuck. */
  waiting(ms: number, budget: string): void {
    if (!this.showProgress) return;
    const { done, total } = this.checked;
    process.stderr.write(
      `\r\x1b[K${done}/${total} checked; waiting ${Math.ceil(ms / 1000)} s for the budget of ${escapeForTerminal(budget)}`,
    );
    this.progressShown = true;
  }

  /** Clears the progress line and closes the table with the summary. */
  end(): void {
    this.clearProgress();
    process.stdout.write(`\n${summaryLine(this.counts, Date.now() - this.started)}\n`);
  }

  private clearProgress(): void {
    if (this.progressShown) process.stderr.write('\r\x1b[K');
    this.progressShown = false;
  }

  private row(address: string, verdict: string, reason: string, mx: string, reply: string): string {
    const shownAddress = address.length > this.addressWidth ? `${address.slice(0, this.addressWidth - 1)}…` : address;
    return `${shownAddress.padEnd(this.addressWidth)}  ${verdict.padEnd(15)}  ${reason.padEnd(20)}  ${mx.padEnd(20)}  ${reply}`.trimEnd();
  }

  private paint(text: string, colour: number): string {
    return this.colour ? `\x1b[${colour}m${text}\x1b[0m` : text;
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0] ?? '';
}
