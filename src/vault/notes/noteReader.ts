// The vault's notes as the editor's language-model tools read them, in the vault worker (where the
// vault's connection lives): `vault.call('notes', 'read', path, range)`. The rules of what may be
// read are readNoteLines' (the MCP server's read_note uses the same function).
import type { SqliteDatabase } from '../db/sqlite';
import { readNoteLines, type NoteLines, type NoteRange } from './readNote';

export class NoteReader {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  read(path: string, range: NoteRange = {}): Promise<NoteLines> {
    return readNoteLines(this.#db, path, range);
  }
}
