// The one grammar of citations in an answer, shared by the server's check (citations.ts) and both
// renderers (the chat webview's Markdown and the inline answer's). Plain TypeScript with no imports,
// so the webview bundle can use it as is.
//
// A citation run is one or more brackets of source numbers: "[3]", "[1, 2]", "[1; 2]", "[1][2]".
// - Each number has 1-3 digits: "[2024]" is a year, not a source.
// - A run glued to a word of a script written with spaces between words (Latin, Greek, Cyrillic:
//   the scripts of code identifiers), to a digit, or to a bracket or backslash before it, is not
//   a citation: "arr[0]", "x[1]", "m[0][1]", the "[1]" of a reference link "[text][1]", an escaped
//   "\[1]". Glued to Chinese, Japanese or Thai text, where no space separates words, it is one:
//   "所有者[1]。".
// - Nothing inside code is a citation: fenced blocks (``` or ~~~ at a line start; an unterminated
//   fence runs to the end, as while streaming) and inline code spans (closed on the same line).
// - Spaces and tabs may surround the numbers; a run never spans lines.

export type AnswerToken =
  | { kind: 'prose'; text: string }
  | { kind: 'code'; text: string }
  /** `groups` holds each bracket's numbers, in order ("[1, 2][3]" -> [[1, 2], [3]]). */
  | { kind: 'citation'; text: string; groups: number[][] };

/** What a tokenizer carries from one piece of text to the next: the fence open at its start, if any. */
export interface GrammarState {
  fence: string | null;
}

const RUN = /(?<![\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{N}_\]\\])(?:\[[ \t]*\d{1,3}[ \t]*(?:[,;][ \t]*\d{1,3}[ \t]*)*\])+/gu;
const BRACKET = /\[([^\]]*)\]/g;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;

function groupsOf(run: string): number[][] {
  return [...run.matchAll(BRACKET)].map((m) => m[1]!.split(/[,;]/).map((s) => Number(s.trim())));
}

/** A line's code spans: [start, end) pairs. A backtick run opens a span closed by a run of the same length. */
function codeSpans(line: string): [number, number][] {
  const spans: [number, number][] = [];
  const runs = [...line.matchAll(/`+/g)].map((m) => ({ at: m.index, len: m[0].length }));
  for (let i = 0; i < runs.length; i++) {
    const open = runs[i]!;
    const close = runs.findIndex((r, j) => j > i && r.len === open.len);
    if (close === -1) continue;
    spans.push([open.at, runs[close]!.at + runs[close]!.len]);
    i = close;
  }
  return spans;
}

function proseTokens(text: string, out: AnswerToken[]): void {
  let last = 0;
  for (const m of text.matchAll(RUN)) {
    if (m.index > last) out.push({ kind: 'prose', text: text.slice(last, m.index) });
    out.push({ kind: 'citation', text: m[0], groups: groupsOf(m[0]) });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ kind: 'prose', text: text.slice(last) });
}

/**
 * Splits an answer into prose, code and citation tokens; their texts joined give `text` back.
 * `state` is where `text` starts (inside a fence or not) and is updated to where it ends.
 */
export function tokenizeAnswer(text: string, state: GrammarState = { fence: null }): AnswerToken[] {
  const out: AnswerToken[] = [];
  const push = (kind: 'prose' | 'code', s: string): void => {
    if (!s) return;
    const prev = out[out.length - 1];
    if (prev && prev.kind === kind) prev.text += s;
    else out.push({ kind, text: s });
  };
  let prose = '';
  const flushProse = (): void => {
    if (!prose) return;
    // Citations are found in a paragraph's whole prose, so a run's "glued" check sees the
    // character before it even across a code span (which ends in a backtick: never glued).
    const tokens: AnswerToken[] = [];
    proseTokens(prose, tokens);
    for (const t of tokens) t.kind === 'citation' ? out.push(t) : push(t.kind, t.text);
    prose = '';
  };
  for (const line of text.split(/(?<=\n)/)) {
    const body = line.replace(/\r?\n$/, '');
    if (state.fence !== null) {
      const m = FENCE_OPEN.exec(body);
      if (m && m[1]![0] === state.fence[0] && m[1]!.length >= state.fence.length && !m[2]!.trim()) state.fence = null;
      push('code', line);
      continue;
    }
    const open = FENCE_OPEN.exec(body);
    if (open && !(open[1]![0] === '`' && open[2]!.includes('`'))) {
      flushProse();
      state.fence = open[1]!;
      push('code', line);
      continue;
    }
    let last = 0;
    for (const [a, b] of codeSpans(line)) {
      prose += line.slice(last, a);
      flushProse();
      push('code', line.slice(a, b));
      last = b;
    }
    prose += line.slice(last);
  }
  flushProse();
  return out;
}

/** Every citation number of an answer, in order (repeats kept). */
export function citedNumbers(text: string): number[] {
  return tokenizeAnswer(text).flatMap((t) => (t.kind === 'citation' ? t.groups.flat() : []));
}

/**
 * Where a streamed answer may still change how its end is read: the index from which the text can
 * still become (or extend) a citation or a code delimiter, or text.length when its end is settled.
 * A stream holds back from here until more text comes.
 */
export function unsettledFrom(text: string, state: GrammarState): number {
  let from = text.length;
  // Backticks or tildes at the end may grow into a fence or a code span delimiter.
  const ticks = /[`~]+$/.exec(text);
  if (ticks) from = ticks.index;
  // An open bracket that may still become a citation: "[", "[1", "[1, " ...
  const open = /\[[ \t\d,;]{0,24}$/.exec(text);
  if (open) from = Math.min(from, open.index);
  const lineStart = text.lastIndexOf('\n') + 1;
  const line = text.slice(lineStart);
  const lineState = { fence: state.fence };
  tokenizeAnswer(text.slice(0, lineStart), lineState);
  // Which backticks of an unfinished line pair up can change with the next one (a closing run may
  // grow), and with them whether a bracket is code or a citation: from the first bracket that reads
  // as a citation after the line's first backtick, the line waits to be finished.
  const tick = lineState.fence === null ? line.indexOf('`') : -1;
  if (tick !== -1) {
    const after = [...line.matchAll(RUN)].find((m) => m.index > tick);
    if (after) from = Math.min(from, lineStart + after.index);
  }
  // A citation at the very end may be extended by another bracket.
  let at = lineStart;
  for (const t of tokenizeAnswer(line, lineState)) {
    const end = at + t.text.length;
    if (t.kind === 'citation' && end === text.length) from = Math.min(from, at);
    at = end;
  }
  // Spaces before what is held go with it: a citation that is removed takes one with it.
  while (from > 0 && from <= text.length && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
  return from;
}
