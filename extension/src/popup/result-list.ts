// A list of addresses with their verdicts, updated as results stream in. Each checked
// address is a <details> whose summary is the verdict (icon + word) and the address.

import type { BadgeVerdict, PageAddress, VerificationResult } from '../shared/messages.js';
import type { HostStatus } from '../shared/status.js';
import type { CsvItem } from '../ui/csv.js';
import { el } from '../ui/dom.js';
import { t } from '../ui/i18n.js';
import { renderResultDetails, renderVerdictBadge } from '../ui/verdict-view.js';
import { normalizeAddress } from './addresses.js';

interface Entry {
  address: string;
  verdict: BadgeVerdict;
  result: VerificationResult | null;
  /** Why the check could not be done. */
  failure: string | null;
  invalidInput: boolean;
  /** Not asked for yet (a page address without a verdict). */
  idle: boolean;
  /** A bulk check was cancelled before this address was handed over. */
  cancelled?: boolean;
  item: HTMLLIElement;
}

/** What the count buttons count and filter by: the verdicts, and checks still running. */
export type CountedVerdict = BadgeVerdict;
export const COUNTED_VERDICTS: readonly CountedVerdict[] = [
  'deliverable',
  'undeliverable',
  'risky',
  'unknown',
  'pending',
];

export interface ResultListActions {
  onRecheck: (address: string) => void;
  onSuggestion?: (address: string) => void;
}

function keyOf(address: string): string {
  return address.includes('@') ? normalizeAddress(address) : address;
}

function failureText(status: HostStatus): string {
  if (status.state === 'failed') return t('popupCheckFailedProblem', [status.problem.message]);
  return t('popupCheckFailed');
}

export class ResultList {
  private readonly entries = new Map<string, Entry>();
  private filter: CountedVerdict | null = null;

  constructor(
    private readonly list: HTMLUListElement,
    private readonly actions: ResultListActions,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.list.replaceChildren();
  }

  /** Rows per verdict (invalid input counts as undeliverable); unchecked rows are not counted. */
  counts(): Record<CountedVerdict, number> {
    const counts: Record<CountedVerdict, number> = {
      deliverable: 0,
      undeliverable: 0,
      risky: 0,
      unknown: 0,
      pending: 0,
    };
    for (const entry of this.entries.values()) {
      if (!entry.idle && !entry.cancelled) counts[entry.verdict] += 1;
    }
    return counts;
  }

  /** Shows only the rows with this verdict; null shows all. */
  setFilter(verdict: CountedVerdict | null): void {
    this.filter = verdict;
    for (const entry of this.entries.values()) this.applyFilter(entry);
  }

  get currentFilter(): CountedVerdict | null {
    return this.filter;
  }

  /** A bulk check was cancelled before this address was handed over: it stays unchecked. */
  setCancelled(address: string): void {
    this.upsert(address, {
      verdict: 'unknown',
      result: null,
      failure: null,
      invalidInput: false,
      idle: true,
      cancelled: true,
    });
  }

  has(address: string): boolean {
    return this.entries.has(keyOf(address));
  }

  addresses(): string[] {
    return [...this.entries.values()].filter((entry) => !entry.invalidInput).map((entry) => entry.address);
  }

  addInvalid(token: string): void {
    this.upsert(token, { verdict: 'undeliverable', result: null, failure: null, invalidInput: true, idle: false });
  }

  setPending(address: string): void {
    this.upsert(address, { verdict: 'pending', result: null, failure: null, invalidInput: false, idle: false });
  }

  /** Updates an address already in the list; returns false when it is not in it. */
  setResult(address: string, result: VerificationResult): boolean {
    if (!this.has(address)) return false;
    this.upsert(address, { verdict: result.verdict, result, failure: null, invalidInput: false, idle: false });
    return true;
  }

  setFailed(address: string, status: HostStatus): boolean {
    if (!this.has(address)) return false;
    this.upsert(address, {
      verdict: 'unknown',
      result: null,
      failure: failureText(status),
      invalidInput: false,
      idle: false,
    });
    return true;
  }

  setFromPage(page: PageAddress): void {
    this.upsert(page.address, {
      verdict: page.result ? page.result.verdict : page.verdict,
      result: page.result,
      failure: null,
      invalidInput: false,
      idle: page.result === null && page.verdict !== 'pending',
    });
  }

  csvItems(): CsvItem[] {
    return [...this.entries.values()].map((entry) => ({
      address: entry.address,
      verdict: entry.verdict,
      result: entry.result,
      invalidInput: entry.invalidInput,
    }));
  }

  private upsert(address: string, state: Omit<Entry, 'address' | 'item'>): void {
    const key = keyOf(address);
    const existing = this.entries.get(key);
    const item = existing?.item ?? el('li', { className: 'result-item' });
    const wasOpen = item.querySelector('details')?.open ?? false;
    const entry: Entry = { address: existing?.address ?? address, item, ...state };
    this.entries.set(key, entry);
    this.render(entry, wasOpen);
    this.applyFilter(entry);
    if (!existing) this.list.append(item);
  }

  private applyFilter(entry: Entry): void {
    entry.item.hidden =
      this.filter !== null && (entry.idle || entry.cancelled === true || entry.verdict !== this.filter);
  }

  private render(entry: Entry, open: boolean): void {
    const address = el('span', { className: 'result-item__address', text: entry.address });
    if (entry.invalidInput) {
      const badge = el('span', { className: 'verdict verdict--undeliverable' }, [
        el('span', { className: 'verdict__icon', text: '✗', attrs: { 'aria-hidden': 'true' } }),
        el('span', { className: 'verdict__word', text: t('popupInvalidAddress') }),
      ]);
      entry.item.replaceChildren(el('div', { className: 'result-item__plain' }, [badge, address]));
      return;
    }
    const badge = entry.idle
      ? el('span', { className: 'verdict verdict--unknown' }, [
          el('span', { className: 'verdict__icon', text: '–', attrs: { 'aria-hidden': 'true' } }),
          el('span', {
            className: 'verdict__word',
            text: entry.cancelled ? t('popupCancelledWord') : t('popupNotChecked'),
          }),
        ])
      : renderVerdictBadge(entry.verdict, entry.result?.reason);
    const body = el('div', { className: 'result-item__body' });
    if (entry.result) {
      body.append(
        renderResultDetails(entry.result, this.actions.onSuggestion ? { onSuggestion: this.actions.onSuggestion } : {}),
      );
    } else if (entry.failure) {
      body.append(el('p', { className: 'result-item__failure', text: entry.failure }));
    } else if (entry.verdict === 'pending') {
      body.append(el('p', { className: 'muted', text: t('popupChecking') }));
    } else {
      body.append(el('p', { className: 'muted', text: t('popupNotCheckedYet') }));
    }
    if (entry.verdict !== 'pending') {
      const recheck = el('button', {
        className: 'button button--small',
        text: entry.result || entry.failure ? t('popupRecheck') : t('popupCheckOne'),
        attrs: { type: 'button' },
      });
      recheck.addEventListener('click', () => this.actions.onRecheck(entry.address));
      body.append(el('p', { className: 'actions' }, [recheck]));
    }
    const details = el('details', {}, [el('summary', {}, [badge, address]), body]);
    details.open = open;
    entry.item.replaceChildren(details);
  }
}
