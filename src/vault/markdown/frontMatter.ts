// YAML front matter: a `---` line at the very top, closed by `---` or `...`.
// A block that does not parse as a YAML mapping is not front matter: the note keeps those
// lines as ordinary text, so a typo in YAML never loses the note or throws.
import { parse } from 'yaml';

export interface FrontMatter {
  /** Number of file lines the block occupies, delimiters included (0 when there is none). */
  lineCount: number;
  title?: string;
  tags: string[];
  aliases: string[];
}

const NONE: FrontMatter = { lineCount: 0, tags: [], aliases: [] };
const OPEN = /^---[ \t]*$/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*$/;

/** `lines` are the file's lines (already '\n'-split). */
export function readFrontMatter(lines: readonly string[]): FrontMatter {
  if (lines.length < 2 || !OPEN.test(lines[0]!)) return NONE;
  let close = -1;
  for (let i = 1; i < lines.length; i++) {
    if (CLOSE.test(lines[i]!)) {
      close = i;
      break;
    }
  }
  if (close < 0) return NONE;
  let data: unknown;
  try {
    // uniqueKeys off: a repeated key is a common slip in hand-written notes, not a reason to drop the block.
    data = parse(lines.slice(1, close).join('\n'), { uniqueKeys: false, prettyErrors: false });
  } catch {
    return NONE;
  }
  if (data === null || data === undefined) return { lineCount: close + 1, tags: [], aliases: [] };
  if (typeof data !== 'object' || Array.isArray(data)) return NONE;
  const map = data as Record<string, unknown>;
  const title = typeof map.title === 'string' || typeof map.title === 'number' ? String(map.title).trim() : '';
  return {
    lineCount: close + 1,
    ...(title ? { title } : {}),
    tags: [...listOf(map.tags, /[,\s]+/), ...listOf(map.tag, /[,\s]+/)].map((t) => t.replace(/^#/, '')).filter(Boolean),
    aliases: [...listOf(map.aliases, /,/), ...listOf(map.alias, /,/)],
  };
}

/** A YAML list, or a string split on `sep` (tags: "a, b c"; aliases: "One, Two"). */
function listOf(value: unknown, sep: RegExp): string[] {
  if (value === null || value === undefined) return [];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(sep) : [value];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') {
      const s = String(item).trim();
      if (s) out.push(s);
    }
  }
  return out;
}
