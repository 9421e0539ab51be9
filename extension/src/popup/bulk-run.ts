// A long check in the popup: hands addresses to the background a few at a time, so that Cancel
// really stops the work (what was not handed over is never checked), and knows how far it got.
// Pure: no browser, no DOM; the clock is passed in.

/** Before this much time has passed, a pace is no basis for an estimate ("about 0:00 left"). */
const ESTIMATE_AFTER_MS = 2_000;

/** Addresses handed over at once: enough to keep the host's sessions busy, few enough to stop soon. */
const BULK_WINDOW = 25;

export interface BulkProgress {
  total: number;
  done: number;
  elapsedMs: number;
  /** Estimated time left, once there is something to go by (a result, and 2 s); null before. */
  remainingMs: number | null;
  running: boolean;
  cancelled: boolean;
}

export class BulkRun {
  private readonly queue: string[];
  private readonly outstanding = new Set<string>();
  private readonly finished = new Set<string>();
  private readonly startedAt: number;
  private endedAt: number | null = null;
  private stopped = false;

  constructor(
    private readonly addresses: readonly string[],
    private readonly send: (addresses: string[]) => void,
    private readonly now: () => number = Date.now,
    private readonly window = BULK_WINDOW,
  ) {
    this.queue = [...addresses];
    this.startedAt = now();
    this.refill();
  }

  /** A result (or a failure) for `address` came in; returns false when it was not ours to wait for. */
  settle(address: string): boolean {
    if (!this.outstanding.delete(address)) return false;
    this.finished.add(address);
    this.refill();
    return true;
  }

  /** Stops handing addresses over; returns those never handed over (they stay unchecked). */
  cancel(): string[] {
    if (!this.running) return [];
    this.stopped = true;
    const never = this.queue.splice(0);
    if (this.outstanding.size === 0) this.endedAt = this.now();
    return never;
  }

  has(address: string): boolean {
    return this.outstanding.has(address) || this.queue.includes(address) || this.finished.has(address);
  }

  get running(): boolean {
    return this.endedAt === null;
  }

  progress(): BulkProgress {
    const done = this.finished.size;
    const total = this.addresses.length;
    const elapsedMs = (this.endedAt ?? this.now()) - this.startedAt;
    const left = this.stopped ? this.outstanding.size : total - done;
    const remainingMs =
      this.running && done > 0 && elapsedMs >= ESTIMATE_AFTER_MS ? Math.round((elapsedMs / done) * left) : null;
    return { total, done, elapsedMs, remainingMs, running: this.running, cancelled: this.stopped };
  }

  private refill(): void {
    const batch: string[] = [];
    while (!this.stopped && this.outstanding.size < this.window && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.outstanding.add(next);
      batch.push(next);
    }
    if (batch.length > 0) this.send(batch);
    if (this.outstanding.size === 0 && (this.queue.length === 0 || this.stopped) && this.endedAt === null)
      this.endedAt = this.now();
  }
}

/** 75_000 → "1:15"; 3_725_000 → "1:02:05". */
export function clockText(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
