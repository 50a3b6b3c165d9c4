// The support check of an answer's citations: each sentence that cites a source is scored against
// the text of that source (the lines the model was given), and a citation whose source does not
// seem to say what cites it is flagged. The score is the share of the sentence's content words
// (stop words of its language left out, a light suffix fold: the same word handling as the
// retrieval's evidence check) that occur in the cited text; where an embedding model is at hand,
// the cosine of the two texts' vectors is added, so a paraphrase is not flagged.
import type { CitationSupport } from '../../vault/conversations/types';
import type { Embedder } from '../../vault/embeddings/embedder';
import { stemLite } from '../../vault/retrieval/termMatch';
import { words } from '../../vault/retrieval/queryTerms';
import { isStopword } from '../../vault/search/stopwords';
import { tokenizeAnswer } from './citationGrammar';

/** At least this share of a sentence's content words must be in the cited text (half of what it claims). */
export const MIN_WORD_SUPPORT = 0.5;
/** Or its vectors at least this close: what ask()'s evidence check takes as "about the same thing" (DEFAULT_RELEVANCE.minSimilarity). */
export const MIN_VECTOR_SUPPORT = 0.45;

export interface CitedClaim {
  /** The sentence (the prose before the citation run, back to the previous run or sentence end). */
  sentence: string;
  /** Source numbers of its citation run. */
  cites: number[];
}

const sentences = new Intl.Segmenter(undefined, { granularity: 'sentence' });
/** A sentence kept in a support record is cut to this (a paragraph with no sentence end can be long). */
export const MAX_SENTENCE_CHARS = 400;

function clip(s: string): string {
  return s.length <= MAX_SENTENCE_CHARS ? s : `${s.slice(0, MAX_SENTENCE_CHARS - 1)}…`;
}
const HAS_WORD = /[\p{L}\p{N}]/u;

function lastSentence(prose: string): string {
  let last = '';
  for (const s of sentences.segment(prose)) if (HAS_WORD.test(s.segment)) last = s.segment;
  return last.trim();
}

/** The sentences of an answer that carry citations, each with the numbers it cites (code is never a claim). */
export function citedClaims(answer: string): CitedClaim[] {
  const out: CitedClaim[] = [];
  let prose = '';
  let previous = '';
  for (const t of tokenizeAnswer(answer)) {
    if (t.kind === 'prose') prose += t.text;
    else if (t.kind === 'code') prose = '';
    else {
      // "..., [1] and [2]": a run with no words before it cites the sentence of the run before.
      const sentence = lastSentence(prose) || previous;
      if (sentence) out.push({ sentence, cites: [...new Set(t.groups.flat())] });
      previous = sentence;
      prose = '';
    }
  }
  return out;
}

function contentStems(text: string): string[] {
  return [...new Set(words(text).filter((w) => !isStopword(w) && !(w.length < 2 && /^\p{Script=Latin}$/u.test(w))).map(stemLite))];
}

/** Share (0..1) of the sentence's content words found in `source`; null when it has none. */
export function wordSupport(sentence: string, source: string): number | null {
  const claim = contentStems(sentence);
  if (claim.length === 0) return null;
  const have = new Set(words(source).map(stemLite));
  return claim.filter((w) => have.has(w)).length / claim.length;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

function judge(score: number | null, similarity: number | null): boolean {
  // A sentence with no content words ("Yes.") claims nothing to check.
  if (score === null) return true;
  return score >= MIN_WORD_SUPPORT || (similarity !== null && similarity >= MIN_VECTOR_SUPPORT);
}

/**
 * The support of each cited source: the weakest of the sentences that cite it. `sources` maps a
 * number to the text the model was given. With `embedder`, one embedding call covers every cited
 * sentence and source; an embedder that fails leaves the words alone to judge.
 */
export async function supportOf(answer: string, sources: ReadonlyMap<number, string>, embedder?: Embedder, signal?: AbortSignal): Promise<Map<number, CitationSupport>> {
  const claims = citedClaims(answer).map((c) => ({ ...c, cites: c.cites.filter((n) => sources.has(n)) })).filter((c) => c.cites.length > 0);
  const vectors = new Map<string, ArrayLike<number>>();
  if (embedder && claims.length > 0) {
    const cited = new Set(claims.flatMap((c) => c.cites));
    const texts = [...new Set([...claims.map((c) => c.sentence), ...[...cited].map((n) => sources.get(n)!)])];
    try {
      const r = await embedder.embed(texts, signal);
      texts.forEach((t, i) => vectors.set(t, r[i]!.vector));
    } catch {
      vectors.clear();
    }
  }
  const out = new Map<number, CitationSupport>();
  for (const c of claims) {
    for (const n of c.cites) {
      const text = sources.get(n)!;
      const score = wordSupport(c.sentence, text);
      const a = vectors.get(c.sentence);
      const b = vectors.get(text);
      const similarity = a && b ? cosine(a, b) : null;
      const s: CitationSupport = { score, similarity, supported: judge(score, similarity), sentence: clip(c.sentence) };
      const prev = out.get(n);
      if (!prev || weaker(s, prev)) out.set(n, s);
    }
  }
  return out;
}

function weaker(a: CitationSupport, b: CitationSupport): boolean {
  if (a.supported !== b.supported) return !a.supported;
  return (a.score ?? 1) < (b.score ?? 1);
}
