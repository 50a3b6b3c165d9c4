// llama.cpp's log lines, kept briefly so that a failed load can say why in one message.
//
// WHY: when llama.cpp refuses a file, node-llama-cpp throws a bare "Failed to load model" while the
// reason went to the native log, once per attempt (a load is tried more than once: with the GPU,
// on the CPU, and by the memory estimate), so a user saw the same lines four times and then an
// error that named nothing. The lines still go to the log (the extension's log channel, the CLI's
// --verbose); the error a caller gets names the cause once.
import { safeLine } from '../../common/untrustedText';

const KEEP = 64;

export class NativeLog {
  private lines: Array<{ seq: number; text: string }> = [];
  private seq = 0;

  /** Records a warning or error line from llama.cpp. */
  add(text: string): void {
    this.lines.push({ seq: ++this.seq, text });
    if (this.lines.length > KEEP) this.lines.shift();
  }

  /** A mark to collect the lines logged after it. */
  mark(): number {
    return this.seq;
  }

  /**
   * The distinct causes logged since `mark`, in order, without llama.cpp's function-name prefixes and
   * the generic "failed to load model" lines that follow every cause; escaped and cut short.
   */
  causesSince(mark: number, max = 3): string[] {
    const seen = new Set<string>();
    for (const { seq, text } of this.lines) {
      if (seq <= mark) continue;
      for (const raw of text.split('\n')) {
        const line = raw.replace(/^(?:[a-z_]+: |error loading model: )+/i, '').replace(/\s+/g, ' ').trim();
        if (!line || /^(?:llama_model_loader: )?failed to (?:load model|read tensor (?:data|info))\b/i.test(line)) continue;
        seen.add(safeLine(line, 300));
      }
    }
    return [...seen].slice(0, max);
  }
}

/** "Failed to load model" from node-llama-cpp, or a context that could not be created: a failure whose cause is in the native log. */
export function isOpaqueNativeFailure(err: unknown): boolean {
  const m = err instanceof Error ? err.message : String(err);
  return /^(?:Failed to load model|Failed to create context|Failed to free up space for new tokens)/i.test(m);
}
