// Helpers for the vault tests: small real vaults on disk, copied from the Rust book.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Vault } from '../../../../src/vault/vault';
import { rustBook } from '../../../helpers/paths';

/** Copies the named (or the first `count`) chapters of the Rust book into `dir`. */
export function copyRustBook(dir: string, names?: readonly string[], count = Infinity): string[] {
  mkdirSync(dir, { recursive: true });
  const files = (names ?? readdirSync(rustBook).filter((f) => f.endsWith('.md')).sort().slice(0, count)) as string[];
  for (const f of files) copyFileSync(join(rustBook, f), join(dir, f));
  return files;
}

/** Copies the named chapters into `notes` and indexes them into a vault at `db`, closed again. */
export async function indexedRustBook(db: string, notes: string, names: readonly string[]): Promise<void> {
  copyRustBook(notes, names);
  const v = Vault.open(db);
  try {
    await v.indexRoots([notes]);
  } finally {
    v.close();
  }
}

export interface ChunkRow {
  id: number;
  docId: number;
  path: string;
  hash: string;
  startLine: number;
}

export function chunksOf(vault: Vault, path: string): ChunkRow[] {
  return vault.db.all<ChunkRow & Record<string, number | string>>(
    'SELECT c.id AS id, c.doc_id AS docId, d.path AS path, c.hash AS hash, c.start_line AS startLine FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE d.path = ? ORDER BY c.ord',
    [path],
  ).map((r) => ({ ...r }));
}

/** Rows of the FTS index that match a word, counted through the index itself. */
export function ftsCount(vault: Vault, word: string): number {
  return Number(vault.db.get<{ n: number }>('SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH ?', [`"${word}"`])?.n ?? 0);
}
