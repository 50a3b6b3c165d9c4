// A chat model of the editor (the one picked in Copilot Chat, `request.model`) as the AnswerModel that
// answerFromSources() fits sources into and streams from: the same prompt, token budget and citation
// checks as the vault's own engine. Kept free of `vscode` (the port below is built from a
// LanguageModelChat in vaultParticipant.ts), so it is tested with a real local model behind the port.
import type { AnswerGeneration, AnswerModel, PromptMessage } from '../app/ask/answerModel';

/** What the adapter needs from an editor language model. */
export interface ChatModelPort {
  /** Tokens the model accepts as input (its answer does not count against it). */
  readonly maxInputTokens: number;
  countTokens(text: string): Promise<number>;
  /** Streams the answer's text; stops when `signal` aborts. */
  stream(messages: PromptMessage[], signal: AbortSignal): AsyncIterable<string>;
}

/** Abort of an answer: the text so far stands, with stopReason 'cancelled'. */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted ?? false;
}

export function portAnswerModel(port: ChatModelPort, answerTokens: number): AnswerModel {
  return {
    // The prompt budget is the context minus the answer's reserve (promptBudget in prompt.ts); an
    // editor model's input limit excludes its answer, so the answer's tokens are added back.
    contextSize: port.maxInputTokens + answerTokens,
    countTokens: (texts: string[]) => Promise.all(texts.map((t) => port.countTokens(t))),
    async chat(messages: PromptMessage[], opts): Promise<AnswerGeneration> {
      const inner = new AbortController();
      const stop = (): void => inner.abort();
      opts.signal?.addEventListener('abort', stop, { once: true });
      let text = '';
      try {
        for await (const piece of port.stream(messages, inner.signal)) {
          if (aborted(opts.signal)) break;
          text += piece;
          opts.onText?.(piece);
        }
      } catch (err) {
        if (!aborted(opts.signal)) throw err;
      } finally {
        opts.signal?.removeEventListener('abort', stop);
      }
      const promptTokens = (await Promise.all(messages.map((m) => port.countTokens(m.content)))).reduce((a, b) => a + b, 0);
      return { text, promptTokens, stopReason: aborted(opts.signal) ? 'cancelled' : 'eos', truncated: false };
    },
  };
}
