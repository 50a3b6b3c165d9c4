// What the full-text index reads for a chunk, where it differs from the chunk's own text.
//
// chunks_fts indexes the view chunks_fts_source (migration 0004), which takes each column from
// chunks.fts_<column> when that is set and from the chunk's own column otherwise. The fts_
// columns hold:
//   - text of scripts written without spaces, segmented into words (segmenter.ts);
//   - for the title column, the note's other names: its aliases are already in chunks.title,
//     and the words of its file name that the title lacks are added ("git-commit.md").
// They are null for most chunks, so an English vault stores almost nothing twice.
import { segmentForIndex } from './segmenter';

export interface FtsText {
  ftsTitle: string | null;
  ftsHeadings: string | null;
  ftsBody: string | null;
}

const WORDS = /[\p{L}\p{N}\p{M}]+/gu;

/** The file name without folders and extension ("notes/Git Commit.md" -> "Git Commit"). */
export function fileStem(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** The words of the file name that the title does not already hold, space-separated. */
export function extraNameWords(title: string, path: string): string {
  const have = new Set((title.toLowerCase().match(WORDS) ?? []));
  const extra: string[] = [];
  for (const w of fileStem(path).match(WORDS) ?? []) {
    const lower = w.toLowerCase();
    if (!have.has(lower)) {
      have.add(lower);
      extra.push(w);
    }
  }
  return extra.join(' ');
}

/** The indexed title: the chunk title (title and aliases) and the file name's extra words, segmented. */
export function ftsTitleOf(chunkTitle: string, path: string): string | null {
  const extra = extraNameWords(chunkTitle, path);
  const full = extra ? `${chunkTitle} ${extra}` : chunkTitle;
  return segmentForIndex(full) ?? (extra ? full : null);
}

export function ftsTextOf(chunk: { title: string; headings: string; body: string }, path: string): FtsText {
  return {
    ftsTitle: ftsTitleOf(chunk.title, path),
    ftsHeadings: segmentForIndex(chunk.headings),
    ftsBody: segmentForIndex(chunk.body),
  };
}
