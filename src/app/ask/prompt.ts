// The grounded prompt: a system instruction, numbered sources (path, lines, heading path, text),
// the conversation so far, and the question, fitted into the chat model's context with its own
// tokenizer. Sources are added best first while they fit; one that does not fit is skipped for
// smaller ones further down (the first one is cut to fit rather than dropped).
import type { AnswerModel, PromptMessage } from './answerModel';

export const SYSTEM_INSTRUCTION = [
  "You answer questions using ONLY the numbered sources from the user's notes given below.",
  'Cite every statement with the number of the source it comes from, in square brackets, like [1] or [2, 3].',
  'Cite only numbers that are listed. Do not use knowledge from outside the sources.',
  'If the sources do not contain the answer, say that the notes do not contain it.',
].join(' ');

/** Tokens the chat template adds around each message (role markers, separators): a safe allowance. */
export const TEMPLATE_TOKENS_PER_MESSAGE = 12;
export const TEMPLATE_TOKENS_FIXED = 16;

export interface SourceCandidate {
  root: string;
  path: string;
  startLine: number;
  endLine: number;
  title: string;
  heading: string;
  text: string;
}

/** A retrieved chunk as numbered and given to the model. */
export interface PromptSource extends SourceCandidate {
  n: number;
  /** Cut to fit the budget. */
  cut: boolean;
}

export function formatSource(s: Omit<PromptSource, 'cut'>): string {
  const where = `${s.path}:${s.startLine}-${s.endLine}`;
  const heading = s.heading ? ` — ${s.heading}` : s.title ? ` — ${s.title}` : '';
  return `[${s.n}] ${where}${heading}\n${s.text.trim()}`;
}

export function userMessage(sources: readonly PromptSource[], question: string, selectionNote: string | null): string {
  const parts = ['Sources:', ...sources.map(formatSource), ''];
  if (selectionNote) parts.push(selectionNote, '');
  parts.push(`Question: ${question.trim()}`);
  return parts.join('\n\n');
}

export interface FittedPrompt {
  messages: PromptMessage[];
  sources: PromptSource[];
  /** Prompt tokens by the model's tokenizer, template allowance included. */
  tokens: number;
  budget: number;
  /** History messages left out for lack of room. */
  droppedHistory: number;
  /** Candidates left out for lack of room. */
  droppedSources: number;
}

export interface FitOptions {
  question: string;
  candidates: readonly SourceCandidate[];
  history?: readonly PromptMessage[];
  /** Tokens kept for the answer. */
  answerTokens: number;
  /** Share of the prompt budget the history may take (default 0.25). */
  historyShare?: number;
  /** Said after the sources when the question is about a selection (source 1). */
  selectionNote?: string | null;
}

/** Prompt tokens available: the context minus the answer's reserve (as the engine computes it). */
export function promptBudget(contextSize: number, answerTokens: number): number {
  const reserve = Math.max(1, Math.min(answerTokens, Math.floor(contextSize / 2)));
  return contextSize - reserve;
}

function sum(a: number[]): number {
  return a.reduce((s, x) => s + x, 0);
}

/** Cuts text at a line boundary to about `ratio` of its length (at least one line). */
function cutText(text: string, ratio: number): string {
  const lines = text.split('\n');
  const target = Math.max(1, Math.floor(text.length * ratio));
  let out = '';
  for (const l of lines) {
    if (out.length + l.length + 1 > target && out.length > 0) break;
    out += (out ? '\n' : '') + l;
  }
  return out.length > target ? out.slice(0, target) : out;
}

export async function fitPrompt(model: AnswerModel, opts: FitOptions): Promise<FittedPrompt> {
  const budget = promptBudget(model.contextSize, opts.answerTokens);
  const history = opts.history ?? [];
  const selectionNote = opts.selectionNote ?? null;
  const numbered = opts.candidates.map((c, i) => ({ ...c, n: i + 1, cut: false }));
  const [sysT, frameT, ...rest] = await model.countTokens([SYSTEM_INSTRUCTION, userMessage([], opts.question, selectionNote), ...numbered.map(formatSource), ...history.map((m) => m.content)]);
  const srcT = rest.slice(0, numbered.length);
  const histT = rest.slice(numbered.length);
  const overhead = TEMPLATE_TOKENS_FIXED + TEMPLATE_TOKENS_PER_MESSAGE * 2;
  let room = budget - overhead - sysT! - frameT!;
  if (room <= 0) throw new RangeError(`The question alone (${frameT} tokens) does not fit the model's ${model.contextSize}-token context with ${model.contextSize - budget} tokens kept for the answer. Ask a shorter question or load the model with a larger context.`);

  // History: newest first, up to its share, whole messages only.
  const historyRoom = Math.floor(room * (opts.historyShare ?? 0.25));
  const keptHistory: PromptMessage[] = [];
  let used = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const t = histT[i]! + TEMPLATE_TOKENS_PER_MESSAGE;
    if (used + t > historyRoom) break;
    used += t;
    keptHistory.unshift(history[i]!);
  }
  room -= used;

  // Sources, best first; numbered again in the order kept so that [n] runs 1..k.
  const kept: PromptSource[] = [];
  for (let i = 0; i < numbered.length; i++) {
    const c = numbered[i]!;
    const t = srcT[i]! + 2; // the blank line between sources
    if (t <= room) {
      kept.push(c);
      room -= t;
    } else if (kept.length === 0 && room > 32) {
      // The best source alone is too long: cut it to what fits rather than answer without it.
      const [cutT] = await model.countTokens([formatSource({ ...c, text: cutText(c.text, (room - 16) / t) })]);
      const cutSource = { ...c, text: cutText(c.text, (room - 16) / t), cut: true };
      if (cutT! + 2 <= room) {
        kept.push(cutSource);
        room -= cutT! + 2;
      }
    }
  }
  const renumber = (list: PromptSource[]): PromptSource[] => list.map((s, i) => ({ ...s, n: i + 1 }));
  let sources = renumber(kept);
  // Check the assembled prompt as one text: joining can tokenize differently from the parts.
  for (;;) {
    const messages: PromptMessage[] = [{ role: 'system', content: SYSTEM_INSTRUCTION }, ...keptHistory, { role: 'user', content: userMessage(sources, opts.question, selectionNote) }];
    const counts = await model.countTokens(messages.map((m) => m.content));
    const tokens = sum(counts) + TEMPLATE_TOKENS_FIXED + TEMPLATE_TOKENS_PER_MESSAGE * messages.length;
    if (tokens <= budget || sources.length === 0) {
      return { messages, sources, tokens, budget, droppedHistory: history.length - keptHistory.length, droppedSources: opts.candidates.length - sources.length };
    }
    sources = renumber(sources.slice(0, -1));
  }
}
