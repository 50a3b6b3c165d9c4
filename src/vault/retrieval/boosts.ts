// Small additive boosts on top of the fused score. Their size is set against RRF's scale: with
// k = 60, rank 1 scores 1/61 = 0.0164 and rank 10 scores 0.0143, so a full title match (0.002)
// moves a chunk up a few places near the top, never from the bottom of the list to the top.
import { words } from './queryTerms';
import { stemLite } from './termMatch';

export const TITLE_BOOST = 0.002;
export const TAG_BOOST = 0.001;
export const LINK_BOOST = 0.001;

export interface Boosts {
  /** Share of the query's terms found in the note title or the chunk's heading path, times TITLE_BOOST. */
  title: number;
  /** A note tag equals a query term. */
  tag: number;
  /** A wiki link in the note points at a page named by a query term. */
  link: number;
}

export interface BoostSubject {
  title: string;
  heading: string;
  /** Space-separated tags (chunks.tags). */
  tags: string;
  /** Targets of the note's wiki links. */
  linkTargets: readonly string[];
}

export function computeBoosts(terms: readonly string[], s: BoostSubject): Boosts {
  if (terms.length === 0) return { title: 0, tag: 0, link: 0 };
  const stems = terms.map(stemLite);
  const titleWords = new Set(words(`${s.title} ${s.heading}`).map(stemLite));
  const inTitle = stems.filter((t) => titleWords.has(t)).length;
  const tagWords = new Set(words(s.tags).map(stemLite));
  const linkWords = new Set(s.linkTargets.flatMap((t) => words(t).map(stemLite)));
  return {
    title: (TITLE_BOOST * inTitle) / terms.length,
    tag: stems.some((t) => tagWords.has(t)) ? TAG_BOOST : 0,
    link: stems.some((t) => linkWords.has(t)) ? LINK_BOOST : 0,
  };
}

export function totalBoost(b: Boosts): number {
  return b.title + b.tag + b.link;
}
