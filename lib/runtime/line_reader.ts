/**
 * Reads lines from a byte stream, one call at a time.
 *
 * @module
 */

/**
 * Splits a byte stream into lines (`\n` or `\r\n`), decoding UTF-8.
 *
 * @example
 * ```ts
 * const reader = new LineReader(ReadableStream.from([new TextEncoder().encode("a\nb")]));
 * await reader.readLine(); // "a"
 * await reader.readLine(); // "b"
 * await reader.readLine(); // null
 * ```
 */
export class LineReader {
  #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  #done = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next line without its ending, or `null` at the end of the stream. */
  readLine(): Promise<string | null> {
    const next = this.#queue.then(() => this.#next());
    this.#queue = next.catch(() => {});
    return next;
  }

  /**
   * The text buffered or, when nothing is, the next chunk of the stream as it arrives; `null` at
   * the end. For raw key input, where a line ending never comes.
   */
  readChunk(): Promise<string | null> {
    const next = this.#queue.then(async () => {
      if (this.#buffer === "" && !this.#done) {
        const { value, done } = await this.#reader.read();
        if (done) this.#done = true;
        else this.#buffer += value;
      }
      const chunk = this.#buffer;
      this.#buffer = "";
      return chunk === "" && this.#done ? null : chunk;
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Puts text back in front of what is still to be read. */
  unread(text: string): void {
    this.#buffer = text + this.#buffer;
  }

  async #next(): Promise<string | null> {
    while (true) {
      const newline = this.#buffer.indexOf("\n");
      if (newline >= 0) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        return line.endsWith("\r") ? line.slice(0, -1) : line;
      }
      if (this.#done) {
        if (this.#buffer === "") return null;
        const rest = this.#buffer;
        this.#buffer = "";
        return rest;
      }
      const { value, done } = await this.#reader.read();
      if (done) this.#done = true;
      else this.#buffer += value;
    }
  }
}
