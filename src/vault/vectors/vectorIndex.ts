// The vectors of one embedding model, loaded from the database into contiguous typed arrays and
// searched by brute force (see kernel.ts). Loaded lazily on first use and reloaded only when the
// embeddings of the database changed (a generation counter that every write bumps).
import type { SqliteDatabase } from '../db/sqlite';
import { createMatrix, searchF32, searchInt8, truncateMatrix, type KernelStats, type VectorMatrix } from './kernel';
import { blobIntoF32, normalize, VectorError } from './quantize';

export interface VectorMatch {
  chunkHash: string;
  similarity: number;
}

export interface VectorMemory {
  int8Bytes: number;
  f32Bytes: number;
  scaleBytes: number;
  /** Estimated: the chunk-hash strings and their lookup map. */
  keyBytes: number;
  /** The SIMD pass's per-row results and approximate scores, kept for reuse by every query. */
  scratchBytes: number;
  totalBytes: number;
}

export interface VectorSearchOptions {
  /** Keep only these chunk hashes (e.g. chunks under a path prefix). */
  allow?: ReadonlySet<string>;
  candidates?: number;
  /** false: the plain-JS int8 pass even where WebAssembly SIMD is available (for tests and comparisons). */
  simd?: boolean;
}

/** The key under `settings` that every write to `embeddings` bumps (see EmbeddingStore). */
export const GENERATION_KEY = 'embeddings.generation';

export function embeddingsGeneration(db: SqliteDatabase): number {
  const row = db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [GENERATION_KEY]);
  return row ? Number(JSON.parse(row.value)) : 0;
}

export class VectorIndex {
  private readonly rowOf = new Map<string, number>();

  private constructor(
    readonly model: string,
    readonly matrix: VectorMatrix,
    readonly hashes: readonly string[],
    /** The embeddings generation this index was loaded at. */
    readonly generation: number,
  ) {
    hashes.forEach((h, i) => this.rowOf.set(h, i));
  }

  get dim(): number {
    return this.matrix.dim;
  }

  get count(): number {
    return this.matrix.count;
  }

  static load(db: SqliteDatabase, model: string): VectorIndex {
    const generation = embeddingsGeneration(db);
    const head = db.get<{ n: number; lo: number | null; hi: number | null }>('SELECT count(*) AS n, min(dim) AS lo, max(dim) AS hi FROM embeddings WHERE model = ?', [model]);
    const count = Number(head?.n ?? 0);
    if (count > 0 && head?.lo !== head?.hi) {
      throw new VectorError(`The stored vectors of model ${model} have different dimensions (${head?.lo} to ${head?.hi}); re-embed with that model to repair them.`);
    }
    const dim = count > 0 ? Number(head?.lo) : 0;
    // The vectors stay resident in contiguous arrays (the int8 rows in the SIMD kernel's
    // WebAssembly memory where it is available): a query reads no BLOB and allocates no rows.
    const matrix = createMatrix(count, dim);
    const { i8, f32, scales } = matrix;
    const hashes: string[] = [];
    let r = 0;
    // Ordered by hash so that row order (the tie-break) does not depend on insertion order.
    for (const row of db.iterate<{ chunk_hash: string; vec_f32: Uint8Array; vec_i8: Uint8Array; scale: number }>(
      'SELECT chunk_hash, vec_f32, vec_i8, scale FROM embeddings WHERE model = ? ORDER BY chunk_hash',
      [model],
    )) {
      if (r >= count) break; // written concurrently after the count: the next reload picks it up
      if (row.vec_i8.byteLength !== dim) throw new VectorError(`The int8 vector of chunk ${row.chunk_hash} has ${row.vec_i8.byteLength} components; ${dim} were expected.`);
      blobIntoF32(row.vec_f32, f32, r * dim, dim);
      i8.set(new Int8Array(row.vec_i8.buffer, row.vec_i8.byteOffset, dim), r * dim);
      scales[r] = row.scale;
      hashes.push(row.chunk_hash);
      r++;
    }
    return new VectorIndex(model, truncateMatrix(matrix, r), hashes, generation);
  }

  has(chunkHash: string): boolean {
    return this.rowOf.has(chunkHash);
  }

  memory(): VectorMemory {
    const int8Bytes = this.matrix.i8.byteLength;
    const f32Bytes = this.matrix.f32.byteLength;
    const scaleBytes = this.matrix.scales.byteLength;
    // A 64-hex-char string is ~80 bytes on V8's heap; a Map entry ~ 40 more.
    const keyBytes = this.hashes.reduce((s, h) => s + 16 + h.length, 0) + this.count * 40;
    const simd = this.matrix.simd;
    const scratchBytes = simd ? simd.query.byteLength + simd.dots.byteLength + simd.approx.byteLength : 0;
    return { int8Bytes, f32Bytes, scaleBytes, keyBytes, scratchBytes, totalBytes: int8Bytes + f32Bytes + scaleBytes + keyBytes + scratchBytes };
  }

  private prepareQuery(query: ArrayLike<number>): Float32Array {
    if (this.count > 0 && query.length !== this.dim) {
      throw new VectorError(`The query vector has ${query.length} dimensions but model ${this.model}'s vectors have ${this.dim}.`);
    }
    return normalize(query);
  }

  private maskFor(allow: ReadonlySet<string> | undefined): Uint8Array | undefined {
    if (!allow) return undefined;
    const mask = new Uint8Array(this.count);
    for (const h of allow) {
      const r = this.rowOf.get(h);
      if (r !== undefined) mask[r] = 1;
    }
    return mask;
  }

  /** Exact top-k by cosine similarity, best first, found with the int8 pass + f32 re-scoring. */
  search(query: ArrayLike<number>, k: number, opts: VectorSearchOptions = {}): { matches: VectorMatch[]; stats: KernelStats } {
    const q = this.prepareQuery(query);
    const mask = this.maskFor(opts.allow);
    const { matches, stats } = searchInt8(this.matrix, q, k, { mask, candidates: opts.candidates, simd: opts.simd });
    return { matches: matches.map((m) => ({ chunkHash: this.hashes[m.row]!, similarity: m.similarity })), stats };
  }

  /** Plain float32 brute force: the reference the int8 search must equal. */
  searchExact(query: ArrayLike<number>, k: number, opts: VectorSearchOptions = {}): VectorMatch[] {
    const q = this.prepareQuery(query);
    return searchF32(this.matrix, q, k, { mask: this.maskFor(opts.allow) }).map((m) => ({ chunkHash: this.hashes[m.row]!, similarity: m.similarity }));
  }

  /** The stored (normalized) vector of a chunk, if this model has one. */
  vectorOf(chunkHash: string): Float32Array | undefined {
    const r = this.rowOf.get(chunkHash);
    if (r === undefined) return undefined;
    return this.matrix.f32.slice(r * this.dim, (r + 1) * this.dim);
  }
}

/** One lazily loaded index per model, reloaded when the embeddings generation moved. */
export class VectorIndexCache {
  private readonly byModel = new Map<string, VectorIndex>();

  constructor(private readonly db: SqliteDatabase) {}

  get(model: string): VectorIndex {
    const gen = embeddingsGeneration(this.db);
    const cached = this.byModel.get(model);
    if (cached && cached.generation === gen) return cached;
    const idx = VectorIndex.load(this.db, model);
    this.byModel.set(model, idx);
    return idx;
  }

  /** Loaded indexes and their memory, for the models view and status reports. */
  loaded(): { model: string; count: number; dim: number; memory: VectorMemory }[] {
    return [...this.byModel.values()].map((i) => ({ model: i.model, count: i.count, dim: i.dim, memory: i.memory() }));
  }

  drop(model?: string): void {
    if (model === undefined) this.byModel.clear();
    else this.byModel.delete(model);
  }
}
