// `codex-vault doctor` and the extension's background check: the full check of a vault, what the
// damage touches, and what a rebuild keeps. The notes' index (documents, chunks, full text,
// vectors) is rebuilt from the notes; bookmarks, conversations, settings and model records exist
// nowhere else, so they are counted here and copied by salvage() into a fresh vault.
import { resolve } from 'node:path';
import { checkFile, fullCheck, KEPT_TABLES, type HealthReport } from '../db/health';
import { DatabaseDamagedError, openDatabase, type OpenedDatabase } from '../db/openDatabase';
import type { SqliteDatabase } from '../db/sqlite';
import { VaultLockedError } from '../lock/ownerLock';

export type KeptTable = (typeof KEPT_TABLES)[number];

export interface DoctorReport extends HealthReport {
  file: string;
  /** Every damaged table or index is one a re-index rebuilds: salvage loses nothing. */
  indexOnly: boolean;
  /** Rows of each kept table that can be read now (null: the table cannot be read at all). */
  kept: Record<KeptTable, number | null>;
  /** The folders the vault indexed, to index into the rebuilt vault. */
  roots: string[];
  /** Another process writes the vault: it was checked read-only, without the full-text index check. */
  readOnlyCheck: boolean;
}

/** What the notes rebuild: damage confined to these loses nothing a salvage keeps. */
// The active embedding model's coverage (and the vectors' indexes) are derived too: the next
// backfill makes its model active again and counts it.
const REBUILT_FROM_NOTES = /^(documents|chunks|chunks_fts.*|chunks_doc|chunks_hash|embeddings|embeddings_key|embeddings_generation|embedding_coverage|skipped_files|fts_deferred|roots|sqlite_autoindex_(documents|chunks|embeddings|embedding_coverage|skipped_files|roots)_\d+)$/;

function countRows(db: SqliteDatabase, table: string): number | null {
  try {
    return Number(db.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)?.n ?? 0);
  } catch {
    return null;
  }
}

const nothingKept = (): Record<KeptTable, number | null> => Object.fromEntries(KEPT_TABLES.map((t) => [t, null])) as Record<KeptTable, number | null>;

/** A vault whose schema cannot be read: nothing in it can be reached, only the notes rebuild it. */
function unreadable(file: string, err: DatabaseDamagedError, t: number): DoctorReport {
  const problems: string[] = [];
  const checked: string[] = [];
  checkFile(resolve(file), problems, checked, Number.MAX_SAFE_INTEGER);
  problems.unshift(`the schema cannot be read (${err.report.problems[0] ?? err.message}): no table of this vault can be reached`);
  return { ok: false, problems, affected: ['sqlite_schema'], checked, ms: Math.round(performance.now() - t), file: resolve(file), indexOnly: false, kept: nothingKept(), roots: [], readOnlyCheck: false };
}

/** Full check of `file` (which must exist). Holds the owner lock while checking when it can. */
export function diagnose(file: string): DoctorReport {
  const t = performance.now();
  let opened: OpenedDatabase;
  let readOnlyCheck = false;
  try {
    try {
      // No migration: the doctor changes nothing (a journal left by a killed writer is rolled back).
      opened = openDatabase(file, { migrate: false, allowDamaged: true });
    } catch (err) {
      if (!(err instanceof VaultLockedError)) throw err;
      opened = openDatabase(file, { readOnly: true });
      readOnlyCheck = true;
    }
  } catch (err) {
    if (err instanceof DatabaseDamagedError) return unreadable(file, err, t);
    throw err;
  }
  try {
    const db = opened.db;
    const report = fullCheck(db, { fts: !readOnlyCheck && opened.health.ok });
    // The open-time check may have seen what the full one cannot reach (the header).
    for (const p of opened.health.problems) if (!report.problems.includes(p)) report.problems.unshift(p);
    const affected = [...new Set([...opened.health.affected, ...report.affected])];
    const kept = Object.fromEntries(KEPT_TABLES.map((t) => [t, countRows(db, t)])) as Record<KeptTable, number | null>;
    let roots: string[] = [];
    try {
      roots = db.all<{ path: string }>('SELECT path FROM roots ORDER BY path').map((r) => String(r.path));
    } catch {
      // unreadable: the user names the folders again
    }
    const ok = report.problems.length === 0;
    return {
      ...report,
      ok,
      file: opened.file,
      affected,
      indexOnly: !ok && affected.length > 0 && affected.every((a) => REBUILT_FROM_NOTES.test(a)),
      kept,
      roots,
      readOnlyCheck,
    };
  } finally {
    opened.close();
  }
}
