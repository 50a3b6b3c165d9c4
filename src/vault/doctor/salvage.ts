// Copies what only the vault holds (bookmarks, conversations and their messages, settings, model
// records) from a vault, damaged or not, into a fresh vault that indexing then fills from the notes.
// Rows are read past damage: when a table cannot be read whole, it is read row after row by rowid,
// stepping over what cannot be read, and the rows lost are counted.
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { KEPT_TABLES } from '../db/health';
import { openDatabase } from '../db/openDatabase';
import type { Row, SqliteDatabase } from '../db/sqlite';
import type { KeptTable } from './doctor';

export interface SalvageReport {
  target: string;
  /** Rows copied per table. */
  copied: Record<KeptTable, number>;
  /** Rows known to be lost per table (unreadable; a lower bound when the table's size is unknown). */
  lost: Record<KeptTable, number>;
  /** Bookmarks whose folder was lost (now at the top level) and messages whose conversation was (dropped). */
  orphans: { bookmarks: number; messages: number };
  /** The folders the old vault indexed. */
  roots: string[];
}

/** Most rowids stepped over in one unreadable stretch before the table is given up. */
const MAX_SKIP = 1 << 20;

function columnsOf(db: SqliteDatabase, table: string): string[] {
  try {
    return db.all<{ name: string }>(`PRAGMA table_info(${table})`).map((r) => String(r.name));
  } catch {
    return [];
  }
}

/** The rows of `table` that can be read, and how many could not. */
function readRows(db: SqliteDatabase, table: string, columns: string[]): { rows: Row[]; lost: number } {
  const list = columns.map((c) => `"${c}"`).join(', ');
  try {
    return { rows: db.all(`SELECT ${list} FROM ${table} ORDER BY rowid`), lost: 0 };
  } catch {
    // Damaged somewhere: row by row, each found by its rowid through whatever part of the tree reads.
  }
  let max = Number.MAX_SAFE_INTEGER;
  try {
    max = Number(db.get<{ m: number | null }>(`SELECT max(rowid) AS m FROM ${table}`)?.m ?? 0);
  } catch {
    // unknown: step until MAX_SKIP rowids in a row fail
  }
  const rows: Row[] = [];
  let lost = 0;
  let after = 0;
  let step = 1;
  while (after < max && step <= MAX_SKIP) {
    try {
      const row = db.get<Row & { _rowid: number }>(`SELECT rowid AS _rowid, ${list} FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT 1`, [after]);
      if (!row) break;
      after = Number(row._rowid);
      delete (row as Partial<typeof row>)._rowid;
      rows.push(row);
      step = 1;
    } catch {
      // The next row (or the page that leads to it) is unreadable: skip ahead, further each time.
      after += step;
      lost += step === 1 ? 1 : 0;
      step *= 2;
    }
  }
  return { rows, lost };
}

/**
 * Salvages the kept tables of `from` into a new vault at `to` (which must not exist). The new vault
 * has the current schema and no notes: index the folders into it.
 */
export function salvage(from: string, to: string): SalvageReport {
  const target = resolve(to);
  if (existsSync(target)) throw new Error(`${target} already exists; name a new file for the rebuilt vault.`);
  const source = openDatabase(from, { readOnly: true });
  let created = false;
  try {
    const dest = openDatabase(target, { create: true });
    created = true;
    try {
      const copied = {} as Record<KeptTable, number>;
      const lost = {} as Record<KeptTable, number>;
      const orphans = { bookmarks: 0, messages: 0 };
      // Rows come in rowid order, so a bookmark may arrive before its folder: check references after.
      dest.db.exec('PRAGMA foreign_keys = OFF');
      dest.db.transaction(() => {
        for (const table of KEPT_TABLES) {
          const want = columnsOf(dest.db, table);
          const have = new Set(columnsOf(source.db, table));
          const columns = have.size > 0 ? want.filter((c) => have.has(c)) : want;
          const { rows, lost: missing } = readRows(source.db, table, columns);
          const insert = `INSERT OR REPLACE INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
          let n = 0;
          for (const row of rows) {
            try {
              dest.db.run(insert, columns.map((c) => row[c] ?? null));
              n++;
            } catch {
              // A row whose values break the schema's checks came from a damaged page.
              lost[table] = (lost[table] ?? 0) + 1;
            }
          }
          copied[table] = n;
          lost[table] = (lost[table] ?? 0) + missing;
        }
        orphans.bookmarks = dest.db.run('UPDATE bookmarks SET parent_id = NULL WHERE parent_id IS NOT NULL AND parent_id NOT IN (SELECT id FROM bookmarks)').changes;
        orphans.messages = dest.db.run('DELETE FROM messages WHERE conversation_id NOT IN (SELECT id FROM conversations)').changes;
      });
      dest.db.exec('PRAGMA foreign_keys = ON');
      let roots: string[] = [];
      try {
        roots = source.db.all<{ path: string }>('SELECT path FROM roots ORDER BY path').map((r) => String(r.path));
      } catch {
        // unreadable
      }
      return { target, copied, lost, orphans, roots };
    } finally {
      dest.close();
    }
  } catch (err) {
    // Half a salvage is no vault: leave no file that looks like one.
    if (created) rmSync(target, { force: true });
    throw err;
  } finally {
    source.close();
  }
}
