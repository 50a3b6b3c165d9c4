// Shortening text for display without cutting a character in half: never between the two
// halves of a surrogate pair (emoji, rare CJK), nor between a letter and its combining marks
// (Thai and Devanagari vowel signs, decomposed accents), nor inside an emoji sequence.

let graphemes: Intl.Segmenter | undefined;

/** At most `max` UTF-16 units of `text`, cut after a whole grapheme, `ellipsis` added when cut. */
export function clipText(text: string, max: number, ellipsis = '…'): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - ellipsis.length);
  graphemes ??= new Intl.Segmenter('und', { granularity: 'grapheme' });
  let end = 0;
  // A few units past the limit are enough to see where the last whole grapheme ends.
  for (const g of graphemes.segment(text.slice(0, room + 16))) {
    if (g.index + g.segment.length > room) break;
    end = g.index + g.segment.length;
  }
  return text.slice(0, end) + ellipsis;
}
