/** The statement concurrency limit. */
/**
 * At most `size` statements run at once; the others wait their turn (PENDING). A running
 * DuckDB statement holds a libuv pool thread, so the limit keeps threads free for I/O.
 */
export class StatementSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  /** Resolves once a slot is free; `release` must be called after. */
  acquire(): Promise<void> {
    if (this.running < this.size) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}
