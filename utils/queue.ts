/** Bounded concurrency: at most `limit` tasks run at once, the rest wait in FIFO order. */
export class TaskQueue {
  private running = 0;
  private waiting: (() => void)[] = [];
  constructor(private limit: number) {}

  get pending(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
