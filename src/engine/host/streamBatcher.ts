// Batches streamed text into few IPC messages. One message per token would cost more than the
// token itself for small models (~2,000 tokens/s here); instead the first chunk goes out at once
// (time to first token stays honest) and later ones are flushed every `flushMs`.

export class StreamBatcher {
  private text = '';
  private tokens = 0;
  private timer: NodeJS.Timeout | undefined;
  private sentFirst = false;

  constructor(private readonly send: (text: string, tokens: number) => void, private readonly flushMs: number) {}

  push(text: string, tokens: number): void {
    this.text += text;
    this.tokens += tokens;
    if (!this.sentFirst && this.text.length > 0) {
      this.sentFirst = true;
      this.flush();
      return;
    }
    if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), this.flushMs);
  }

  /** Sends whatever is pending; called before the final response so the stream is complete first. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.text.length === 0 && this.tokens === 0) return;
    const { text, tokens } = this;
    this.text = '';
    this.tokens = 0;
    this.send(text, tokens);
  }
}
