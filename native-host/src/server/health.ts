// What GET /v1/health reports beyond this process: the job store always, and the distributed
// queue when the server runs with one. The queue fills in QueueHealthProvider; the route
// (native.ts) only formats what it is given.

export interface WorkerHealth {
  /** The worker's own name (host name and pid, or --name). */
  id: string;
  /** The address its SMTP sessions leave from (--source-address), or null for the default. */
  sourceAddress: string | null;
  /** When it last reported in (ISO 8601). */
  lastSeen: string;
  /** Batches it is working on now. */
  active: number;
}

export interface MxPause {
  /** The mail server host that is paused. */
  mx: string;
  /** The source address (worker IP) paused for it; other workers carry on. */
  sourceAddress: string | null;
  /** Until when (ISO 8601). */
  until: string;
  /** The reply that caused it (a block or rate-limit answer), in short. */
  reason: string;
}

export interface QueueHealth {
  /** 'bullmq' (Redis), for example. */
  backend: string;
  /** The queue's backend answers. */
  ok: boolean;
  detail: string;
  workers: WorkerHealth[];
  /** Batches by state. */
  depth: { waiting: number; active: number; delayed: number; failed: number };
  pauses: MxPause[];
}

export interface QueueHealthProvider {
  /** Never throws: a backend that cannot be reached is `ok: false` with the reason in `detail`. */
  health(): Promise<QueueHealth>;
}
