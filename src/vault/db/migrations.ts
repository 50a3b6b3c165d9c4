// Numbered SQL migrations from migrations/ (0001_init.sql, 0002_…), each applied in its own
// transaction together with its row in schema_migrations, so a crash leaves either the old
// schema or the new one, never half of a migration.
//
// A migration that needs code (e.g. re-indexing text in a way SQL cannot) names a step on a
// line of its own, `-- @step <name>`: the SQL before the line runs, then the step, then the SQL
// after it, all in the one transaction. Steps report progress (a long re-index shows it).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fillFtsColumns } from '../search/ftsUpgrade';
import type { SqliteDatabase } from './sqlite';

export interface MigrationProgress {
  version: number;
  name: string;
  step: string;
  done: number;
  total: number;
}

export type MigrationStep = (db: SqliteDatabase, progress: (done: number, total: number) => void) => void;

/** The code steps migrations may name. */
export const MIGRATION_STEPS: Readonly<Record<string, MigrationStep>> = {
  fill_fts_columns: fillFtsColumns,
};

const STEP_LINE = /^--\s*@step\s+([a-z0-9_]+)\s*$/gm;

export interface MigrateOptions {
  steps?: Readonly<Record<string, MigrationStep>>;
  onProgress?: (p: MigrationProgress) => void;
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** migrations/ beside the bundle (dist/migrations) or at the repository root (tests, tsx). */
export function defaultMigrationsDir(): string {
  const candidates = [join(__dirname, 'migrations'), join(__dirname, '..', 'migrations'), join(__dirname, '..', '..', '..', 'migrations')];
  const found = candidates.find((d) => existsSync(join(d, '0001_init.sql')));
  if (!found) throw new Error(`Codex Vault's migrations folder was not found (looked in ${candidates.join(', ')}).`);
  return found;
}

/** The shipped migrations, read once per process: every open of a database needs them. */
let shipped: Migration[] | undefined;

export function loadMigrations(dir?: string): Migration[] {
  if (dir === undefined) return (shipped ??= readMigrations(defaultMigrationsDir()));
  return readMigrations(dir);
}

function readMigrations(dir: string): Migration[] {
  const list = readdirSync(dir)
    .map((f) => FILE.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2]!, sql: readFileSync(join(dir, m[0]), 'utf8') }))
    .sort((a, b) => a.version - b.version);
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration numbers must be contiguous from 0001: found ${String(m.version).padStart(4, '0')} at position ${i + 1}.`);
  });
  return list;
}

export function schemaVersion(db: SqliteDatabase): number {
  const table = db.get("SELECT 1 AS x FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'");
  if (!table) return 0;
  return Number(db.get<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')?.v ?? 0);
}

/** The SQL of a migration split around its steps: [sql, step, sql, step, sql, ...]. */
function parts(sql: string): { sql: string[]; steps: string[] } {
  const out = { sql: [] as string[], steps: [] as string[] };
  let at = 0;
  for (const m of sql.matchAll(STEP_LINE)) {
    out.sql.push(sql.slice(at, m.index));
    out.steps.push(m[1]!);
    at = m.index + m[0].length;
  }
  out.sql.push(sql.slice(at));
  return out;
}

/** Brings the database up to `target` (default: the newest). Returns the versions applied. */
export function migrate(db: SqliteDatabase, migrations = loadMigrations(), target = migrations.length, opts: MigrateOptions = {}): number[] {
  const steps = opts.steps ?? MIGRATION_STEPS;
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new Error(`This vault was written by a newer Codex Vault (schema ${current}; this version knows ${migrations.length}). Update Codex Vault to open it.`);
  }
  // The versions recorded must be this build's migrations: a file written by a build whose
  // numbering differs (a development build) would otherwise fail half-way with SQLite's "table
  // already exists" and no word on why.
  const recorded = db.all<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
  const strange = recorded.find((r) => migrations.find((m) => m.version === r.version)?.name !== r.name);
  if (strange) {
    const ours = migrations.find((m) => m.version === strange.version)?.name ?? 'none';
    throw new Error(`This database was written by a different build of Codex Vault: its schema step ${strange.version} is "${strange.name}", this build's is "${ours}". Open it with the build that wrote it, or rebuild it (a vault: codex-vault doctor --db <file> --salvage <new file>, or index into a new file).`);
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current || m.version > target) continue;
    const p = parts(m.sql);
    for (const name of p.steps) if (!steps[name]) throw new Error(`Migration ${String(m.version).padStart(4, '0')} names an unknown step "${name}".`);
    db.transaction(() => {
      p.sql.forEach((sql, i) => {
        if (sql.trim()) db.exec(sql);
        const name = p.steps[i];
        if (name) steps[name]!(db, (done, total) => opts.onProgress?.({ version: m.version, name: m.name, step: name, done, total }));
      });
      db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()]);
    });
    applied.push(m.version);
  }
  return applied;
}
