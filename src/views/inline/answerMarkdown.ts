// The Markdown of an inline answer (a comment body). The answer is model output: it is rendered as
// Markdown, but every link, image and HTML tag it writes is neutralized (escaped), so the only links
// in the body are the ones built here: citations and "Continue in chat", as command: URIs for the
// two command ids the MarkdownString trusts. A citation to a source that was not given stays text.
// Plain TypeScript (no `vscode`), so it is unit-tested directly.
import { tokenizeAnswer } from '../../app/ask/citationGrammar';
import type { Citation } from '../protocol/chatProtocol';
import { retrievalNote, type RetrievalInfo } from '../common/retrievalNote';

export const OPEN_CITATION_COMMAND = 'codexVault.openCitation';
export const CONTINUE_IN_CHAT_COMMAND = 'codexVault.inline.continueInChat';
export const TRUSTED_COMMANDS = [OPEN_CITATION_COMMAND, CONTINUE_IN_CHAT_COMMAND];

export function commandUri(command: string, args: unknown[]): string {
  // encodeURIComponent leaves ( ) ' * ! as they are; parentheses would end a Markdown link early.
  const query = encodeURIComponent(JSON.stringify(args)).replace(/[()'*!]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `command:${command}?${query}`;
}

function lineRange(c: { startLine: number; endLine: number }): string {
  return c.startLine === c.endLine ? `${c.startLine}` : `${c.startLine}-${c.endLine}`;
}

/** Text for a link label or title: no characters that could close or open Markdown syntax. */
function plainLabel(s: string): string {
  return s.replace(/[\\[\]()<>"*_`]/g, (ch) => `\\${ch}`);
}

/** A citation whose source does not seem to say what cites it (the support check) is labelled "n?". */
export function citationLink(c: Citation, label = `${c.n}`): string {
  const loc = { root: c.root, path: c.path, startLine: c.startLine, endLine: c.endLine };
  const weak = c.support !== undefined && !c.support.supported;
  const title = `${c.path}:${lineRange(c)}${weak ? ' (does not seem to say this)' : ''}`;
  return `[${plainLabel(weak ? `${label}?` : label)}](${commandUri(OPEN_CITATION_COMMAND, [loc])} "${plainLabel(title)}")`;
}

/** Escapes what could make a link, image or HTML in prose; code spans and fences are left alone. */
function neutralizeProse(text: string): string {
  return text.replace(/[\\[\]<>!]/g, (ch) => `\\${ch}`);
}

/**
 * Model text -> safe Markdown with citations (citationGrammar.ts) turned into links, only for
 * `citations`; code spans and fences are left as written (an unterminated fence, while streaming,
 * runs to the end).
 */
export function answerToMarkdown(text: string, citations: readonly Citation[]): string {
  const byN = new Map(citations.map((c) => [c.n, c]));
  return tokenizeAnswer(text).map((t) => {
    if (t.kind === 'code') return t.text;
    if (t.kind === 'prose') return neutralizeProse(t.text);
    return t.groups.flat().map((n) => {
      const c = byN.get(n);
      return c ? citationLink(c) : `\\[${n}\\]`;
    }).join('');
  }).join('');
}

/**
 * "Sources: [1] a.md:3-9 · [2] b.md:12": every source the model was given (cited ones first),
 * each a link that opens its lines.
 */
export function sourcesLine(citations: readonly Citation[], sources: readonly Citation[] = []): string {
  const cited = new Set(citations.map((c) => c.n));
  const all = new Map<number, Citation>();
  for (const c of [...citations, ...sources]) if (!all.has(c.n)) all.set(c.n, c);
  const ordered = [...all.values()].sort((a, b) => Number(cited.has(b.n)) - Number(cited.has(a.n)) || a.n - b.n);
  if (ordered.length === 0) return '';
  return `**Sources:** ${ordered.map((c) => citationLink(c, `[${c.n}] ${c.path}:${lineRange(c)}`)).join(' · ')}`;
}

export type InlineStatus = 'streaming' | 'complete' | 'cancelled' | 'error';

export interface InlineAnswerView {
  text: string;
  /** Verified citations: [n] in the text becomes a link only for these. */
  citations: readonly Citation[];
  /** Every source given to the model (listed under the answer). */
  sources?: readonly Citation[];
  status: InlineStatus;
  notFound?: boolean;
  error?: string;
  /** The conversation the exchange is stored in, for "Continue in chat". */
  conversationId?: number;
  /** How the sources were found (said when meaning was not used for all of the vault). */
  retrieval?: RetrievalInfo;
}

export function inlineAnswerMarkdown(a: InlineAnswerView): string {
  const out: string[] = [];
  out.push(a.text ? answerToMarkdown(a.text, a.citations) : (a.status === 'streaming' ? '_Searching the vault…_' : ''));
  if (a.status === 'streaming' && a.text) out.push('_Answering…_');
  if (a.status === 'cancelled') out.push('_Stopped._');
  if (a.status === 'error') out.push(`**Error:** ${neutralizeProse(a.error ?? 'the answer failed')}`);
  if (a.notFound) out.push('_The vault does not seem to contain this._');
  else if (a.status === 'complete' && a.citations.length === 0) out.push('_This answer cites no source._');
  else if (a.status === 'complete' && a.citations.some((c) => c.support && !c.support.supported)) out.push('_A citation marked ? points at lines that do not seem to say what cites them._');
  const searched = retrievalNote(a.retrieval);
  if (searched) out.push(`_${neutralizeProse(searched)}_`);
  const sources = sourcesLine(a.citations, a.sources ?? []);
  if (sources) out.push(sources);
  if (a.conversationId !== undefined && a.status !== 'streaming') {
    out.push(`[Continue in chat](${commandUri(CONTINUE_IN_CHAT_COMMAND, [a.conversationId])})`);
  }
  return out.filter(Boolean).join('\n\n');
}
