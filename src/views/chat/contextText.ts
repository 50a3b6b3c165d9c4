// The text of the context items attached to a question. Items arrive from the chat page (an
// untrusted message), so a file is read only when its root is one of this window's workspace
// folders and its path stays inside it, also after symbolic links are followed; it is read as the
// editor holds it (unsaved changes included) when it is open, else from disk, and only up to a
// bounded size.
// The worker gets text only and never reads a file a message names. Plain Node, unit-tested.
import { readFile, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { ContextItem } from '../protocol/chatProtocol';
import { LocationError, resolveLocation } from './locationCheck';

/** A whole file given as context is cut here: the prompt's token budget could not hold more. */
export const MAX_FILE_CONTEXT_CHARS = 40_000;
/** A file larger than this on disk is not opened as context at all. */
export const MAX_FILE_CONTEXT_BYTES = 4 * 1024 * 1024;

export interface ContextReader {
  /** The folders of this window (absolute paths). */
  folders: readonly string[];
  /** The text of the file as an open editor document holds it (unsaved changes included), or undefined when it is not open. */
  openText(file: string): string | undefined;
}

async function inside(root: string, file: string): Promise<boolean> {
  const [r, f] = await Promise.all([realpath(root), realpath(file)]);
  const rel = path.relative(r, f);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * The items with their text: a selection keeps the text it carries, a file gets its text (cut to
 * MAX_FILE_CONTEXT_CHARS) and its line range. Rejects with a LocationError saying why an item is
 * refused (outside the workspace, not a file, too large).
 */
export async function withContextText(items: readonly ContextItem[], reader: ContextReader): Promise<ContextItem[]> {
  const out: ContextItem[] = [];
  for (const item of items) {
    // A selection is text the host took from an editor: nothing is read for it.
    if (item.kind === 'selection') {
      out.push(item);
      continue;
    }
    const file = resolveLocation({ root: item.root, path: item.path, startLine: 1, endLine: 1 }, reader.folders);
    let st;
    try {
      st = await stat(file);
    } catch {
      st = undefined;
    }
    // Followed through symbolic links, the file must still be inside its root.
    if (st && !(await inside(path.resolve(item.root), file))) throw new LocationError(`${item.path} leads outside ${item.root}.`);
    let text = reader.openText(file);
    if (text === undefined) {
      if (!st) throw new LocationError(`${item.path} does not exist.`);
      if (!st.isFile()) throw new LocationError(`${item.path} is not a file.`);
      if (st.size > MAX_FILE_CONTEXT_BYTES) throw new LocationError(`${item.path} is too large to add as context (${(st.size / 1024 / 1024).toFixed(1)} MB).`);
      text = await readFile(file, 'utf8');
    }
    text = text.slice(0, MAX_FILE_CONTEXT_CHARS);
    out.push({ ...item, startLine: 1, endLine: Math.max(1, text.split('\n').length), text });
  }
  return out;
}
