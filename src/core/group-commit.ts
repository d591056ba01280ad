/**
 * Group commit: items added during one turn of the event loop are written together by one
 * call (one SQLite transaction), and each caller's promise settles with its own result once
 * that write is done. Thousands of small transactions a second become a few hundred.
 */
export class GroupCommit<Item, Result> {
  readonly #write: (items: Item[]) => Result[];
  #items: Item[] = [];
  #settlers: Array<{ resolve: (r: Result) => void; reject: (e: unknown) => void }> = [];

  constructor(write: (items: Item[]) => Result[]) {
    this.#write = write;
  }

  add(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      if (this.#items.length === 0) setImmediate(() => this.flush());
      this.#items.push(item);
      this.#settlers.push({ resolve, reject });
    });
  }

  /** Writes what has been added so far now, rather than at the end of the turn. */
  flush(): void {
    if (this.#items.length === 0) return;
    const items = this.#items;
    const settlers = this.#settlers;
    this.#items = [];
    this.#settlers = [];
    let results: Result[];
    try {
      results = this.#write(items);
    } catch (err) {
      for (const s of settlers) s.reject(err);
      return;
    }
    settlers.forEach((s, i) => s.resolve(results[i]!));
  }
}
