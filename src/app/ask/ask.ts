// ask(question): retrieve, decide whether the vault holds an answer at all, fit numbered sources
// into the chat model's context (its own tokenizer), stream the answer with invented citations
// removed on the fly, and map every [n] to path:startLine-endLine.
//
// "Not in the vault" is decided BEFORE the model is called: when retrieval finds nothing that
// carries the question's words (lexical evidence) or is clearly closer in meaning than the rest
// of the vault (semantic evidence), the closest notes are returned and no answer is generated,
// so the model never answers from its own knowledge.
import type { CitationRef } from '../../vault/conversations/types';
import type { Embedder } from '../../vault/embeddings/embedder';
import type { Retriever } from '../../vault/retrieval/retriever';
import type { RetrievalMode, RetrievalResult, RetrievedChunk } from '../../vault/retrieval/types';
import type { AnswerModel, AnswerSampling, PromptMessage } from './answerModel';
import { checkCitations, CitationStreamFilter } from './citations';
import { fitPrompt, type PromptSource, type SourceCandidate } from './prompt';
import { citationGrammar, DEFAULT_CITATION_MODE, uncitedTail, type CitationMode } from './strictCitations';
import { supportOf } from './support';
import type { CitationSupport } from '../../vault/conversations/types';

export interface Relevance {
  /** A result must contain at least this share of the question's words (default 0.5; see termCoverage for two-word questions). */
  minTermCoverage: number;
  /** Semantic evidence: best cosine similarity at least this (default 0.45) ... */
  minSimilarity: number;
  /** ... and this far above the mean similarity of the query to the whole vault (default 0.15). */
  minSimilarityMargin: number;
}

export const DEFAULT_RELEVANCE: Relevance = { minTermCoverage: 0.5, minSimilarity: 0.45, minSimilarityMargin: 0.15 };

export interface Selection {
  root?: string;
  /** Relative to its root, forward slashes. */
  path: string;
  startLine: number;
  endLine: number;
  text: string;
}

export interface AskOptions {
  mode?: RetrievalMode;
  /** Sources offered to the prompt before the budget trims them (default 8). */
  maxSources?: number;
  /** Tokens kept for the answer (default 256). */
  maxAnswerTokens?: number;
  temperature?: number;
  seed?: number;
  /** Top-p, top-k and repeat penalty of the answer (the engine's defaults when left out). */
  sampling?: Omit<AnswerSampling, 'temperature' | 'seed'>;
  /** Earlier turns, oldest first (the conversation so far). */
  history?: readonly PromptMessage[];
  /** Ask about this text: it becomes source [1]; related notes are retrieved too. */
  selection?: Selection;
  relevance?: Partial<Relevance>;
  pathPrefix?: string;
  signal?: AbortSignal;
  /**
   * 'strict': the answer is generated under a grammar that ends every paragraph with citations of
   * given sources (strictCitations.ts); 'prompt': the instruction alone asks for them. Default:
   * DEFAULT_CITATION_MODE. The prompt is the same in both.
   */
  citations?: CitationMode;
  /** Streamed answer text, invented citations already removed. */
  onText?: (text: string) => void;
  /** The numbered sources, once, before the model starts (with [] when notFound). */
  onSources?: (sources: AnswerSource[]) => void;
}

/** A source as the caller sees it: its `text` is what the model was given (for previews on hover). */
export type AnswerSource = PromptSource;

export interface ClosestNote {
  /** The vault folder holding the note (absolute). */
  root: string;
  path: string;
  startLine: number;
  endLine: number;
  title: string;
  heading: string;
  score: number;
}

/** A citation of the answer, with how well its source seems to support the sentences citing it. */
export type AnswerCitation = CitationRef & { support: CitationSupport };

export interface AskResult {
  answer: string;
  citations: AnswerCitation[];
  /** How citations were asked for (strict: under the grammar). */
  citationMode: CitationMode;
  /**
   * The end of the answer after its last citation, when it has words: in strict mode only a
   * generation cut by maxTokens or a cancel leaves one (the text is kept in `answer`; it cites nothing).
   */
  uncitedTail: string | null;
  /** Citation numbers the model invented (removed from the answer). */
  invalidCitations: number[];
  /** The answer cites no source. */
  uncited: boolean;
  sources: AnswerSource[];
  notFound: boolean;
  /** When notFound: the nearest notes, for the user to look at. */
  closest: ClosestNote[];
  retrieval: Pick<RetrievalResult, 'mode' | 'coverage' | 'partial' | 'fallbackReason' | 'bestSimilarity' | 'meanSimilarity'>;
  promptTokens: number;
  budget: number;
  stopReason: string | null;
  cancelled: boolean;
  /** The engine's generation figures (null when the model was not called). */
  generation: { tokens: number | null; tokensPerSecond: number | null; timeToFirstTokenMs: number | null } | null;
  timings: { retrieveMs: number; promptMs: number; firstTokenMs: number | null; totalMs: number };
}

export interface AskDeps {
  retriever: Retriever;
  /** The chat model, or a loader called only once retrieval found something to answer from. */
  model: AnswerModel | (() => Promise<AnswerModel>);
  embedder?: Embedder;
}

function hasEvidence(r: RetrievalResult, rel: Relevance): boolean {
  const lexical = r.items.some((i) => i.explain.lexical !== null && i.explain.termCoverage >= rel.minTermCoverage);
  const semantic =
    r.bestSimilarity !== null && r.meanSimilarity !== null && r.bestSimilarity >= rel.minSimilarity && r.bestSimilarity - r.meanSimilarity >= rel.minSimilarityMargin;
  return lexical || semantic;
}

function overlaps(c: RetrievedChunk, s: Selection): boolean {
  return c.path === s.path && (s.root === undefined || c.root === s.root) && c.startLine <= s.endLine && c.endLine >= s.startLine;
}

function toSourceRef(s: PromptSource): AnswerSource {
  return { n: s.n, root: s.root, path: s.path, startLine: s.startLine, endLine: s.endLine, title: s.title, heading: s.heading, text: s.text, cut: s.cut };
}

/** What retrieval found for a question: the sources to answer from, or "not in the vault". Plain data. */
export interface GatheredSources {
  /** The question, trimmed. */
  question: string;
  /** Nothing retrieved carries the question's words or meaning: the model must not be asked. */
  notFound: boolean;
  /** The nearest notes (shown with "not in the vault"). */
  closest: ClosestNote[];
  /** The best chunks, best first (the selection first when there is one), before the token budget trims them. */
  candidates: SourceCandidate[];
  /** Said to the model after the sources when the question is about a selection. */
  selectionNote: string | null;
  retrieval: AskResult['retrieval'];
  retrieveMs: number;
}

export type GatherOptions = Pick<AskOptions, 'mode' | 'maxSources' | 'history' | 'selection' | 'relevance' | 'pathPrefix' | 'signal'>;
export type AnswerOptions = Pick<AskOptions, 'maxAnswerTokens' | 'temperature' | 'seed' | 'sampling' | 'history' | 'signal' | 'onText' | 'onSources' | 'citations'> & {
  /** Scores the answer's cited sentences by meaning too (the support check); words alone without it. */
  embedder?: Embedder;
};

/**
 * The first half of ask(): retrieval and the evidence check. Needs the vault only (no model), so a
 * caller whose chat model lives elsewhere (e.g. the editor's own language model) can answer the
 * result with answerFromSources() on its side.
 */
export async function gatherSources(deps: Pick<AskDeps, 'retriever' | 'embedder'>, question: string, opts: GatherOptions = {}): Promise<GatheredSources> {
  const t0 = performance.now();
  const q = String(question ?? '').trim();
  if (!q) throw new RangeError('The question is empty.');
  const rel = { ...DEFAULT_RELEVANCE, ...opts.relevance };
  const maxSources = Math.max(1, opts.maxSources ?? 8);
  const sel = opts.selection;

  // Retrieval query: the question, plus the previous question for a follow-up ("and in Python?"),
  // plus the start of the selection when asking about one.
  const lastUser = [...(opts.history ?? [])].reverse().find((m) => m.role === 'user')?.content;
  const retrievalQuery = [q, lastUser && q.split(/\s+/).length < 8 ? lastUser : '', sel ? sel.text.slice(0, 400) : ''].filter(Boolean).join(' ');
  const retrieval = await deps.retriever.retrieve(retrievalQuery, { mode: opts.mode, embedder: deps.embedder, limit: maxSources + 4, pathPrefix: opts.pathPrefix, signal: opts.signal });
  const info = {
    mode: retrieval.mode,
    coverage: retrieval.coverage,
    partial: retrieval.partial,
    fallbackReason: retrieval.fallbackReason,
    bestSimilarity: retrieval.bestSimilarity,
    meanSimilarity: retrieval.meanSimilarity,
  };
  const closest = retrieval.items.slice(0, 5).map((i) => ({ root: i.root, path: i.path, startLine: i.startLine, endLine: i.endLine, title: i.title, heading: i.heading, score: i.score }));
  // With a selection there is always something to answer from; otherwise the retrieved notes
  // must carry the question's words (a follow-up: with the previous question's) or its meaning.
  const notFound = !sel && !hasEvidence(retrieval, rel);
  const candidates: SourceCandidate[] = [];
  if (!notFound) {
    if (sel) candidates.push({ root: sel.root ?? '', path: sel.path, startLine: sel.startLine, endLine: sel.endLine, title: '', heading: 'the selected text', text: sel.text });
    for (const it of retrieval.items) {
      if (candidates.length >= maxSources) break;
      if (sel && overlaps(it, sel)) continue;
      candidates.push({ root: it.root, path: it.path, startLine: it.startLine, endLine: it.endLine, title: it.title, heading: it.heading, text: it.text });
    }
  }
  return {
    question: q,
    notFound,
    closest,
    candidates,
    selectionNote: sel ? `The question is about the selected text, source [1] (${sel.path}:${sel.startLine}-${sel.endLine}).` : null,
    retrieval: info,
    retrieveMs: performance.now() - t0,
  };
}

/** The answer of a question the vault has no evidence for: no model was asked. */
function notFoundResult(g: GatheredSources, t0: number): AskResult {
  return {
    answer: '', citations: [], citationMode: DEFAULT_CITATION_MODE, uncitedTail: null, invalidCitations: [], uncited: true, sources: [], notFound: true, closest: g.closest, retrieval: g.retrieval,
    promptTokens: 0, budget: 0, stopReason: null, cancelled: false, generation: null,
    timings: { retrieveMs: g.retrieveMs, promptMs: 0, firstTokenMs: null, totalMs: performance.now() - t0 },
  };
}

/**
 * The second half of ask(): fits the gathered sources into `model`'s context (its own tokenizer),
 * streams the answer with invented citations removed on the fly, and maps every [n] to its lines.
 * A "not in the vault" result is returned as is, without calling the model.
 */
export async function answerFromSources(model: AnswerModel | (() => Promise<AnswerModel>), g: GatheredSources, opts: AnswerOptions = {}): Promise<AskResult> {
  // Timings count from the start of retrieval, as one ask() does.
  const t0 = performance.now() - g.retrieveMs;
  if (g.notFound) {
    opts.onSources?.([]);
    return notFoundResult(g, t0);
  }
  const maxAnswerTokens = Math.max(16, opts.maxAnswerTokens ?? 256);
  const m = typeof model === 'function' ? await model() : model;
  const fitted = await fitPrompt(m, {
    question: g.question,
    candidates: g.candidates,
    history: opts.history,
    answerTokens: maxAnswerTokens,
    selectionNote: g.selectionNote,
  });
  const promptMs = performance.now() - t0;
  opts.onSources?.(fitted.sources.map(toSourceRef));

  const citationMode = opts.citations ?? DEFAULT_CITATION_MODE;
  const grammar = citationMode === 'strict' && fitted.sources.length > 0 ? citationGrammar(fitted.sources.length) : undefined;
  const filter = new CitationStreamFilter(fitted.sources);
  let firstTokenMs: number | null = null;
  let gen;
  try {
    gen = await m.chat(fitted.messages, {
      maxTokens: maxAnswerTokens,
      ...opts.sampling,
      temperature: opts.temperature,
      seed: opts.seed,
      signal: opts.signal,
      ...(grammar ? { grammar } : {}),
      onText: (t) => {
        if (firstTokenMs === null) firstTokenMs = performance.now() - t0;
        const out = filter.push(t);
        if (out) opts.onText?.(out);
      },
    });
  } finally {
    const rest = filter.flush();
    if (rest) opts.onText?.(rest);
  }
  const checked = checkCitations(gen.text, fitted.sources);
  const support = await supportOf(checked.text, new Map(fitted.sources.map((s) => [s.n, s.text])), opts.embedder, opts.signal);
  return {
    answer: checked.text,
    citations: checked.citations.map((c) => ({ ...c, support: support.get(c.n) ?? { score: null, similarity: null, supported: true, sentence: '' } })),
    citationMode,
    uncitedTail: uncitedTail(checked.text),
    invalidCitations: checked.invalid,
    uncited: checked.uncited,
    sources: fitted.sources.map(toSourceRef),
    notFound: false,
    closest: g.closest,
    retrieval: g.retrieval,
    promptTokens: gen.promptTokens,
    budget: fitted.budget,
    stopReason: gen.stopReason,
    cancelled: gen.stopReason === 'cancelled',
    generation: { tokens: gen.tokens ?? null, tokensPerSecond: gen.tokensPerSecond ?? null, timeToFirstTokenMs: gen.timeToFirstTokenMs ?? null },
    timings: { retrieveMs: g.retrieveMs, promptMs, firstTokenMs, totalMs: performance.now() - t0 },
  };
}

export async function ask(deps: AskDeps, question: string, opts: AskOptions = {}): Promise<AskResult> {
  const gathered = await gatherSources(deps, question, opts);
  return answerFromSources(deps.model, gathered, { ...opts, ...(deps.embedder ? { embedder: deps.embedder } : {}) });
}

/** What to say when the vault holds nothing to answer from: plainly, pointing at the closest notes (numbered). */
export function notFoundText(closestCount: number): string {
  return closestCount > 0
    ? `The vault does not seem to contain this. The closest notes are ${Array.from({ length: closestCount }, (_, i) => `[${i + 1}]`).join(', ')}.`
    : 'The vault does not seem to contain this, and no note comes close.';
}
