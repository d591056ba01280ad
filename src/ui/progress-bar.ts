/** A one-line progress bar on stderr for load runs; redrawn at most ten times a second. */
export class ProgressBar {
  readonly #stream: { write(text: string): unknown };
  readonly #total: number;
  readonly #started = performance.now();
  #lastDraw = 0;
  #failed = 0;
  #done = 0;

  constructor(stream: { write(text: string): unknown }, total: number) {
    this.#stream = stream;
    this.#total = total;
  }

  update(done: number, failed: boolean): void {
    this.#done = done;
    if (failed) this.#failed++;
    const now = performance.now();
    if (now - this.#lastDraw < 100 && done < this.#total) return;
    this.#lastDraw = now;
    this.#draw(now);
  }

  #draw(now: number): void {
    const width = 30;
    const filled = Math.round((this.#done / this.#total) * width);
    const rate = this.#done / Math.max(0.001, (now - this.#started) / 1000);
    this.#stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.#done}/${this.#total}  ${Math.round(rate)}/s  failed ${this.#failed}  `,
    );
  }

  finish(): void {
    this.#draw(performance.now());
    this.#stream.write('\n');
  }
}
