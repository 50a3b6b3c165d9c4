// Turns search results into quick pick rows (pure: no vscode import, unit-testable).
// Quick pick rows are plain text (VS Code renders no HTML in them), so note text stays inert;
// the snippet's match markers are removed and the matched terms listed instead.
import { clipText } from '../../vault/search/clip';
import { SNIPPET_CLOSE, SNIPPET_OPEN, type SearchResultItem } from '../../worker/protocol';

export interface SearchRow {
  label: string;
  description: string;
  detail: string;
  hit: SearchResultItem;
}

const MAX_DETAIL = 160;

/** Splits a marked snippet into its plain text and the [start, end) ranges of its matches. */
export function parseSnippet(snippet: string): { text: string; ranges: [number, number][] } {
  let text = '';
  const ranges: [number, number][] = [];
  let open = -1;
  for (const ch of snippet) {
    if (ch === SNIPPET_OPEN) open = text.length;
    else if (ch === SNIPPET_CLOSE) {
      if (open >= 0 && text.length > open) ranges.push([open, text.length]);
      open = -1;
    } else text += ch;
  }
  return { text, ranges };
}

/** One line, whitespace collapsed, control characters dropped. */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** `$(...)` in note text would render as an icon in a quick pick row: escape it. */
function noIcons(s: string): string {
  return s.replace(/\$\(/g, '$\u200b(');
}

export function toRow(hit: SearchResultItem, multiRoot: boolean, rootName: (root: string) => string): SearchRow {
  const { text } = parseSnippet(hit.snippet);
  const detail = clipText(noIcons(oneLine(text)), MAX_DETAIL);
  const where = `${multiRoot ? `${rootName(hit.root)} › ` : ''}${hit.path}:${hit.startLine}–${hit.endLine}`;
  const heading = hit.heading ? hit.heading : hit.title;
  return {
    label: `$(markdown) ${noIcons(oneLine(heading))}`,
    description: noIcons(where),
    detail,
    hit,
  };
}

/** A note and its chunks among the results, for a quick pick group headed by the note. */
export interface NoteGroup {
  /** The note's title (and folder name in a multi-root workspace), for the separator. */
  label: string;
  rows: SearchRow[];
}

/**
 * The results grouped under their notes: notes in the order of their best chunk, each with its
 * chunks in result order, at most `cap` of them; chunks past a note's cap (the vault lists them
 * after every other note's) follow in a later group of that note, so the first page still shows
 * several notes.
 */
export function groupByNote(hits: readonly SearchResultItem[], cap: number, multiRoot: boolean, rootName: (root: string) => string): NoteGroup[] {
  const head = new Map<string, NoteGroup>();
  const tail = new Map<string, NoteGroup>();
  for (const hit of hits) {
    const key = `${hit.root}\u0000${hit.path}`;
    const first = head.get(key);
    const target = !first ? undefined : first.rows.length < cap ? first : tail.get(key);
    if (target) {
      target.rows.push(toRow(hit, multiRoot, rootName));
      continue;
    }
    const group = { label: noIcons(oneLine(`${multiRoot ? `${rootName(hit.root)} › ` : ''}${hit.title || hit.path}`)), rows: [toRow(hit, multiRoot, rootName)] };
    (first ? tail : head).set(key, group);
  }
  return [...head.values(), ...tail.values()];
}
