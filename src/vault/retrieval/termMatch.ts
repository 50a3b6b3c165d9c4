// Which of a query's terms a text contains, with a light suffix fold (close to what FTS5's
// porter stemmer treats as one word: "borrowing" ~ "borrow", "closures" ~ "closure"). Used to
// judge whether the best hits actually answer the question's words (or other words for the same
// thing, as search matches them: search/synonyms.ts). Words of unspaced scripts
// are compared as the segmenter splits them; a Korean word matches by its stem (particles off);
// a word typed with a slip matches the word it is a slip of, as search corrects it (search/spelling.ts);
// three to five neighbouring words match their acronym.
import { hangulStem, isHangulWord } from '../search/korean';
import { needsSegmenting } from '../search/segmenter';
import { isSlipOf } from '../search/spelling';
import { foldCase } from '../search/stopwords';
import { synonymsOf } from '../search/synonyms';
import { words } from './queryTerms';

const SUFFIXES = ['ations', 'ation', 'ments', 'ment', 'ings', 'ing', 'ies', 'ied', 'ers', 'er', 'ed', 'es', 'ly', 's'];

export function stemLite(word: string): string {
  let w = word.toLowerCase();
  if (isHangulWord(w)) return hangulStem(w);
  if (/\p{Script=Latin}/u.test(w)) w = foldCase(w);
  if (!/^[a-z0-9_]+$/.test(w)) return w;
  for (const s of SUFFIXES) {
    if (w.length - s.length >= 3 && w.endsWith(s)) {
      w = w.slice(0, -s.length);
      break;
    }
  }
  // "move" and "moves" -> "mov"; "scope" and "scoped" -> "scop".
  return w.length > 3 && w.endsWith('e') ? w.slice(0, -1) : w;
}

/**
 * Share (0..1) of `terms` that occur in `text`. Two-word questions are measured as if they had a
 * third word: one match of two is weak evidence ("the capital of Mongolia" against a note that
 * mentions a capital letter), so it scores 1/3, while both words score 2/3 and a one-word
 * question's match 1/2.
 */
export function termCoverage(terms: readonly string[], text: string): number {
  if (terms.length === 0) return 0;
  const stems = new Set(words(text).map(stemLite));
  // A word of a script without spaces may be cut differently in the text (文件夹 -> 文件|夹): it is there when its characters are.
  const holds = (w: string): boolean => stems.has(stemLite(w)) || (needsSegmenting(w) && text.includes(w));
  let hit = 0;
  // A word search matched through another word for the same thing counts where that word is
  // ("delete a folder" is answered by "remove a directory"), or the answer would be refused.
  let textWords: string[] | undefined;
  // A slip ("pasword") that search matched to the vault's word counts where that word is.
  const slipHolds = (t: string): boolean => (textWords ??= [...new Set(words(text).map((w) => w.toLowerCase()))]).some((w) => isSlipOf(t, w));
  // Neighbouring words whose acronym the text uses ("cross origin resource sharing": CORS). Search
  // matches an acronym only where the vault defines it; here, judging hits search already found,
  // the text's use of it is enough.
  const byAcronym = new Set<number>();
  for (let n = 5; n >= 3; n--) {
    for (let i = 0; i + n <= terms.length; i++) {
      const run = terms.slice(i, i + n);
      if (run.every((w) => /^\p{L}/u.test(w)) && stems.has(stemLite(run.map((w) => w[0]!).join('')))) for (let k = i; k < i + n; k++) byAcronym.add(k);
    }
  }
  terms.forEach((t, i) => {
    if (byAcronym.has(i) || holds(t) || synonymsOf(t).some(holds) || synonymsOf(stemLite(t)).some(holds) || slipHolds(t)) hit++;
  });
  return hit / (terms.length <= 2 ? terms.length + 1 : terms.length);
}
