// What the vault's tools say to a language model (the MCP server and the editor's language-model
// tools alike): results a model can cite as `path:start-end`, and note lines with their numbers.
// Plain text, no vscode and no engine: both ends import it, so the two surfaces read the same.
import type { NoteLines } from '../vault/notes/readNote';
import { SNIPPET_CLOSE, SNIPPET_OPEN } from '../worker/protocol';

/** One search result as a tool reports it. */
export interface CiteableHit {
  /** As the reader should give it back to read_note (relative to its folder, or prefixed where ambiguous). */
  path: string;
  startLine: number;
  endLine: number;
  /** Heading path joined with ' > ' ('' before the first heading). */
  heading: string;
  title: string;
  snippet: string;
  score: number;
}

const MAX_SNIPPET = 300;

/** `path:start-end` (or `path:line` for one line): the form a model cites and an editor opens. */
export function citation(path: string, startLine: number, endLine: number): string {
  return startLine === endLine ? `${path}:${startLine}` : `${path}:${startLine}-${endLine}`;
}

/** A snippet on one line: match markers as « », whitespace collapsed, bounded. */
export function plainSnippet(snippet: string): string {
  const one = snippet.split(SNIPPET_OPEN).join('«').split(SNIPPET_CLOSE).join('»').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  return one.length > MAX_SNIPPET ? `${one.slice(0, MAX_SNIPPET - 1)}…` : one;
}

export function searchResultsText(query: string, hits: readonly CiteableHit[], info: { mode: string; note?: string | null }): string {
  const lines: string[] = [];
  if (info.note) lines.push(`Note: ${info.note}`);
  if (hits.length === 0) {
    lines.push(`No notes in the vault match "${query}" (${info.mode} search). Try other words, or fewer of them.`);
    return lines.join('\n');
  }
  lines.push(`${hits.length} result${hits.length === 1 ? '' : 's'} for "${query}" (${info.mode} search), best first. Cite them as path:start-end; read more of a note with its path and lines.`);
  hits.forEach((h, i) => {
    const where = h.heading || h.title;
    lines.push('', `${i + 1}. ${citation(h.path, h.startLine, h.endLine)}${where ? ` — ${where}` : ''} (score ${round(h.score)})`);
    const snippet = plainSnippet(h.snippet);
    if (snippet) lines.push(`   ${snippet}`);
  });
  return lines.join('\n');
}

/** Note lines numbered as in the file ("  12| text"), with a header that says what part of the note it is. */
export function noteLinesText(n: Pick<NoteLines, 'path' | 'startLine' | 'endLine' | 'totalLines' | 'truncated' | 'text'>): string {
  const width = String(n.endLine).length;
  const body = n.text.split('\n').map((l, i) => `${String(n.startLine + i).padStart(width)}| ${l}`);
  const head = `${citation(n.path, n.startLine, n.endLine)} (lines ${n.startLine}-${n.endLine} of ${n.totalLines})`;
  const more = n.endLine < n.totalLines
    ? [`(${n.truncated ? 'cut to the size limit; ' : ''}the note goes on to line ${n.totalLines}: read on from startLine ${n.endLine + 1})`]
    : [];
  return [head, ...body, ...more].join('\n');
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
