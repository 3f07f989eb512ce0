/**
 * One writer per card within this process (docs/architecture.md, invariant 4): operations on one code run
 * one after another. Across processes sharing the journal (the CLI beside the app) the journal's
 * in-flight check (`card_busy`) does the same job.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Runs `fn` holding every key (sorted, so two callers never wait on each other in a cycle). */
  async runAll<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)].sort();
    const step = (i: number): Promise<T> => (i === unique.length ? fn() : this.run(unique[i] ?? '', () => step(i + 1)));
    return step(0);
  }
}
