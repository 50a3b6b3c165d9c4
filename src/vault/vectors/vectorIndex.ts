// The vectors of one embedding model, loaded from the database into contiguous typed arrays and
// searched by brute force (see kernel.ts). Loaded lazily on first use; when vectors were written
// since (a generation counter that every write bumps, and that stamps the rows it wrote), only
// those rows are read and appended, or replace the rows of their chunk. Only a removal of vectors
// makes the next query load the whole index again.
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
/** The key under `settings` holding the generation at which vectors were last removed. */
export const REMOVED_KEY = 'embeddings.removedAt';

function generationSetting(db: SqliteDatabase, key: string): number {
  const row = db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
  return row ? Number(JSON.parse(row.value)) : 0;
}

export function embeddingsGeneration(db: SqliteDatabase): number {
  return generationSetting(db, GENERATION_KEY);
}

type VectorRow = {
  chunk_hash: string;
  vec_f32: Uint8Array;
  vec_i8: Uint8Array;
  scale: number;
};

export class VectorIndex {
  private readonly rowOf = new Map<string, number>();
  /** The rows allocated (count <= capacity): appends fill these before the arrays grow. */
  private full: VectorMatrix;
  /** Rows appended or replaced since the index was loaded (what was not read again). */
  appendedRows = 0;

  private constructor(
    readonly model: string,
    full: VectorMatrix,
    count: number,
    private readonly keys: string[],
    /** The embeddings generation this index holds every vector of. */
    private gen: number,
  ) {
    this.full = full;
    this.matrix = truncateMatrix(full, count);
    keys.forEach((h, i) => this.rowOf.set(h, i));
  }

  /** The filled rows. */
  matrix: VectorMatrix;

  get hashes(): readonly string[] {
    return this.keys;
  }

  get generation(): number {
    return this.gen;
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
    const hashes: string[] = [];
    let r = 0;
    // Ordered by hash so that row order (the tie-break) does not depend on insertion order.
    for (const row of db.iterate<VectorRow>('SELECT chunk_hash, vec_f32, vec_i8, scale FROM embeddings WHERE model = ? ORDER BY chunk_hash', [model])) {
      if (r >= count) break; // written concurrently after the count: the next reload picks it up
      writeRow(matrix, r, row, dim);
      hashes.push(row.chunk_hash);
      r++;
    }
    return new VectorIndex(model, matrix, r, hashes, generation);
  }

  /**
   * Brings the index up to `generation` by reading only the vectors written after the one it
   * holds: a vector of a new chunk text is appended, one of a text it has replaces its row. The
   * caller makes sure no vector was removed meanwhile (VectorIndexCache).
   */
  appendSince(db: SqliteDatabase, generation: number): void {
    for (const row of db.iterate<VectorRow & { dim: number }>(
      'SELECT chunk_hash, vec_f32, vec_i8, scale, dim FROM embeddings WHERE model = ? AND generation > ? AND generation <= ?',
      [this.model, this.gen, generation],
    )) {
      if (this.count === 0 && this.full.dim !== Number(row.dim)) this.matrix = this.full = createMatrix(0, Number(row.dim));
      const dim = this.dim;
      if (Number(row.dim) !== dim) throw new VectorError(`The vector of chunk ${row.chunk_hash} has ${row.dim} dimensions; model ${this.model}'s have ${dim}.`);
      let r = this.rowOf.get(row.chunk_hash);
      if (r === undefined) {
        r = this.count;
        this.ensureCapacity(r + 1);
        this.keys.push(row.chunk_hash);
        this.rowOf.set(row.chunk_hash, r);
        this.matrix = truncateMatrix(this.full, r + 1);
      }
      writeRow(this.full, r, row, dim);
      this.appendedRows++;
    }
    this.gen = generation;
  }

  /** Room for `rows` rows; grows by an eighth (at least 1024 rows), copying what is there. */
  private ensureCapacity(rows: number): void {
    if (rows <= this.full.count) return;
    const bigger = createMatrix(Math.max(rows, this.full.count + Math.max(1024, this.full.count >> 3)), this.full.dim);
    const used = this.count * this.full.dim;
    bigger.i8.set(this.full.i8.subarray(0, used));
    bigger.f32.set(this.full.f32.subarray(0, used));
    bigger.scales.set(this.full.scales.subarray(0, this.count));
    this.full = bigger;
    this.matrix = truncateMatrix(bigger, this.count);
  }

  has(chunkHash: string): boolean {
    return this.rowOf.has(chunkHash);
  }

  memory(): VectorMemory {
    // What is allocated, room for appends included.
    const int8Bytes = this.full.i8.byteLength;
    const f32Bytes = this.full.f32.byteLength;
    const scaleBytes = this.full.scales.byteLength;
    // A 64-hex-char string is ~80 bytes on V8's heap; a Map entry ~ 40 more.
    const keyBytes = this.keys.reduce((s, h) => s + 16 + h.length, 0) + this.count * 40;
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
    return { matches: byHashOnTies(matches.map((m) => ({ chunkHash: this.keys[m.row]!, similarity: m.similarity }))), stats };
  }

  /** Plain float32 brute force: the reference the int8 search must equal. */
  searchExact(query: ArrayLike<number>, k: number, opts: VectorSearchOptions = {}): VectorMatch[] {
    const q = this.prepareQuery(query);
    return byHashOnTies(searchF32(this.matrix, q, k, { mask: this.maskFor(opts.allow) }).map((m) => ({ chunkHash: this.keys[m.row]!, similarity: m.similarity })));
  }

  /** The stored (normalized) vector of a chunk, if this model has one. */
  vectorOf(chunkHash: string): Float32Array | undefined {
    const r = this.rowOf.get(chunkHash);
    if (r === undefined) return undefined;
    return this.matrix.f32.slice(r * this.dim, (r + 1) * this.dim);
  }
}

/** Equal similarities in chunk-hash order, as a fresh load's row order gives them. */
function byHashOnTies(matches: VectorMatch[]): VectorMatch[] {
  return matches.sort((a, b) => b.similarity - a.similarity || (a.chunkHash < b.chunkHash ? -1 : a.chunkHash > b.chunkHash ? 1 : 0));
}

function writeRow(m: VectorMatrix, r: number, row: VectorRow, dim: number): void {
  if (row.vec_i8.byteLength !== dim) throw new VectorError(`The int8 vector of chunk ${row.chunk_hash} has ${row.vec_i8.byteLength} components; ${dim} were expected.`);
  blobIntoF32(row.vec_f32, m.f32, r * dim, dim);
  m.i8.set(new Int8Array(row.vec_i8.buffer, row.vec_i8.byteOffset, dim), r * dim);
  m.scales[r] = row.scale;
}

/**
 * One lazily loaded index per model. When vectors were written since it loaded, the index appends
 * them; when vectors were removed (garbage collection, a model's vectors deleted), it loads again.
 */
export class VectorIndexCache {
  private readonly byModel = new Map<string, VectorIndex>();

  constructor(private readonly db: SqliteDatabase) {}

  get(model: string): VectorIndex {
    const gen = embeddingsGeneration(this.db);
    const cached = this.byModel.get(model);
    if (cached && cached.generation === gen) return cached;
    if (cached && generationSetting(this.db, REMOVED_KEY) <= cached.generation) {
      cached.appendSince(this.db, gen);
      return cached;
    }
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
