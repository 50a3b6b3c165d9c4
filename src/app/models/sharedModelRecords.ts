// The model records of a database that several processes share (the models folder's
// codex-vault-models.sqlite, the CLI's state.db): each operation opens the file through
// openDatabase, holding its owner lock for that operation only. Two `generate` runs, or a download
// beside a `models list`, then take turns for milliseconds; one killed at any moment leaves a lock
// whose dead holder the next process recognizes, and a journal it rolls back.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ModelRecord, ModelRecordStore } from '../../engine/verify/modelRecordStore';
import { withDatabase } from '../../vault/db/openDatabase';
import type { SqliteDatabase } from '../../vault/db/sqlite';
import { ModelRecords } from './modelRecords';

/** A live holder keeps the file for one short operation; waiting this long covers a slow disk. */
const WAIT_MS = 15_000;

export class SharedModelRecords implements ModelRecordStore {
  readonly file: string;

  /** `create`: a write creates the file (and its folder) when it is missing; reads never do. */
  constructor(file: string, private readonly opts: { create: boolean; what?: string }) {
    this.file = resolve(file);
  }

  get(path: string): ModelRecord | undefined {
    return this.read((r) => r.get(path));
  }

  all(): ModelRecord[] {
    return this.read((r) => r.all()) ?? [];
  }

  put(record: ModelRecord): void {
    this.write((r) => r.put(record));
  }

  markMismatch(path: string, sha256: string, size: number, mtimeMs: number): void {
    this.write((r) => r.markMismatch(path, sha256, size, mtimeMs));
  }

  remove(path: string): boolean {
    return this.write((r) => r.remove(path));
  }

  private read<T>(fn: (r: ModelRecords) => T): T | undefined {
    if (!existsSync(this.file)) return undefined;
    return this.with(false, fn);
  }

  private write<T>(fn: (r: ModelRecords) => T): T {
    return this.with(this.opts.create, fn);
  }

  private with<T>(create: boolean, fn: (r: ModelRecords) => T): T {
    return withDatabase(this.file, { create, waitMs: WAIT_MS, what: this.opts.what ?? 'models database' }, (db: SqliteDatabase) => fn(new ModelRecords(db)));
  }
}
