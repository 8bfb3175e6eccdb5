/**
 * Runs a task at most once at a time. A call while it runs does not start a second, concurrent
 * run: it waits for exactly one follow-up run that starts when the current one ends, shared by
 * every call made meanwhile. So a burst of requests (webhooks during a fetch) costs one more run,
 * and every caller gets a result at least as new as its request.
 */
export class Coalescer<T> {
  private running: Promise<T> | undefined;
  private queued: Promise<T> | undefined;

  constructor(private readonly task: () => Promise<T>) {}

  run(): Promise<T> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    const previous = this.running;
    this.queued = previous.then(noop, noop).then(() => {
      this.queued = undefined;
      return this.start();
    });
    return this.queued;
  }

  get busy(): boolean {
    return this.running !== undefined || this.queued !== undefined;
  }

  /** Resolves when no run is in progress or queued (never rejects). */
  async idle(): Promise<void> {
    while (this.queued || this.running) await (this.queued ?? this.running)?.then(noop, noop);
  }

  private start(): Promise<T> {
    const run = (async () => this.task())().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}

function noop(): void {}
