// A light fold of English word forms, for looking words up in short lists (synonyms, the boosts'
// query words). The index itself stems with FTS5's porter tokenizer; this only has to bring a
// plural back to the form a list holds.
const LATIN_ONLY = /^[\p{Script=Latin}\p{N}]+$/u;

/** Lower case, with a plural's "s" / "ies" folded back ("folders" -> folder, "directories" -> directory). */
export function foldWord(w: string): string {
  const lower = w.toLowerCase();
  if (!LATIN_ONLY.test(lower)) return lower;
  if (lower.length > 4 && lower.endsWith('ies')) return lower.slice(0, -3) + 'y';
  if (lower.length > 3 && lower.endsWith('s') && !lower.endsWith('ss')) return lower.slice(0, -1);
  return lower;
}
