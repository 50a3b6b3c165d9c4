// Shared set-up for the retrieval tests: a migrated vault database in a temporary folder, a
// seeded random generator, and notes inserted straight into the schema.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from '../../../src/vault/db/migrations';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { tempDir } from '../../helpers/paths';

export function withDb<T>(fn: (db: SqliteDatabase, dir: string) => T | Promise<T>): Promise<T> {
  const t = tempDir('cv-retrieval-');
  const db = SqliteDatabase.open(join(t.dir, 'vault.db'));
  migrate(db);
  return Promise.resolve()
    .then(() => fn(db, t.dir))
    .finally(() => {
      db.close();
      t.cleanup();
    });
}

export { rng };

export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function randomVector(rand: () => number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = gaussian(rand);
  return v;
}

// The real engine with the real tiny model. The built engine (dist/engine-host.mjs, made by the
// test runner's build) starts much faster than the TypeScript source under tsx.
import { existsSync } from 'node:fs';
import { EngineClient, type EngineEntry, type ModelHandle } from '../../../src/engine/client/engineClient';
import { EmbeddingStore } from '../../../src/vault/embeddings/embeddingStore';
import { Retriever } from '../../../src/vault/retrieval/retriever';
import { Vault } from '../../../src/vault/vault';
import { VectorIndexCache } from '../../../src/vault/vectors/vectorIndex';
import { addLocalModel } from '../../../src/engine/verify/verifyModelFile';
import { ModelRecords } from '../../../src/app/models/modelRecords';
import { repoRoot, tinyModel } from '../../helpers/paths';
import { rng } from '../../helpers/rng';

export function engineEntry(): EngineEntry | undefined {
  const built = join(repoRoot, 'dist', 'engine-host.mjs');
  return existsSync(built) ? { file: built, execArgv: [] } : undefined;
}

/** An engine client over the vault's model records, with the tiny model added as a local model. */
export async function tinyEngine(db: SqliteDatabase): Promise<{ engine: EngineClient; sha256: string }> {
  const records = new ModelRecords(db);
  const added = await addLocalModel(records, tinyModel);
  const entry = engineEntry();
  const engine = new EngineClient({ records, settings: { threads: 1, gpu: 'cpu', idleUnloadMs: 0 }, ...(entry ? { entry } : {}) });
  return { engine, sha256: added.record.sha256 };
}

/** `count` small notes of two sections each, under `root`. */
export function writeNotes(root: string, count: number): void {
  mkdirSync(root, { recursive: true });
  for (let i = 0; i < count; i++) {
    writeFileSync(join(root, `note-${String(i).padStart(3, '0')}.md`), `# Note ${i}\n\nThe fox number ${i} jumps over dog ${i * 7}.\n\n## Part two\n\nA second part, about ${i % 5 === 0 ? 'borrowing' : 'ownership'} ${i}.\n`);
  }
}

export interface TinyAnswerVault {
  vault: Vault;
  engine: EngineClient;
  /** The tiny model loaded for chat (1024-token context, one thread). */
  handle: ModelHandle;
  /** Lexical retrieval over the vault (no vectors). */
  retriever: Retriever;
  close(): Promise<void>;
}

/** `notes` (relative path -> Markdown) indexed into a vault in a temp folder, with the tiny chat model loaded. */
export async function tinyAnswerVault(notes: Record<string, string>): Promise<TinyAnswerVault> {
  const t = tempDir('cv-answer-');
  const root = join(t.dir, 'notes');
  for (const [p, text] of Object.entries(notes)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  const vault = Vault.open(join(t.dir, 'vault.db'));
  await vault.indexRoots([root]);
  const engine = (await tinyEngine(vault.db)).engine;
  const handle = await engine.loadModel(tinyModel, { contextSize: 1024, threads: 1 });
  const retriever = new Retriever(vault.db, vault, new VectorIndexCache(vault.db), new EmbeddingStore(vault.db));
  return {
    vault, engine, handle, retriever,
    async close() {
      await engine.dispose();
      vault.close();
      t.cleanup();
    },
  };
}
