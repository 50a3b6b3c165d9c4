// The significant words of a query, for the small boosts (title/heading, tag, link matches).
// Matching is on lower-cased words with a light plural fold, deliberately simpler than FTS5's
// porter stemmer: a boost only nudges the order that bm25 and the vectors already gave.

const STOPWORDS = new Set(
  (
    'a an and are as at be but by can could did do does doing for from had has have how i if in into is it its ' +
    'me my no not of on or our should so than that the their them then there these they this those to too ' +
    'was we were what when where which while who whom why will with would you your about use using used ' +
    'rust s t vs get make one'
  ).split(' '),
);

export function foldWord(w: string): string {
  const lower = w.toLowerCase();
  if (lower.length > 4 && lower.endsWith('ies')) return lower.slice(0, -3) + 'y';
  if (lower.length > 3 && lower.endsWith('s') && !lower.endsWith('ss')) return lower.slice(0, -1);
  return lower;
}

export function words(text: string): string[] {
  return text.match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/** Distinct folded words of the query, without stop words or single characters. */
export function queryTerms(query: string): string[] {
  const out = new Set<string>();
  for (const w of words(query)) {
    const lower = w.toLowerCase();
    if (lower.length < 2 || STOPWORDS.has(lower)) continue;
    out.add(foldWord(lower));
  }
  return [...out];
}
