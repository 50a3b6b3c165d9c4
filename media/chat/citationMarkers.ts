// The chat renderer's first step, without the DOM: each citation of the answer grammar
// (src/app/ask/citationGrammar.ts) becomes one private-use marker per number, which Markdown
// leaves alone; code and prose that only looks like a citation ("x[1]", "[2024]") stay as written.
import { tokenizeAnswer } from '../../src/app/ask/citationGrammar';

const CITE_OPEN = '\u{E010}';
const CITE_CLOSE = '\u{E011}';
/** A marker left by markCitations; group 1 is the number. */
export const MARKER_RE = new RegExp(`${CITE_OPEN}(\\d{1,3})${CITE_CLOSE}`, 'gu');

/** Whether a text holds a marker (MARKER_RE is global, so .test() would carry state). */
export function hasMarker(text: string): boolean {
  return text.includes(CITE_OPEN);
}

export function markCitations(text: string): string {
  // Marker characters the text itself holds are dropped: only markCitations makes chips.
  const clean = text.replace(/[\u{E010}\u{E011}]/gu, '');
  return tokenizeAnswer(clean).map((t) => (t.kind === 'citation' ? t.groups.flat().map((n) => `${CITE_OPEN}${n}${CITE_CLOSE}`).join('') : t.text)).join('');
}
