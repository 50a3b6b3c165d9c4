// What grounded answering needs from a chat model. The engine client implements it (see
// engineAdapters.ts); every count is made with the model's own tokenizer.
export interface PromptMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface AnswerGeneration {
  text: string;
  /** Tokens of the prompt as the engine built it (template included). */
  promptTokens: number;
  stopReason: string;
  /** The engine had to cut the prompt to fit (should never happen: ask() fits it first). */
  truncated: boolean;
  /** The engine's own figures, when it reports them. */
  tokens?: number;
  tokensPerSecond?: number;
  timeToFirstTokenMs?: number | null;
}

/** How the answer's tokens are drawn (each left out: the engine's default). */
export interface AnswerSampling {
  temperature?: number;
  topP?: number;
  topK?: number;
  repeatPenalty?: number;
  seed?: number;
}

export interface AnswerModel {
  /** Tokens in the model's context window. */
  readonly contextSize: number;
  /** Token counts of each text, by the model's tokenizer. */
  countTokens(texts: string[]): Promise<number[]>;
  /**
   * `grammar`: GBNF the answer must fit (strict citations). A model that cannot apply one (one
   * behind the editor's language model API) leaves it out; the prompt asks for the same.
   */
  chat(messages: PromptMessage[], opts: { maxTokens: number; signal?: AbortSignal; onText?: (text: string) => void; grammar?: string } & AnswerSampling): Promise<AnswerGeneration>;
}
