// The vault's `models` table as the engine's ModelRecordStore: one row per model file, keyed by
// absolute path, remembering its SHA-256 together with the (size, mtime) it was computed for,
// so that a multi-gigabyte file is hashed once and re-hashed only when it changes.
import type { SqliteDatabase } from '../../vault/db/sqlite';
import type { ModelRecord, ModelRecordStore, ModelRole, ModelSource, ModelStatus } from '../../engine/verify/modelRecordStore';

interface ModelRow {
  [k: string]: string | number | null;
  path: string;
  size: number;
  mtime_ms: number;
  sha256: string;
  source: string;
  manifest_id: string | null;
  expected_sha256: string | null;
  status: string;
  role: string | null;
  verified_at: number;
}

export class ModelRecords implements ModelRecordStore {
  constructor(private readonly db: SqliteDatabase) {}

  get(path: string): ModelRecord | undefined {
    const row = this.db.get<ModelRow>('SELECT * FROM models WHERE path = ?', [path]);
    return row ? toRecord(row) : undefined;
  }

  all(): ModelRecord[] {
    return this.db.all<ModelRow>('SELECT * FROM models ORDER BY path').map(toRecord);
  }

  put(r: ModelRecord): void {
    this.db.run(
      `INSERT INTO models (path, size, mtime_ms, sha256, source, manifest_id, expected_sha256, status, role, verified_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, sha256 = excluded.sha256,
         source = excluded.source, manifest_id = excluded.manifest_id, expected_sha256 = excluded.expected_sha256,
         status = excluded.status, role = excluded.role, verified_at = excluded.verified_at`,
      [r.path, r.size, Math.trunc(r.mtimeMs), r.sha256.toLowerCase(), r.source, r.manifestId, r.expectedSha256?.toLowerCase() ?? null, r.status, r.role, r.verifiedAt],
    );
  }

  markMismatch(path: string, sha256: string, size: number, mtimeMs: number): void {
    this.db.run('UPDATE models SET status = ?, sha256 = ?, size = ?, mtime_ms = ?, verified_at = ? WHERE path = ?', ['mismatch', sha256.toLowerCase(), size, Math.trunc(mtimeMs), Date.now(), path]);
  }

  remove(path: string): boolean {
    return this.db.run('DELETE FROM models WHERE path = ?', [path]).changes > 0;
  }
}

function toRecord(row: ModelRow): ModelRecord {
  return {
    path: row.path,
    size: row.size,
    mtimeMs: row.mtime_ms,
    sha256: row.sha256,
    source: row.source as ModelSource,
    manifestId: row.manifest_id,
    expectedSha256: row.expected_sha256,
    status: row.status as ModelStatus,
    role: row.role as ModelRole | null,
    verifiedAt: row.verified_at,
  };
}
