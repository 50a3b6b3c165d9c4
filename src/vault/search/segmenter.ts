// Word segmentation for scripts written without spaces between words.
//
// FTS5's unicode61 tokenizer ends a token only at a character that is not a letter, number or
// mark, so a Chinese, Japanese or Thai sentence is one token and a word inside it can never be
// found. ICU (shipped with Node and with VS Code's Electron) knows where the words are:
// Intl.Segmenter with granularity 'word' uses its dictionaries for Han, kana, Thai, Lao, Khmer
// and Myanmar text whatever the locale, so one segmenter serves every language.
//
// The full-text index reads a segmented copy of such text, with U+200B (ZERO WIDTH SPACE, a
// separator for unicode61) between words; the notes keep their own text for display, hashing,
// prompts and line numbers. Queries are segmented by the same function, so both sides agree.
// Korean is written with spaces; only where Hangul is glued to another script ("xargs로",
// "2개") is the run cut at the change of script (its particles are handled at query time).

/** Inserted between words in the index's copy of the text; removed again from snippets. */
export const WORD_SEPARATOR = '\u200b';

/** Scripts ICU segments with a dictionary (Script_Extensions, so that ー, 々 and CJK marks count). */
const NEEDS_SEGMENTING = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]/u;
/** A run of characters unicode61 keeps in one token (with the tokenizer's categories L* N* Co M*). */
const TOKEN_RUN = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
const TOKEN_CHAR = /[\p{L}\p{N}\p{M}\p{Co}]/u;
const HANGUL = /\p{Script=Hangul}/u;
/** Hangul and the text around it: a run such as "xargs로" becomes "xargs", "로". */
const HANGUL_OR_NOT = /\p{Script=Hangul}+|[^\p{Script=Hangul}]+/gu;
const NEEDS_OR_HANGUL = new RegExp(`${NEEDS_SEGMENTING.source}|\\p{Script=Hangul}`, 'u');

let segmenter: Intl.Segmenter | undefined;
function wordSegmenter(): Intl.Segmenter {
  // 'und': ICU's dictionary break engines are chosen by script, not by locale.
  segmenter ??= new Intl.Segmenter('und', { granularity: 'word' });
  return segmenter;
}

/** True when the text may need segmenting: a script written without spaces, or Hangul. */
export function needsSegmenting(text: string): boolean {
  return NEEDS_OR_HANGUL.test(text);
}

/** The words of one token run (letters, numbers, marks only); the run itself when it needs no cut. */
function splitRun(run: string): string[] {
  const hangul = HANGUL.test(run);
  let words: string[];
  if (NEEDS_SEGMENTING.test(run)) {
    words = [];
    for (const s of wordSegmenter().segment(run)) if (TOKEN_CHAR.test(s.segment)) words.push(s.segment);
  } else if (hangul) {
    words = [run];
  } else {
    return [run];
  }
  return hangul ? words.flatMap((w) => w.match(HANGUL_OR_NOT) ?? [w]) : words;
}

/**
 * The text with WORD_SEPARATOR between the words of every run that needs segmenting; null when
 * nothing changes (most text: the index then reads the note's own text).
 */
export function segmentForIndex(text: string): string | null {
  if (!needsSegmenting(text)) return null;
  let changed = false;
  const out = text.replace(TOKEN_RUN, (run) => {
    const words = splitRun(run);
    if (words.length <= 1) return run;
    changed = true;
    return words.join(WORD_SEPARATOR);
  });
  return changed ? out : null;
}

/**
 * Splits one whitespace-free piece of a query into the words the index holds: runs of a script
 * written without spaces become their words, other text is kept whole.
 */
export function segmentQueryWord(word: string): string[] {
  if (!needsSegmenting(word)) return [word];
  const out: string[] = [];
  let last = 0;
  for (const m of word.matchAll(TOKEN_RUN)) {
    const run = m[0];
    const at = m.index;
    const words = splitRun(run);
    if (words.length <= 1 && words[0] === run) continue;
    // Punctuation and other text around the run stays attached to nothing: it is not a token.
    if (at > last) pushNonEmpty(out, word.slice(last, at));
    out.push(...words);
    last = at + run.length;
  }
  if (last < word.length) pushNonEmpty(out, word.slice(last));
  return out;
}

function pushNonEmpty(out: string[], s: string): void {
  if (TOKEN_CHAR.test(s)) out.push(s);
}

/** Removes the separators the index's copy carries (snippets are built from that copy). */
export function stripSeparators(text: string): string {
  return text.includes(WORD_SEPARATOR) ? text.split(WORD_SEPARATOR).join('') : text;
}
