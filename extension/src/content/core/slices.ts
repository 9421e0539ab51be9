// Long work (scanning a page of 50,000 addresses) in slices: a job is an iterator whose every
// step is small; steps run until the slice's time is up, then the page gets the main thread
// back (input, layout, its own scripts) before the next slice. What to do is the jobs'
// business (the scanners'); this file only decides when.

export interface SlicesOptions {
  /** Longest slice; the browser calls a task over 50 ms long. Infinity: never yield (tests). */
  sliceMs?: number;
  /** After every slice (our writes are done: the caller forgets the mutations they caused). */
  afterSlice?: () => void;
}

const SLICE_MS = 8;

export class Slices {
  private readonly jobs: Iterator<unknown>[] = [];
  private running = false;
  private scheduled = false;
  private stopped = false;
  private readonly sliceMs: number;

  constructor(private readonly options: SlicesOptions = {}) {
    this.sliceMs = options.sliceMs ?? SLICE_MS;
  }

  /** Queues a job (`done` runs after its last step); the first slice runs now unless one is running already. */
  add(job: Iterable<unknown>, done?: () => void): void {
    if (this.stopped) return;
    this.jobs.push(done ? withEnd(job, done) : job[Symbol.iterator]());
    if (!this.running && !this.scheduled) this.run();
  }

  stop(): void {
    this.stopped = true;
    this.jobs.length = 0;
  }

  /** One step of a job; true when the job is over (a job that throws is over too). */
  private step(job: Iterator<unknown> | undefined): boolean {
    try {
      return !job || job.next().done === true;
    } catch {
      return true;
    }
  }

  private run(): void {
    this.scheduled = false;
    if (this.stopped) return;
    this.running = true;
    const end = performance.now() + this.sliceMs;
    while (this.jobs.length > 0) {
      if (this.step(this.jobs[0])) this.jobs.shift();
      if (performance.now() >= end) break;
    }
    this.running = false;
    this.options.afterSlice?.();
    if (this.jobs.length > 0 && !this.stopped) {
      this.scheduled = true;
      setTimeout(() => this.run(), 0);
    }
  }
}

function* withEnd(job: Iterable<unknown>, done: () => void): Generator<unknown> {
  try {
    yield* job;
  } finally {
    done();
  }
}
