import type { CheckStage, ProgressMessage } from '../../shared/protocol/messages.js';

/**
 * At most one `progress` frame per verify this often. A 10,000-address check moves through
 * tens of thousands of stages; the port gets a few frames a second, each with only the stages
 * that changed, and a check answered within the interval never shows up in one at all.
 */
export const PROGRESS_INTERVAL_MS = 250;

interface Pending {
  stage: CheckStage;
  at: number;
}

/** Gathers one verify's stage events and sends what changed, coalesced (PROTOCOL.md, "progress"). */
export class ProgressReporter {
  /** The stage last sent for each index, as a key. */
  private readonly sent = new Map<number, string>();
  private readonly pending = new Map<number, Pending>();
  private readonly answered = new Set<number>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (stages: ProgressMessage['stages']) => void,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {}

  stage(indexes: number[], stage: CheckStage): void {
    const at = Date.now();
    for (const index of indexes) if (!this.answered.has(index)) this.pending.set(index, { stage, at });
    if (this.pending.size > 0) this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** The address has its result: no stage of it is sent any more. */
  done(index: number): void {
    this.answered.add(index);
    this.pending.delete(index);
    this.sent.delete(index);
  }

  /** Sends the stages that changed since the last frame, addresses of one stage together. */
  flush(): void {
    this.timer = null;
    const groups = new Map<string, ProgressMessage['stages'][number]>();
    const now = Date.now();
    for (const [index, { stage, at }] of this.pending) {
      const key = JSON.stringify(stage);
      if (this.sent.get(index) === key) continue;
      this.sent.set(index, key);
      const wire = stage.stage === 'greylisted' ? { ...stage, waitMs: Math.max(0, stage.waitMs - (now - at)) } : stage;
      const wireKey = JSON.stringify(wire);
      const group = groups.get(wireKey) ?? { ...wire, indexes: [] };
      group.indexes.push(index);
      groups.set(wireKey, group);
    }
    this.pending.clear();
    if (groups.size > 0) this.send([...groups.values()]);
  }

  /** The verify ended: nothing more is sent. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }
}
