// Citations in an answer: "[n]" (or "[n, m]") pointing at the numbered sources the model was
// given. A number that was not given is an invented citation: it is removed from the text and
// reported. The streaming filter does the same on the fly, holding back only the few characters
// of a bracket that is still open.
import type { CitationRef } from '../../vault/conversations/types';

export interface NumberedSource {
  n: number;
  path: string;
  startLine: number;
  endLine: number;
}

export interface CitationCheck {
  /** The answer with invented citations removed. */
  text: string;
  /** Valid citations, in order of first appearance, one per source. */
  citations: CitationRef[];
  /** Numbers cited that no source had, in order of first appearance. */
  invalid: number[];
  /** The answer cites nothing (valid). */
  uncited: boolean;
}

/**
 * "[3]", "[1, 2]", "[1][2]": a bracket of numbers and commas only, not glued to a word before it
 * (so code such as arr[0] is left alone).
 */
const CITATION = /(?<![\p{L}\p{N}_])\[(\s*\d{1,4}\s*(?:[,;]\s*\d{1,4}\s*)*)\]/gu;

function rewrite(text: string, valid: ReadonlySet<number>, onValid: (n: number) => void, onInvalid: (n: number) => void): string {
  return text.replace(CITATION, (_m, inner: string) => {
    const nums = inner.split(/[,;]/).map((s) => Number(s.trim()));
    const kept: number[] = [];
    for (const n of nums) {
      if (valid.has(n)) {
        if (!kept.includes(n)) kept.push(n);
        onValid(n);
      } else onInvalid(n);
    }
    return kept.length > 0 ? `[${kept.join(', ')}]` : '\u0000';
  })
    // A removed citation leaves no double space or space before punctuation behind.
    .replace(/ ?\u0000/g, '');
}

export function checkCitations(text: string, sources: readonly NumberedSource[]): CitationCheck {
  const byN = new Map(sources.map((s) => [s.n, s]));
  const valid = new Set(byN.keys());
  const cited: number[] = [];
  const invalid: number[] = [];
  const cleaned = rewrite(
    text,
    valid,
    (n) => {
      if (!cited.includes(n)) cited.push(n);
    },
    (n) => {
      if (!invalid.includes(n)) invalid.push(n);
    },
  );
  const citations = cited.map((n) => {
    const s = byN.get(n)!;
    return { n, path: s.path, startLine: s.startLine, endLine: s.endLine };
  });
  return { text: cleaned, citations, invalid, uncited: citations.length === 0 };
}

/**
 * Cleans streamed text chunk by chunk with the same rules as checkCitations: text is passed on
 * at once except from an unclosed "[" that may still become a citation (at most a few chars).
 */
export class CitationStreamFilter {
  private held = '';
  /** The tail of what was passed on: context for a bracket that spans a chunk boundary. */
  private last = '';
  private readonly valid: ReadonlySet<number>;

  constructor(sources: readonly NumberedSource[]) {
    this.valid = new Set(sources.map((s) => s.n));
  }

  push(chunk: string): string {
    const text = this.held + chunk;
    this.held = '';
    // Hold back from the last "[" that has no "]" after it, if it could still be a citation
    // (plus one space before it, which goes if the citation is removed).
    const open = text.lastIndexOf('[');
    const glued = open > 0 ? /[\p{L}\p{N}_]/u.test(text[open - 1]!) : open === 0 && /[\p{L}\p{N}_]$/u.test(this.last);
    if (open !== -1 && !glued && text.indexOf(']', open) === -1 && /^\[[\d\s,;]{0,24}$/.test(text.slice(open))) {
      const cut = open > 0 && text[open - 1] === ' ' ? open - 1 : open;
      this.held = text.slice(cut);
      return this.clean(text.slice(0, cut));
    }
    // A trailing space is held too: a citation that starts the next chunk may remove it.
    if (text.endsWith(' ')) {
      this.held = ' ';
      return this.clean(text.slice(0, -1));
    }
    return this.clean(text);
  }

  /** The rest, at the end of the stream. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return this.clean(rest);
  }

  private clean(s: string): string {
    if (!s) return s;
    // Rewritten with what was passed on just before (never ending in a space: trailing spaces are
    // held), so that "arr[" + "0]" across a chunk boundary is still seen as glued to a word.
    const ctx = this.last;
    const out = rewrite(ctx + s, this.valid, () => undefined, () => undefined).slice(ctx.length);
    this.last = (ctx + out).slice(-32);
    return out;
  }
}
