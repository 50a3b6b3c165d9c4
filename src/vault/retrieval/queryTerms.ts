// The significant words of a query, for the small boosts (title/heading, tag, link matches) and
// the evidence check of answers. They are the content words of the full-text query (the same
// parsing, stopword lists and segmentation as the lexical ranking: search/ftsQuery.ts), lower
// case, with a light plural fold: a boost only nudges the order that bm25 and the vectors gave.
import { contentTerms, parseQuery } from '../search/ftsQuery';
import { segmentForIndex } from '../search/segmenter';
import { isStopword } from '../search/stopwords';
import { foldWord } from '../search/wordForms';

const LATIN_ONLY = /^[\p{Script=Latin}\p{N}]+$/u;

/** The words of a text, with the words of unspaced scripts (Chinese, Japanese, Thai) separated. */
export function words(text: string): string[] {
  return (segmentForIndex(text) ?? text).match(/[\p{L}\p{N}\p{M}_]+/gu) ?? [];
}

/** Distinct folded content words of the query (no stop words, no single Latin letters). */
export function queryTerms(query: string): string[] {
  const out = new Set<string>();
  for (const t of contentTerms(parseQuery(query))) {
    for (const w of t.words) {
      if ((w.length < 2 && LATIN_ONLY.test(w)) || (isStopword(w) && !t.stop)) continue;
      out.add(foldWord(w));
    }
  }
  return [...out];
}
