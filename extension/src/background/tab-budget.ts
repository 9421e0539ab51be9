// How many addresses a tab may have checked automatically: one budget per tab, shared by all
// of its frames (five iframes get no more than one page), counted here in the background where
// no frame can reset it. A budget holds for one top-level site for at most BUDGET_WINDOW_MS;
// addresses already admitted stay free (a reload, a port that reconnected). It lives in
// storage.session, so a service worker that was stopped and started again keeps counting.
// Checks the user asks for (a click, the popup, the context menu) never come through here.

import type { ApiStorageArea } from './browser-api.js';

const BUDGET_WINDOW_MS = 60 * 60_000;
export const BUDGETS_KEY = 'tabBudgets';

interface Budget {
  site: string;
  since: number;
  used: string[];
}

export interface Admission {
  allowed: string[];
  refused: string[];
}

export class TabBudgets {
  private budgets: Map<number, Budget> | null = null;
  /** One admission at a time: each reads what the one before it wrote. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    /** storage.session where the browser has it; null keeps budgets in memory only. */
    private readonly storage: ApiStorageArea | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** Which of these addresses (normalized) tab `tabId`, showing `site`, may check now. */
  admit(tabId: number, site: string, addresses: readonly string[], limit: number): Promise<Admission> {
    const run = this.queue.then(() => this.admitNow(tabId, site, addresses, limit));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async admitNow(tabId: number, site: string, addresses: readonly string[], limit: number): Promise<Admission> {
    const budgets = await this.load();
    const now = this.now();
    let budget = budgets.get(tabId);
    if (!budget || budget.site !== site || now - budget.since >= BUDGET_WINDOW_MS) {
      budget = { site, since: now, used: [] };
      budgets.set(tabId, budget);
    }
    const used = new Set(budget.used);
    const admission: Admission = { allowed: [], refused: [] };
    for (const address of addresses) {
      if (used.has(address)) admission.allowed.push(address);
      else if (used.size < limit) {
        used.add(address);
        admission.allowed.push(address);
      } else admission.refused.push(address);
    }
    if (used.size !== budget.used.length) {
      budget.used = [...used];
      await this.save(budgets, now);
    }
    return admission;
  }

  private async load(): Promise<Map<number, Budget>> {
    if (this.budgets) return this.budgets;
    const budgets = new Map<number, Budget>();
    try {
      const stored = (await this.storage?.get(BUDGETS_KEY))?.[BUDGETS_KEY];
      if (typeof stored === 'object' && stored !== null) {
        for (const [tab, value] of Object.entries(stored as Record<string, unknown>)) {
          const budget = asBudget(value);
          if (budget && Number.isInteger(Number(tab))) budgets.set(Number(tab), budget);
        }
      }
    } catch (error) {
      console.warn('MX Lens: reading the tab budgets failed:', error);
    }
    this.budgets ??= budgets;
    return this.budgets;
  }

  /** Writes the budgets still running (expired ones go: they would start afresh anyway). */
  private async save(budgets: Map<number, Budget>, now: number): Promise<void> {
    for (const [tab, budget] of budgets) if (now - budget.since >= BUDGET_WINDOW_MS) budgets.delete(tab);
    if (!this.storage) return;
    try {
      await this.storage.set({ [BUDGETS_KEY]: Object.fromEntries(budgets) });
    } catch (error) {
      console.warn('MX Lens: storing the tab budgets failed:', error);
    }
  }
}

function asBudget(value: unknown): Budget | null {
  if (typeof value !== 'object' || value === null) return null;
  const { site, since, used } = value as Record<string, unknown>;
  if (typeof site !== 'string' || typeof since !== 'number' || !Array.isArray(used)) return null;
  return { site, since, used: used.filter((address): address is string => typeof address === 'string') };
}
