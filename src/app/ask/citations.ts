// Citations in an answer (the grammar of citationGrammar.ts: "[n]", "[n, m]", "[n; m]", "[n][m]")
// pointing at the numbered sources the model was given. A number that was not given is an invented
// citation: it is removed from the text and reported. The streaming filter does the same on the fly,
// holding back only the end of the text that may still become a citation.
import type { CitationRef } from '../../vault/conversations/types';
import { tokenizeAnswer, unsettledFrom, type GrammarState } from './citationGrammar';

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

/** Rewrites an answer's citations (the grammar of citationGrammar.ts): invented numbers go. */
function rewrite(text: string, valid: ReadonlySet<number>, onValid: (n: number) => void, onInvalid: (n: number) => void, state?: GrammarState): string {
  let out = '';
  for (const t of tokenizeAnswer(text, state)) {
    if (t.kind !== 'citation') {
      out += t.text;
      continue;
    }
    const kept = t.groups.map((nums) => {
      const k: number[] = [];
      for (const n of nums) {
        if (valid.has(n)) {
          if (!k.includes(n)) k.push(n);
          onValid(n);
        } else onInvalid(n);
      }
      return k;
    }).filter((k) => k.length > 0);
    if (kept.length > 0) out += kept.map((k) => `[${k.join(', ')}]`).join('');
    // A removed citation leaves no double space or space before punctuation behind.
    else if (out.endsWith(' ')) out = out.slice(0, -1);
  }
  return out;
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
 * Cleans streamed text chunk by chunk with the same rules as checkCitations: text is passed on at
 * once except where its end is still unsettled (an open bracket that may become a citation, a
 * citation that may grow, a code delimiter), which waits for the next chunk.
 */
export class CitationStreamFilter {
  /** Input since the last line that was passed on whole (its grammar state is `lineState`). */
  private raw = '';
  /** What was passed on of `raw`, rewritten. */
  private out = '';
  private readonly lineState: GrammarState = { fence: null };
  private readonly valid: ReadonlySet<number>;

  constructor(sources: readonly NumberedSource[]) {
    this.valid = new Set(sources.map((s) => s.n));
  }

  push(chunk: string): string {
    this.raw += chunk;
    return this.emit(unsettledFrom(this.raw, this.lineState));
  }

  /** The rest, at the end of the stream. */
  flush(): string {
    return this.emit(this.raw.length);
  }

  private emit(upTo: number): string {
    const rewritten = rewrite(this.raw.slice(0, upTo), this.valid, () => undefined, () => undefined, { ...this.lineState });
    // What was passed on stays passed on; held text never changes what came before it.
    const text = rewritten.startsWith(this.out) ? rewritten.slice(this.out.length) : '';
    if (rewritten.startsWith(this.out)) this.out = rewritten;
    // Whole lines are settled: drop them, keeping only the fence state they leave.
    const nl = upTo > 0 ? this.raw.lastIndexOf('\n', upTo - 1) : -1;
    if (nl !== -1) {
      const done = this.raw.slice(0, nl + 1);
      const doneOut = rewrite(done, this.valid, () => undefined, () => undefined, { ...this.lineState });
      tokenizeAnswer(done, this.lineState);
      this.raw = this.raw.slice(nl + 1);
      this.out = this.out.slice(doneOut.length);
    }
    return text;
  }
}
