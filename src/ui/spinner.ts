/** A one-line spinner on stderr while a command waits (only on a terminal); cleared when done. */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class Spinner {
  readonly #stream: { write(text: string): unknown };
  readonly #timer: NodeJS.Timeout;
  readonly #started = Date.now();
  #frame = 0;
  #text: string;

  constructor(stream: { write(text: string): unknown }, text: string) {
    this.#stream = stream;
    this.#text = text;
    this.#timer = setInterval(() => this.#draw(), 100);
    this.#timer.unref();
    this.#draw();
  }

  update(text: string): void {
    this.#text = text;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#stream.write('\r\x1b[2K');
  }

  #draw(): void {
    const seconds = Math.floor((Date.now() - this.#started) / 1000);
    this.#stream.write(`\r\x1b[2K${FRAMES[this.#frame++ % FRAMES.length]} ${this.#text} (${seconds} s)`);
  }
}
