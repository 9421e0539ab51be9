// The host's engines: one long-lived Verifier per (partition, options set), so DNS cache,
// catch-all memory and per-MX connection limits outlive a single verify. Also used by the server.

import type { Budgets } from '../engine/budgets.js';
import type { SessionGate } from '../engine/mx-scheduler.js';
import { NetworkWatch } from '../engine/network-watch.js';
import type { VerifyOptions } from '../engine/options.js';
import { Verifier } from '../engine/verifier.js';

const MAX_ENGINES = 8;

/** The user's partition: a site is always an http(s) origin, so it never collides with this. */
const USER_PARTITION = 'user';

/** Where a request's results and lookups are remembered: its site's partition, or the user's. */
function partitionOf(site: string | null | undefined): string {
  return site ?? USER_PARTITION;
}

/**
 * One long-lived Verifier per (partition, options set), least recently used dropped past 8.
 * Every Verifier draws on the same budgets.
 */
export class EnginePool {
  private readonly byKey = new Map<string, Verifier>();

  constructor(
    private readonly budgets: Budgets,
    private readonly network: NetworkWatch = new NetworkWatch(),
    private readonly gate: SessionGate | null = null,
  ) {}

  get(options: VerifyOptions, site: string | null = null): { key: string; verifier: Verifier } {
    const key = `${partitionOf(site)}\n${optionsKey(options)}`;
    let verifier = this.byKey.get(key);
    if (verifier) this.byKey.delete(key);
    else verifier = new Verifier(options, { budgets: this.budgets, site, network: this.network, gate: this.gate });
    this.byKey.set(key, verifier);
    while (this.byKey.size > MAX_ENGINES) this.byKey.delete(this.byKey.keys().next().value!);
    return { key, verifier };
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** The same options, written in any key order, give the same key. */
function optionsKey(options: VerifyOptions): string {
  return stableJson(options);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
