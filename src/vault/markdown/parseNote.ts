// parseNote: one Markdown file -> title, tags, aliases, links and line-exact chunks.
// markdown-it supplies the structure (block tokens with source line maps); nothing here
// guesses structure from the raw text with regular expressions.
import type { Token } from 'markdown-it';
import type { NoteChunk, NoteLink, ParsedNote } from '../types';
import { chunkNote, type BlockInfo, type HeadingInfo } from './chunker';
import { readFrontMatter } from './frontMatter';
import type { HashTagMeta } from './hashTagRule';
import type { LinkPosMeta } from './linkPositionRule';
import { markdownParser } from './markdownParser';
import { DEFAULT_MAX_CHUNK_TOKENS, truncateText } from './textSize';
import type { WikiLinkMeta } from './wikiLinkRule';

export interface ParseNoteOptions {
  /** Most characters in a chunk; a longer heading section is split (see chunker.ts). Default 1500. */
  maxChunkChars?: number;
  /** Most estimated embedding-model tokens in a chunk (see textSize.ts). Default 448. */
  maxChunkTokens?: number;
  /** Non-blank lines a split piece repeats from the end of the piece before it, where they fit. Default 2. */
  overlapLines?: number;
}

export const DEFAULT_MAX_CHUNK_CHARS = 1500;
export const DEFAULT_OVERLAP_LINES = 2;
/**
 * Most characters of a title, heading, alias or tag. They are stored with every chunk of the
 * note and shown in every result, so a 2 MB heading line or front matter value must not be.
 */
export const MAX_NAME_CHARS = 200;
const name = (s: string): string => truncateText(s, MAX_NAME_CHARS);

/**
 * Parses a note. `text` may use any line endings; line numbers are those an editor shows
 * (CRLF, LF and lone CR each end one line), 1-based, counting front matter lines.
 * `fileName` (a name or path) gives the title when there is neither front matter title nor H1.
 */
export function parseNote(text: string, fileName: string, opts: ParseNoteOptions = {}): ParsedNote {
  const maxChunkChars = opts.maxChunkChars ?? DEFAULT_MAX_CHUNK_CHARS;
  const maxChunkTokens = opts.maxChunkTokens ?? DEFAULT_MAX_CHUNK_TOKENS;
  const overlapLines = opts.overlapLines ?? DEFAULT_OVERLAP_LINES;
  if (!Number.isInteger(maxChunkChars) || maxChunkChars < 1) throw new RangeError(`maxChunkChars must be a positive integer, got ${maxChunkChars}`);
  if (!Number.isInteger(maxChunkTokens) || maxChunkTokens < 1) throw new RangeError(`maxChunkTokens must be a positive integer, got ${maxChunkTokens}`);
  if (!Number.isInteger(overlapLines) || overlapLines < 0) throw new RangeError(`overlapLines must be a non-negative integer, got ${overlapLines}`);

  const normalized = text.indexOf('\r') >= 0 ? text.replace(/\r\n?/g, '\n') : text;
  const source = normalized.charCodeAt(0) === 0xfeff ? normalized.slice(1) : normalized;
  const lines = source.split('\n');
  const fm = readFrontMatter(lines);
  const offset = fm.lineCount;
  const body = offset ? lines.slice(offset).join('\n') : source;
  const tokens = markdownParser().parse(body, {});

  const headings: HeadingInfo[] = [];
  const blocks: BlockInfo[] = [];
  const atomicRanges: [number, number][] = [];
  const links: NoteLink[] = [];
  const tagSet = new Set<string>();
  for (const t of fm.tags) tagSet.add(name(t.toLowerCase()));
  let firstH1: string | undefined;
  let lastMapStart = offset;
  let openList: BlockInfo | undefined;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.map) lastMapStart = t.map[0] + offset;
    if (t.type === 'fence' || t.type === 'code_block') atomicRanges.push([t.map![0] + offset, t.map![1] + offset]);
    if (t.level === 0 && t.nesting >= 0 && t.map) {
      const block: BlockInfo = { start: t.map[0] + offset, end: t.map[1] + offset, innerCuts: [] };
      blocks.push(block);
      openList = t.type === 'bullet_list_open' || t.type === 'ordered_list_open' ? block : undefined;
      if (t.type === 'heading_open') {
        const inline = tokens[i + 1];
        const headingText = name(inline?.type === 'inline' ? plainText(inline.children ?? []) : '');
        const level = Number(t.tag.slice(1));
        headings.push({ line: block.start, level, text: headingText });
        if (level === 1 && firstH1 === undefined && headingText) firstH1 = headingText;
      }
    } else if (openList && t.type === 'list_item_open' && t.level === 1 && t.map) {
      openList.innerCuts.push(t.map[0] + offset);
    }
    if (t.type === 'inline' && t.children) collectInline(t, lastMapStart, links, tagSet);
  }

  const chunks: NoteChunk[] = chunkNote({ lines, bodyStart: offset, headings, blocks, atomicRanges }, { maxChunkChars, maxChunkTokens, overlapLines });
  return {
    title: name(fm.title ?? firstH1 ?? baseName(fileName)),
    tags: [...tagSet],
    aliases: [...new Set(fm.aliases.map(name))],
    links,
    lineCount: lines.length,
    chunks,
  };
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Links and tags of one inline token; `startLine` is the 0-based file line its text starts on. */
function collectInline(inline: Token, startLine: number, links: NoteLink[], tags: Set<string>): void {
  const content = inline.content;
  // Children come in source order, so line numbers are counted forward from a cursor.
  let cursor = 0;
  let line = startLine;
  const lineAt = (pos: number): number => {
    for (; cursor < pos && cursor < content.length; cursor++) if (content.charCodeAt(cursor) === 0x0a) line++;
    return line + 1;
  };
  for (const c of inline.children!) {
    if (c.type === 'wikilink') {
      const m = c.meta as WikiLinkMeta;
      if (m.target) links.push({ target: m.target, kind: 'wiki', line: lineAt(m.pos) });
    } else if (c.type === 'hashtag') {
      const m = c.meta as HashTagMeta;
      lineAt(m.pos);
      tags.add(name(m.tag.toLowerCase()));
    } else if (c.type === 'link_open') {
      const target = fileTarget(String(c.attrGet('href') ?? ''));
      const pos = (c.meta as LinkPosMeta | null)?.pos;
      if (target) links.push({ target, kind: 'markdown', line: pos === undefined ? line + 1 : lineAt(pos) });
    }
  }
}

/** The file a Markdown link points to ('' for external URLs and same-page anchors). */
function fileTarget(href: string): string {
  if (!href || href.startsWith('#') || SCHEME.test(href) || href.startsWith('//')) return '';
  const path = href.replace(/[?#].*$/, '');
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/** A heading's text as a reader sees it: markup dropped, code and link text kept. */
function plainText(children: readonly Token[]): string {
  let out = '';
  for (const c of children) {
    switch (c.type) {
      case 'text':
      case 'code_inline':
      case 'wikilink':
      case 'hashtag':
      case 'image':
        out += c.content;
        break;
      case 'softbreak':
      case 'hardbreak':
        out += ' ';
        break;
      default:
        break;
    }
  }
  return out.replace(/\s+/g, ' ').trim();
}

function baseName(fileName: string): string {
  const name = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
