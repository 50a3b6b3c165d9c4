// Vectors per (model, chunk hash) in the `embeddings` table. Every write happens in one
// transaction that also bumps the embeddings generation and stamps the vectors it wrote with it,
// so a loaded vector index (in this or another process) appends what is new, and reloads only
// after vectors were removed. Vectors of one model all have one dimension: a write with another
// dimension is refused rather than mixed in. The active model (the one being backfilled and
// searched) is kept explicitly, with its coverage counted by the database (migration 0005).
// "Has this chunk a vector of model M?" goes through the narrow index embeddings_key: through the
// primary key every probe would read a leaf of BLOB-heavy rows.
import type { SqliteDatabase } from '../db/sqlite';
import { EMBEDDING_PREFIX_TOKENS, truncateText } from '../markdown/textSize';
import { blobToF32, f32ToBlob, i8ToBlob, normalize, quantizeInt8, VectorError } from '../vectors/quantize';
import { GENERATION_KEY, REMOVED_KEY } from '../vectors/vectorIndex';

export interface EmbeddingInput {
  chunkHash: string;
  vector: ArrayLike<number>;
  /** The text was cut to fit the model's context. */
  truncated?: boolean;
}

export interface StoredEmbedding {
  model: string;
  chunkHash: string;
  dim: number;
  /** L2-normalized. */
  vector: Float32Array;
  int8: Int8Array;
  scale: number;
  truncated: boolean;
  createdAt: number;
}

export interface PendingChunk {
  chunkId: number;
  chunkHash: string;
  /** What gets embedded: title, heading path and body. */
  text: string;
}

export interface Coverage {
  /** Chunks whose text has a vector for the model. */
  embedded: number;
  total: number;
  /** embedded / total (1 for an empty vault). */
  ratio: number;
}

/**
 * The text a chunk is embedded as: its document title and heading path give it context. They are
 * cut to the tokens the chunk size leaves for them (textSize.ts), so the model reads the chunk whole.
 */
export function embeddingText(title: string, headings: string, body: string): string {
  const head = truncateText(headings && headings !== title ? `${title} > ${headings}` : title, Infinity, EMBEDDING_PREFIX_TOKENS);
  return head ? `${head}\n\n${body}` : body;
}

export class EmbeddingStore {
  constructor(private readonly db: SqliteDatabase) {}

  dimensionOf(model: string): number | undefined {
    const row = this.db.get<{ dim: number }>('SELECT dim FROM embeddings WHERE model = ? LIMIT 1', [model]);
    return row ? Number(row.dim) : undefined;
  }

  /** Stores (or replaces) vectors, normalized and quantized, in one transaction. Returns how many. */
  put(model: string, items: readonly EmbeddingInput[]): number {
    if (items.length === 0) return 0;
    if (!model) throw new VectorError('An embedding needs a model key.');
    return this.db.transaction(() => {
      let dim = this.dimensionOf(model);
      const now = Date.now();
      const generation = this.bumpGeneration();
      for (const item of items) {
        if (!item.chunkHash) throw new VectorError('An embedding needs the hash of its chunk.');
        if (dim === undefined) dim = item.vector.length;
        if (item.vector.length !== dim) {
          throw new VectorError(`Model ${model} stores ${dim}-dimensional vectors; a ${item.vector.length}-dimensional one for chunk ${item.chunkHash} was refused.`);
        }
        const f32 = normalize(item.vector);
        const q = quantizeInt8(f32);
        // An upsert, not INSERT OR REPLACE: a replaced row must stay one row for the coverage triggers.
        this.db.run(
          `INSERT INTO embeddings (model, chunk_hash, dim, vec_f32, vec_i8, scale, truncated, created_at, generation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (model, chunk_hash) DO UPDATE SET dim = excluded.dim, vec_f32 = excluded.vec_f32, vec_i8 = excluded.vec_i8,
             scale = excluded.scale, truncated = excluded.truncated, created_at = excluded.created_at, generation = excluded.generation`,
          [model, item.chunkHash, dim, f32ToBlob(f32), i8ToBlob(q.i8), q.scale, item.truncated ? 1 : 0, now, generation],
        );
      }
      return items.length;
    });
  }

  get(model: string, chunkHash: string): StoredEmbedding | undefined {
    const row = this.db.get<{ dim: number; vec_f32: Uint8Array; vec_i8: Uint8Array; scale: number; truncated: number; created_at: number }>(
      'SELECT dim, vec_f32, vec_i8, scale, truncated, created_at FROM embeddings WHERE model = ? AND chunk_hash = ?',
      [model, chunkHash],
    );
    if (!row) return undefined;
    const i8 = new Int8Array(row.vec_i8.byteLength);
    i8.set(new Int8Array(row.vec_i8.buffer, row.vec_i8.byteOffset, row.vec_i8.byteLength));
    return { model, chunkHash, dim: Number(row.dim), vector: blobToF32(row.vec_f32), int8: i8, scale: row.scale, truncated: row.truncated === 1, createdAt: Number(row.created_at) };
  }

  count(model: string): number {
    return Number(this.db.get<{ n: number }>('SELECT count(*) AS n FROM embeddings WHERE model = ?', [model])?.n ?? 0);
  }

  models(): { model: string; count: number; dim: number }[] {
    return this.db
      .all<{ model: string; n: number; dim: number }>('SELECT model, count(*) AS n, max(dim) AS dim FROM embeddings GROUP BY model ORDER BY model')
      .map((r) => ({ model: r.model, count: Number(r.n), dim: Number(r.dim) }));
  }

  /** Distinct chunk texts that have no vector for `model`. */
  missingCount(model: string): number {
    return Number(
      this.db.get<{ n: number }>('SELECT count(DISTINCT c.hash) AS n FROM chunks c WHERE NOT EXISTS (SELECT 1 FROM embeddings e INDEXED BY embeddings_key WHERE e.model = ? AND e.chunk_hash = c.hash)', [model])?.n ?? 0,
    );
  }

  /**
   * Up to `limit` chunks after chunk id `afterId` (in id order) whose text has no vector for
   * `model`. Walking by id keeps each batch cheap however large the vault is.
   */
  pending(model: string, afterId: number, limit: number): PendingChunk[] {
    return this.db
      .all<{ id: number; hash: string; title: string; headings: string; body: string }>(
        'SELECT c.id, c.hash, c.title, c.headings, c.body FROM chunks c WHERE c.id > ? AND NOT EXISTS (SELECT 1 FROM embeddings e INDEXED BY embeddings_key WHERE e.model = ? AND e.chunk_hash = c.hash) ORDER BY c.id LIMIT ?',
        [afterId, model, limit],
      )
      .map((r) => ({ chunkId: Number(r.id), chunkHash: r.hash, text: embeddingText(r.title, r.headings, r.body) }));
  }

  /** The active embedding model: the one backfilled and searched (undefined before any is chosen). */
  activeModel(): string | undefined {
    return this.db.get<{ model: string }>('SELECT model FROM embedding_coverage WHERE id = 1')?.model;
  }

  /**
   * Makes `model` the active one. Its coverage is counted once here; from then on the database
   * keeps it as chunks and vectors come and go.
   */
  setActiveModel(model: string): void {
    if (!model) throw new VectorError('The active embedding model needs a key.');
    if (this.activeModel() === model) return;
    this.db.transaction(() => {
      this.db.run(
        `INSERT INTO embedding_coverage (id, model, embedded) VALUES (1, ?, (SELECT count(*) FROM chunks c WHERE EXISTS (SELECT 1 FROM embeddings e INDEXED BY embeddings_key WHERE e.model = ? AND e.chunk_hash = c.hash)))
         ON CONFLICT (id) DO UPDATE SET model = excluded.model, embedded = excluded.embedded`,
        [model, model],
      );
    });
  }

  /** The active model's coverage, read in constant time (undefined when no model is active). */
  activeCoverage(): (Coverage & { model: string }) | undefined {
    const row = this.db.get<{ model: string; embedded: number; total: number }>(
      'SELECT model, embedded, (SELECT count(*) FROM chunks) AS total FROM embedding_coverage WHERE id = 1',
    );
    if (!row) return undefined;
    const total = Number(row.total);
    const embedded = Number(row.embedded);
    return { model: row.model, embedded, total, ratio: total === 0 ? 1 : embedded / total };
  }

  /** Chunks whose text has a vector of `model`: kept count for the active model, counted for another. */
  coverage(model: string): Coverage {
    const active = this.activeCoverage();
    if (active?.model === model) return { embedded: active.embedded, total: active.total, ratio: active.ratio };
    const row = this.db.get<{ total: number; embedded: number | null }>(
      'SELECT count(*) AS total, sum(EXISTS (SELECT 1 FROM embeddings e INDEXED BY embeddings_key WHERE e.model = ? AND e.chunk_hash = c.hash)) AS embedded FROM chunks c',
      [model],
    );
    const total = Number(row?.total ?? 0);
    const embedded = Number(row?.embedded ?? 0);
    return { embedded, total, ratio: total === 0 ? 1 : embedded / total };
  }

  /** Deletes vectors (of every model) whose chunk text no longer exists in any note. */
  collectGarbage(): number {
    return this.db.transaction(() => {
      // NOT IN over the (non-null) hashes, not a correlated NOT EXISTS: it uses chunks_hash when
      // there is one and otherwise reads chunks once, where NOT EXISTS would scan chunks once per
      // vector while a bulk index runs without that index (see VaultStore.dropChunkHashIndex).
      const r = this.db.run('DELETE FROM embeddings WHERE chunk_hash NOT IN (SELECT hash FROM chunks)');
      if (r.changes > 0) this.markRemoved();
      return r.changes;
    });
  }

  /** Forgets every vector of a model (e.g. the user removed that model). */
  deleteModel(model: string): number {
    return this.db.transaction(() => {
      const r = this.db.run('DELETE FROM embeddings WHERE model = ?', [model]);
      if (r.changes > 0) this.markRemoved();
      return r.changes;
    });
  }

  /** Moves the embeddings generation on (inside the caller's transaction) and returns the new one. */
  private bumpGeneration(): number {
    this.db.run("INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)", [GENERATION_KEY]);
    return Number(this.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [GENERATION_KEY])?.value ?? 1);
  }

  /** Vectors were removed: a loaded index cannot just append, it reloads (see VectorIndexCache). */
  private markRemoved(): void {
    const generation = this.bumpGeneration();
    this.db.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [REMOVED_KEY, String(generation)]);
  }
}
