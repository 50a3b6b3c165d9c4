// Korean is written with spaces, but particles and verb endings are glued to the word they follow
// (파일을 "the file" as object, 파일이 as subject, 압축하는 "compressing"), so the word a note
// holds is rarely the word a question holds. A query word is therefore also matched by its stem
// as a prefix: the word less one trailing particle or ending from the list below, when at least
// two syllables remain (one syllable as a prefix would match far too much).
//
// The list: the case and topic particles and the endings of 하다/되다 verbs formed from a noun
// (the usual way Korean turns a technical noun into a verb), longest first so that 에서 wins
// over 서 and 하는 over 는.
const ENDINGS = [
  // verb endings after a noun (압축하다, 삭제되다, ...)
  '하려면', '하는데', '하는지', '하세요', '합니다', '합니까', '하나요', '할까요', '했어요', '했나요', '했는데', '하시오', '하기', '하는', '하고', '하면', '하여',
  '해서', '해야', '해요', '하죠', '하다', '한다', '했다', '되나요', '됩니까', '되는지', '되는', '되어', '되면', '되다', '된다', '돼요', '시키는', '시키기', '할', '한', '된',
  // particles
  '에서는', '에게서', '으로는', '으로서', '으로써', '이라고', '이라는', '에서', '에게', '한테', '께서', '까지', '부터', '보다', '처럼', '만큼', '마다',
  '으로', '이나', '이랑', '라고', '라는', '에는', '와는', '과는', '은', '는', '이', '가', '을', '를', '에', '의', '도', '만', '로', '와', '과', '나', '랑', '요',
].sort((a, b) => b.length - a.length);

const HANGUL_WORD = /^\p{Script=Hangul}+$/u;

/** True for a word written in Hangul only. */
export function isHangulWord(word: string): boolean {
  return HANGUL_WORD.test(word);
}

/** The word less one trailing particle or verb ending, when two syllables or more remain; else the word. */
export function hangulStem(word: string): string {
  const chars = [...word];
  for (const e of ENDINGS) {
    if (word.endsWith(e) && chars.length - [...e].length >= 2) return word.slice(0, word.length - e.length);
  }
  return word;
}
