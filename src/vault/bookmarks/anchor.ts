// Text anchoring: a bookmark remembers its lines' text and one line of context each side, so that
// after edits elsewhere in the file it can find its text again instead of pointing at whatever
// now sits at the old line numbers.
//
// Search order (first tier with a hit wins):
//   1. the exact lines; several copies are told apart by matching context, then by nearness to the old place;
//   2. the same lines ignoring whitespace changes (re-indented, re-wrapped spaces);
//   3. a fuzzy match: character-trigram similarity of a window of n-1..n+1 lines, helped by the context lines,
//      so that a lightly edited passage is still found and a replaced one is reported lost.
import { BookmarkError, type ResolveResult, type TextAnchor } from './types';

/** Lines of a text, without their terminators ('\n', '\r\n' or '\r'). An empty text has one empty line. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The anchor of lines startLine..endLine (1-based, inclusive) of a file's text. */
export function captureAnchor(fileText: string, startLine: number, endLine: number): TextAnchor {
  const lines = splitLines(fileText);
  if (!Number.isInteger(startLine) || !Number.isInteger(endLine) || startLine < 1 || endLine < startLine || endLine > lines.length) {
    throw new BookmarkError(`Lines ${startLine}-${endLine} are not in the file (it has ${lines.length} line${lines.length === 1 ? '' : 's'}).`);
  }
  return {
    startLine,
    endLine,
    text: lines.slice(startLine - 1, endLine).join('\n'),
    before: startLine > 1 ? lines[startLine - 2]! : '',
    after: endLine < lines.length ? lines[endLine]! : '',
  };
}

/** Fuzzy acceptance: the text alone is similar enough, or it is fairly similar and both context lines still surround it. */
// Measured on the Rust book: unrelated passages of prose score at most ~0.46 against each other
// with character trigrams, while passages with a few words changed score 0.84 and up.
const TEXT_ALONE = 0.7;
const TEXT_WITH_CONTEXT = 0.5;
const CONTEXT_SURE = 0.8;
/** Candidates scoring within this of the best are considered equal; the nearest to the old place wins. */
const SCORE_TIE = 0.02;

interface Candidate {
  start: number; // 0-based index of the first line
  size: number;
  score: number;
}

/** Finds the anchor in the file's current text. Returns the old lines with status 'lost' when it is gone. */
export function locateAnchor(anchor: TextAnchor, fileText: string): ResolveResult {
  const lines = splitLines(fileText);
  const want = splitLines(anchor.text);
  const oldStart = anchor.startLine - 1;
  const lost: ResolveResult = { startLine: anchor.startLine, endLine: anchor.endLine, status: 'lost' };

  const found =
    exactMatch(lines, want, anchor, oldStart, (s) => s) ??
    exactMatch(lines, want, anchor, oldStart, squash) ??
    fuzzyMatch(lines, want, anchor, oldStart);
  if (!found) return lost;
  const startLine = found.start + 1;
  const endLine = found.start + found.size;
  return { startLine, endLine, status: startLine === anchor.startLine && endLine === anchor.endLine ? 'ok' : 'moved' };
}

/** Whitespace-insensitive form of a line. */
function squash(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function exactMatch(lines: string[], want: string[], anchor: TextAnchor, oldStart: number, norm: (s: string) => string): Candidate | undefined {
  const n = want.length;
  const w = want.map(norm);
  const before = norm(anchor.before);
  const after = norm(anchor.after);
  const normLines = norm === squash ? lines.map(norm) : lines;
  let best: { start: number; context: number; distance: number } | undefined;
  for (let i = 0; i + n <= normLines.length; i++) {
    if (normLines[i] !== w[0]) continue;
    let k = 1;
    while (k < n && normLines[i + k] === w[k]) k++;
    if (k < n) continue;
    const context = Number((i > 0 ? normLines[i - 1] : '') === before) + Number((i + n < normLines.length ? normLines[i + n] : '') === after);
    const distance = Math.abs(i - oldStart);
    if (!best || context > best.context || (context === best.context && distance < best.distance)) best = { start: i, context, distance };
  }
  return best ? { start: best.start, size: n, score: 1 } : undefined;
}

function fuzzyMatch(lines: string[], want: string[], anchor: TextAnchor, oldStart: number): Candidate | undefined {
  const wantProfile = addProfile(new Map(), want.map(normalizeForFuzzy));
  const wantTotal = total(wantProfile);
  const lineGrams = lines.map((l) => grams(normalizeForFuzzy(l)));
  const before = normalizeForFuzzy(anchor.before);
  const after = normalizeForFuzzy(anchor.after);
  const candidates: Candidate[] = [];

  const sizes = [...new Set([want.length, want.length - 1, want.length + 1])].filter((m) => m >= 1 && m <= lines.length);
  for (const m of sizes) {
    // Slide a window of m lines down the file, keeping its trigram counts and their overlap with the
    // anchor's up to date, so each step costs one line in and one line out.
    const window = new Map<string, number>();
    let windowTotal = 0;
    let overlap = 0;
    const add = (grams: Map<string, number>, sign: 1 | -1): void => {
      for (const [g, c] of grams) {
        const had = window.get(g) ?? 0;
        const now = had + sign * c;
        const cap = wantProfile.get(g) ?? 0;
        overlap += Math.min(now, cap) - Math.min(had, cap);
        if (now === 0) window.delete(g);
        else window.set(g, now);
        windowTotal += sign * c;
      }
    };
    for (let i = 0; i < m; i++) add(lineGrams[i]!, 1);
    for (let start = 0; start + m <= lines.length; start++) {
      if (start > 0) {
        add(lineGrams[start - 1]!, -1);
        add(lineGrams[start + m - 1]!, 1);
      }
      const textSim = windowTotal + wantTotal === 0 ? 1 : (2 * overlap) / (windowTotal + wantTotal);
      if (textSim < TEXT_WITH_CONTEXT) continue;
      const beforeSim = similarity(start > 0 ? normalizeForFuzzy(lines[start - 1]!) : '', before);
      const afterSim = similarity(start + m < lines.length ? normalizeForFuzzy(lines[start + m]!) : '', after);
      const accepted = textSim >= TEXT_ALONE || (beforeSim >= CONTEXT_SURE && afterSim >= CONTEXT_SURE);
      if (!accepted) continue;
      candidates.push({ start, size: m, score: 0.8 * textSim + 0.1 * beforeSim + 0.1 * afterSim });
    }
  }
  if (candidates.length === 0) return undefined;
  const top = Math.max(...candidates.map((c) => c.score));
  return candidates
    .filter((c) => c.score >= top - SCORE_TIE)
    .sort((a, b) => Math.abs(a.start - oldStart) - Math.abs(b.start - oldStart) || b.score - a.score || a.size - b.size)[0];
}

function normalizeForFuzzy(s: string): string {
  return squash(s).toLowerCase();
}

/** Character trigram counts of one line; a line shorter than three characters counts as one gram. */
function grams(s: string): Map<string, number> {
  const m = new Map<string, number>();
  if (s.length > 0 && s.length < 3) m.set(s, 1);
  for (let i = 0; i + 2 < s.length; i++) {
    const g = s.slice(i, i + 3);
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

function addProfile(into: Map<string, number>, lines: string[]): Map<string, number> {
  for (const l of lines) for (const [g, c] of grams(l)) into.set(g, (into.get(g) ?? 0) + c);
  return into;
}

function total(m: Map<string, number>): number {
  let t = 0;
  for (const c of m.values()) t += c;
  return t;
}

/** Dice coefficient of two lines' trigrams (1 for two empty lines). */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const ga = grams(a);
  const gb = grams(b);
  const ta = total(ga);
  const tb = total(gb);
  if (ta + tb === 0) return 1;
  let overlap = 0;
  for (const [g, c] of ga) overlap += Math.min(c, gb.get(g) ?? 0);
  return (2 * overlap) / (ta + tb);
}
