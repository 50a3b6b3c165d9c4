// Strict citations: a GBNF grammar (llama.cpp's format, sent with the generate request) under which
// a model writes freely but cannot end a paragraph without citing, and can cite only the numbers
// of the sources it was given. The instruction in the prompt asks for the same; the grammar is what
// makes a small model that ignores instructions keep to it.
//
// What the grammar allows, in the citation grammar of citationGrammar.ts:
// - An answer is 1..MAX_PARAGRAPHS paragraphs separated by one blank line ("\n\n").
// - A paragraph is one or more segments; a segment is text followed by a space and a citation run
//   of one or more "[n]" (n one of 1..sources), so a paragraph always ends with a citation and a
//   sentence inside it may carry its own.
// - Text is one line with no brackets (a number in brackets is only ever a citation); inline code
//   spans are allowed (`Rc<T>`), but the text's first character (after at most one space) is
//   neither a backtick nor a tilde, so a paragraph never opens a code fence that would hide its
//   citations. It does not end with a space (the one space before the run is the grammar's, so
//   the run is never glued to a word). Fenced blocks and lists are what strict mode gives up;
//   `prompt` mode has neither limit.
//   (A grammar that allows line breaks and code spans as units, tried first, made llama.cpp's
//   sampler over a minute per answer: nested bounded repetitions of alternatives multiply its
//   stacks. Character classes under one bound stay as fast as unconstrained generation.)
// - The model's end of generation is allowed only after a citation, so every finished answer is
//   cited; after MAX_PARAGRAPHS paragraphs only the end is left, so the grammar always terminates.
//   A generation cut by maxTokens can still stop mid-paragraph: see uncitedTail().

/** Citation settings: 'strict' generates under the grammar, 'prompt' only asks in the instruction. */
export type CitationMode = 'strict' | 'prompt';
export const CITATION_MODES: readonly CitationMode[] = ['strict', 'prompt'];
/** Chosen by bench/citationGrammar.bench.ts (see the README): the grammar costs little speed. */
export const DEFAULT_CITATION_MODE: CitationMode = 'strict';

export const MAX_PARAGRAPHS = 8;
/** Cited segments in a paragraph. */
export const MAX_SEGMENTS = 6;
/**
 * Characters of text before a citation must come: a model that never chooses to cite (the tiny test
 * model writes on and on) is made to after this many, a long sentence's worth.
 */
export const MAX_SEGMENT_CHARS = 200;

export function isCitationMode(v: unknown): v is CitationMode {
  return typeof v === 'string' && (CITATION_MODES as readonly string[]).includes(v);
}

/** The GBNF for an answer over sources numbered 1..sourceCount. */
export function citationGrammar(sourceCount: number): string {
  if (!Number.isInteger(sourceCount) || sourceCount < 1 || sourceCount > 999) throw new RangeError(`A strict-citation grammar needs 1 to 999 sources, not ${sourceCount}.`);
  const numbers = Array.from({ length: sourceCount }, (_, i) => `"${i + 1}"`).join(' | ');
  return [
    `root ::= paragraph ("\\n\\n" paragraph){0,${MAX_PARAGRAPHS - 1}}`,
    `paragraph ::= segment{1,${MAX_SEGMENTS}}`,
    'segment ::= text " " cite{1,3}',
    // One line of at most MAX_SEGMENT_CHARS, no brackets, not opening with a backtick or tilde, not
    // ending with a space or tab.
    `text ::= " "? [^\\n\\r\\[\\]\`~ \\t] ([^\\n\\r\\[\\]]{0,${MAX_SEGMENT_CHARS - 3}} [^\\n\\r\\[\\] \\t])?`,
    'cite ::= "[" source "]"',
    `source ::= ${numbers}`,
    '',
  ].join('\n');
}

/**
 * The end of an answer after its last citation, when it is more than whitespace: under the grammar
 * that only happens when generation was cut (maxTokens, cancel) in the middle of a paragraph. The
 * text is kept and shown; it cites nothing.
 */
export function uncitedTail(answer: string): string | null {
  const m = /\](?!.*\])/su.exec(answer);
  const tail = m ? answer.slice(m.index + 1) : answer;
  return tail.trim() ? tail : null;
}
