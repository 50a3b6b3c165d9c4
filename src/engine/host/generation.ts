// Completion and chat generation on a fresh sequence, with tokens streamed as produced,
// cancellation that keeps the text so far, and prompts cut deliberately (oldest first) to fit
// the context with room left for the answer, reported in the result instead of left to
// node-llama-cpp's silent context shift.
import type { ChatHistoryItem, ChatWrapper, LLamaContextualRepeatPenalty, LlamaGrammar, LlamaModel, Token } from 'node-llama-cpp';
import type { ChatMessage, Gbnf, GenerateResult, SamplingOptions, StopReason, Truncation } from '../protocol';
import { HostError } from './hostError';
import type { ModelSlot } from './modelSlot';
import { CancelledWhileQueued } from './modelSlot';
import { loadNodeLlamaCpp } from './nodeLlamaCpp';

export interface StreamSink {
  (text: string, tokens: number): void;
}

type NlcStopReason = 'eogToken' | 'stopGenerationTrigger' | 'functionCalls' | 'maxTokens' | 'abort' | 'customStopTrigger';

function mapStop(r: NlcStopReason): StopReason {
  switch (r) {
    case 'maxTokens':
      return 'maxTokens';
    case 'abort':
      return 'cancelled';
    case 'customStopTrigger':
      return 'stop';
    default:
      return 'eos';
  }
}

/** Tokens kept free for the answer: what was asked for, but never more than half the context. */
export function answerReserve(contextSize: number, maxTokens: number | undefined): number {
  const wanted = maxTokens ?? 512;
  return Math.max(1, Math.min(wanted, Math.floor(contextSize / 2)));
}

function repeatPenalty(s: SamplingOptions): LLamaContextualRepeatPenalty | false {
  if (s.repeatPenalty === undefined && s.frequencyPenalty === undefined && s.presencePenalty === undefined) return false;
  return {
    penalty: s.repeatPenalty,
    frequencyPenalty: s.frequencyPenalty,
    presencePenalty: s.presencePenalty,
    lastTokens: s.penaltyLastTokens,
  };
}

function samplingFor(s: SamplingOptions): { temperature?: number; topK?: number; topP?: number; minP?: number; seed?: number; repeatPenalty: LLamaContextualRepeatPenalty | false; customStopTriggers?: string[] } {
  return {
    temperature: s.temperature,
    topK: s.topK,
    topP: s.topP,
    minP: s.minP,
    seed: s.seed,
    repeatPenalty: repeatPenalty(s),
    customStopTriggers: s.stop && s.stop.length > 0 ? s.stop.filter((x) => x.length > 0) : undefined,
  };
}

/** Compiled grammars by their text: an answer's grammar depends only on its number of sources. */
const grammars = new Map<Gbnf, Promise<LlamaGrammar>>();
const MAX_CACHED_GRAMMARS = 16;

/** The compiled grammar of a request (undefined: none). A grammar llama.cpp refuses is the request's error. */
async function grammarFor(model: LlamaModel, gbnf: Gbnf | undefined): Promise<LlamaGrammar | undefined> {
  if (gbnf === undefined) return undefined;
  if (typeof gbnf !== 'string' || gbnf.trim() === '') throw new HostError('bad-request', 'A grammar must be non-empty GBNF text.');
  let g = grammars.get(gbnf);
  if (!g) {
    g = model.llama.createGrammar({ grammar: gbnf });
    grammars.set(gbnf, g);
    if (grammars.size > MAX_CACHED_GRAMMARS) grammars.delete(grammars.keys().next().value!);
  }
  try {
    return await g;
  } catch (err) {
    grammars.delete(gbnf);
    throw new HostError('bad-request', `The grammar was refused: ${err instanceof Error ? err.message : String(err)}`);
  }
}

interface Meter {
  start: number;
  firstToken: number | null;
  tokens: number;
}

function finish(text: string, stop: StopReason, m: Meter, promptTokens: number, truncated: Truncation | null): GenerateResult {
  const end = performance.now();
  const genSeconds = (end - (m.firstToken ?? end)) / 1000;
  return {
    text,
    tokens: m.tokens,
    promptTokens,
    // Decode speed: tokens after the first over the time after the first (prompt evaluation excluded).
    tokensPerSecond: m.tokens > 1 && genSeconds > 0 ? (m.tokens - 1) / genSeconds : 0,
    timeToFirstTokenMs: m.firstToken === null ? null : m.firstToken - m.start,
    durationMs: end - m.start,
    stopReason: stop,
    truncated,
  };
}

/** A sequence for one request, or undefined when the request was cancelled while it waited in the queue. */
async function acquireUnlessCancelled(slot: ModelSlot, signal: AbortSignal): Promise<Awaited<ReturnType<ModelSlot['acquireSequence']>> | undefined> {
  try {
    return await slot.acquireSequence(signal);
  } catch (err) {
    if (err instanceof CancelledWhileQueued) return undefined;
    throw err;
  }
}

function cancelledEmpty(m: Meter): GenerateResult {
  return finish('', 'cancelled', m, 0, null);
}

export async function runCompletion(slot: ModelSlot, prompt: string, s: SamplingOptions, signal: AbortSignal, sink: StreamSink, gbnf?: Gbnf): Promise<GenerateResult> {
  const nlc = await loadNodeLlamaCpp();
  const grammar = await grammarFor(slot.model, gbnf);
  const m: Meter = { start: performance.now(), firstToken: null, tokens: 0 };
  const ctxSize = slot.info.contextSize;
  const reserve = answerReserve(ctxSize, s.maxTokens);
  const bos = slot.model.tokens.bos !== null ? 1 : 0;
  let tokens: Token[] = slot.model.tokenize(prompt, false, bos ? 'trimLeadingSpace' : undefined);
  let truncated: Truncation | null = null;
  const budget = ctxSize - reserve - bos;
  if (tokens.length > budget) {
    const dropped = tokens.length - budget;
    tokens = tokens.slice(dropped);
    truncated = { droppedMessages: 0, droppedTokens: dropped, message: `The prompt was ${dropped + budget} tokens; its first ${dropped} tokens were cut to fit the ${ctxSize}-token context with ${reserve} tokens left for the answer.` };
  }
  const seq = await acquireUnlessCancelled(slot, signal);
  if (!seq) return cancelledEmpty(m);
  let text = '';
  try {
    const completion = new nlc.LlamaCompletion({ contextSequence: seq, autoDisposeSequence: false });
    try {
      const r = await completion.generateCompletionWithMeta(tokens, {
        ...samplingFor(s),
        maxTokens: Math.min(s.maxTokens ?? reserve, ctxSize - tokens.length - bos),
        grammar,
        signal,
        stopOnAbortSignal: true,
        disableContextShift: true,
        onToken: (t) => {
          if (m.firstToken === null) m.firstToken = performance.now();
          m.tokens += t.length;
          sink('', t.length);
        },
        onTextChunk: (chunk) => {
          text += chunk;
          sink(chunk, 0);
        },
      });
      return finish(r.response, mapStop(r.metadata.stopReason), m, tokens.length + bos, truncated);
    } catch (err) {
      // See runChat: an abort before the first token throws.
      if (signal.aborted) return finish(text, 'cancelled', m, tokens.length + bos, truncated);
      throw err;
    } finally {
      completion.dispose({ disposeSequence: false });
    }
  } finally {
    await slot.releaseSequence(seq);
  }
}

function toHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  return messages.map((msg): ChatHistoryItem => {
    if (msg.role === 'system') return { type: 'system', text: msg.content };
    if (msg.role === 'user') return { type: 'user', text: msg.content };
    return { type: 'model', response: [msg.content] };
  });
}

function countHistory(wrapper: ChatWrapper, model: LlamaModel, history: ChatHistoryItem[]): number {
  return wrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer).length;
}

/**
 * Cuts a chat to `budget` tokens: drops the oldest non-system messages first (keeping the last
 * message), then, if the last message alone is still too long, keeps its end.
 */
export function fitChat(wrapper: ChatWrapper, model: LlamaModel, messages: ChatMessage[], budget: number): { history: ChatHistoryItem[]; truncated: Truncation | null } {
  const withAnswer = (h: ChatHistoryItem[]): ChatHistoryItem[] => [...h, { type: 'model', response: [] }];
  let msgs = messages.slice();
  const original = countHistory(wrapper, model, withAnswer(toHistory(msgs)));
  if (original <= budget) return { history: withAnswer(toHistory(msgs)), truncated: null };
  let dropped = 0;
  while (msgs.length > 1 && countHistory(wrapper, model, withAnswer(toHistory(msgs))) > budget) {
    const i = msgs.findIndex((x, idx) => x.role !== 'system' && idx < msgs.length - 1);
    if (i === -1) break;
    msgs = msgs.filter((_, idx) => idx !== i);
    dropped++;
  }
  let count = countHistory(wrapper, model, withAnswer(toHistory(msgs)));
  if (count > budget) {
    // Still too long: keep the end of the last message (its question usually comes last).
    const last = msgs[msgs.length - 1];
    const toks = model.tokenize(last.content);
    const over = count - budget;
    const keep = Math.max(0, toks.length - over - 8);
    msgs = [...msgs.slice(0, -1), { role: last.role, content: model.detokenize(toks.slice(toks.length - keep)) }];
    count = countHistory(wrapper, model, withAnswer(toHistory(msgs)));
    if (count > budget) throw new Error(`The chat does not fit the ${budget}-token prompt budget even after cutting it (system messages alone take ${count} tokens). Use a larger context.`);
  }
  const droppedTokens = original - count;
  return {
    history: withAnswer(toHistory(msgs)),
    truncated: {
      droppedMessages: dropped,
      droppedTokens,
      message: `The conversation was ${original} tokens; ${dropped > 0 ? `its ${dropped} oldest message(s) were dropped` : 'the last message was cut'} (${droppedTokens} tokens) to fit the context with room for the answer.`,
    },
  };
}

export async function runChat(slot: ModelSlot, messages: ChatMessage[], s: SamplingOptions, signal: AbortSignal, sink: StreamSink, gbnf?: Gbnf): Promise<GenerateResult> {
  const nlc = await loadNodeLlamaCpp();
  const grammar = await grammarFor(slot.model, gbnf);
  const wrapper = slot.chatWrapper;
  if (!wrapper) throw new Error('This model was loaded for embeddings, not chat.');
  if (messages.length === 0) throw new Error('A chat needs at least one message.');
  const m: Meter = { start: performance.now(), firstToken: null, tokens: 0 };
  const ctxSize = slot.info.contextSize;
  const reserve = answerReserve(ctxSize, s.maxTokens);
  const { history, truncated } = fitChat(wrapper, slot.model, messages, ctxSize - reserve);
  const promptTokens = countHistory(wrapper, slot.model, history);
  const seq = await acquireUnlessCancelled(slot, signal);
  if (!seq) return cancelledEmpty(m);
  let text = '';
  try {
    const chat = new nlc.LlamaChat({ contextSequence: seq, chatWrapper: wrapper, autoDisposeSequence: false });
    try {
      const r = await chat.generateResponse(history, {
        ...samplingFor(s),
        maxTokens: Math.min(s.maxTokens ?? reserve, ctxSize - promptTokens),
        grammar,
        signal,
        stopOnAbortSignal: true,
        onToken: (t) => {
          if (m.firstToken === null) m.firstToken = performance.now();
          m.tokens += t.length;
          sink('', t.length);
        },
        onTextChunk: (chunk) => {
          text += chunk;
          sink(chunk, 0);
        },
      });
      return finish(r.response, mapStop(r.metadata.stopReason), m, promptTokens, truncated);
    } catch (err) {
      // A cancel that lands before generation is under way makes node-llama-cpp throw an AbortError
      // ("This operation was aborted", seen in engineCancelEarly.test.ts) instead of stopping: it is
      // a cancel all the same, with whatever text came before it.
      if (signal.aborted) return finish(text, 'cancelled', m, promptTokens, truncated);
      throw err;
    } finally {
      chat.dispose({ disposeSequence: false });
    }
  } finally {
    await slot.releaseSequence(seq);
  }
}
