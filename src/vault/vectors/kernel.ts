// Brute-force nearest neighbours over contiguous rows: an int8 pass over every row, then exact
// float32 re-scoring of the best candidates. The int8 pass is an approximation with a known
// error bound (each int8 component is off by at most scale / 2), so after re-scoring, any row
// whose approximate score could still beat the k-th exact score is re-scored too. The result is
// therefore exactly the float32 top-k, at a quarter of the memory traffic for the full pass.
//
// The int8 pass runs in WebAssembly SIMD where it can (simdKernel.ts: the query is quantized to
// int16 as well and each row's dot product is an exact int32), else in plain JS against the
// float32 query. The error bound covers the query's quantization too, so both passes give the
// same exact top-k; only the set of rows re-scored on the way may differ.
import { ROW_MAX_ABS, SimdArena } from './simdKernel';

export interface VectorMatrix {
  /** Rows. */
  count: number;
  dim: number;
  /** count x dim int8 components, row-major. */
  i8: Int8Array;
  /** count x dim float32 components (L2-normalized), row-major. */
  f32: Float32Array;
  /** One scale per row: f32 ~= i8 * scale. */
  scales: Float32Array;
  /** Where `i8` lives when the WebAssembly SIMD pass is in use (`i8` is then a view of its memory). */
  simd?: SimdArena;
}

/**
 * An empty count x dim matrix to fill. Its int8 rows are placed in WebAssembly memory when SIMD
 * is available and `simd` is not false; otherwise (or for tests of the fallback) in a plain array.
 */
export function createMatrix(count: number, dim: number, opts: { simd?: boolean } = {}): VectorMatrix {
  const simd = opts.simd === false ? null : SimdArena.create(count, dim);
  return {
    count,
    dim,
    i8: simd ? simd.i8 : new Int8Array(count * dim),
    f32: new Float32Array(count * dim),
    scales: new Float32Array(count),
    simd: simd ?? undefined,
  };
}

/** The first `rows` rows of a matrix (rows that were allocated for but never filled are dropped). */
export function truncateMatrix(m: VectorMatrix, rows: number): VectorMatrix {
  if (rows >= m.count) return m;
  // The arena keeps its size: its pass is simply run over fewer rows.
  return { count: rows, dim: m.dim, i8: m.i8.subarray(0, rows * m.dim), f32: m.f32.subarray(0, rows * m.dim), scales: m.scales.subarray(0, rows), simd: m.simd };
}

export interface RowMatch {
  row: number;
  /** Exact cosine similarity (float32 dot product of normalized vectors). */
  similarity: number;
}

export interface KernelStats {
  /** Rows scored by the int8 pass. */
  scanned: number;
  /** Rows re-scored with float32. */
  rescored: number;
  /** Mean and standard deviation of the approximate similarities over the scanned rows. */
  mean: number;
  std: number;
  /** Which first pass ran. */
  firstPass: 'wasm-simd' | 'js';
}

export interface KernelOptions {
  /** How many int8 candidates to re-score before the error-bound check (default max(40, 4k)). */
  candidates?: number;
  /** Rows with mask[row] === 0 are skipped. */
  mask?: Uint8Array;
  /** false: use the plain-JS first pass even where the matrix has a SIMD arena. */
  simd?: boolean;
}

/** Dot product of an int8 row with a float32 query, unrolled by 4 (the hot path of the JS pass). */
function dotI8(a: Int8Array, off: number, q: Float32Array, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end4 = dim - (dim & 3);
  let i = 0;
  for (; i < end4; i += 4) {
    s0 += a[off + i]! * q[i]!;
    s1 += a[off + i + 1]! * q[i + 1]!;
    s2 += a[off + i + 2]! * q[i + 2]!;
    s3 += a[off + i + 3]! * q[i + 3]!;
  }
  for (; i < dim; i++) s0 += a[off + i]! * q[i]!;
  return s0 + s1 + s2 + s3;
}

export function dotF32(a: Float32Array, off: number, q: Float32Array, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end4 = dim - (dim & 3);
  let i = 0;
  for (; i < end4; i += 4) {
    s0 += a[off + i]! * q[i]!;
    s1 += a[off + i + 1]! * q[i + 1]!;
    s2 += a[off + i + 2]! * q[i + 2]!;
    s3 += a[off + i + 3]! * q[i + 3]!;
  }
  for (; i < dim; i++) s0 += a[off + i]! * q[i]!;
  return s0 + s1 + s2 + s3;
}

/** A fixed-capacity min-heap of (score, row): the root is the weakest kept candidate. */
class TopHeap {
  readonly scores: Float64Array;
  readonly rows: Int32Array;
  size = 0;
  constructor(readonly capacity: number) {
    this.scores = new Float64Array(capacity);
    this.rows = new Int32Array(capacity);
  }
  /** Lower score is weaker; on equal scores the higher row is weaker (ties prefer lower rows). */
  private weaker(i: number, j: number): boolean {
    const a = this.scores[i]!;
    const b = this.scores[j]!;
    return a < b || (a === b && this.rows[i]! > this.rows[j]!);
  }
  private swap(i: number, j: number): void {
    const s = this.scores[i]!;
    this.scores[i] = this.scores[j]!;
    this.scores[j] = s;
    const r = this.rows[i]!;
    this.rows[i] = this.rows[j]!;
    this.rows[j] = r;
  }
  offer(score: number, row: number): void {
    if (this.size < this.capacity) {
      let i = this.size++;
      this.scores[i] = score;
      this.rows[i] = row;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.weaker(i, p)) break;
        this.swap(i, p);
        i = p;
      }
      return;
    }
    const rootScore = this.scores[0]!;
    if (score < rootScore || (score === rootScore && row > this.rows[0]!)) return;
    this.scores[0] = score;
    this.rows[0] = row;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && this.weaker(l, m)) m = l;
      if (r < this.size && this.weaker(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}

function byScoreThenRow(a: RowMatch, b: RowMatch): number {
  return b.similarity - a.similarity || a.row - b.row;
}

/**
 * Exact float32 top-k (best first; equal similarities in row order) found with an int8 first pass.
 * `query` must be L2-normalized and of the matrix's dimension.
 */
export function searchInt8(m: VectorMatrix, query: Float32Array, k: number, opts: KernelOptions = {}): { matches: RowMatch[]; stats: KernelStats } {
  const { count, dim, i8, f32, scales } = m;
  const mask = opts.mask;
  const cap = Math.max(1, k, opts.candidates ?? Math.max(40, 4 * k));
  const heap = new TopHeap(Math.min(cap, Math.max(count, 1)));
  // The SIMD pass reads the rows from its arena: use it only when `i8` is (a prefix of) those rows.
  const arena = opts.simd !== false && m.simd && m.simd.i8.buffer === i8.buffer && count <= m.simd.count ? m.simd : undefined;
  // approx[r] ~= exact similarity of row r; |exact - approx| <= scales[r] * errPerScale (+ rounding).
  let approx: Float64Array;
  let errPerScale: number;
  let qL1 = 0;
  for (let i = 0; i < dim; i++) qL1 += Math.abs(query[i]!);
  let scanned = 0;
  let sum = 0;
  let sumSq = 0;
  if (arena) {
    approx = arena.approx;
    const qScale = arena.run(query, count);
    const dots = arena.dots;
    // exact - approx = sum (f - s*a) q  +  sum s*a (q - qScale*b), with |f - s*a| <= s/2,
    // |q - qScale*b| <= qScale/2 and |a| <= ROW_MAX_ABS: at most s * (qL1/2 + qScale/2 * ROW_MAX_ABS * dim).
    errPerScale = 0.5 * qL1 + 0.5 * qScale * ROW_MAX_ABS * dim;
    for (let r = 0; r < count; r++) {
      if (mask && mask[r] === 0) continue;
      const s = dots[r]! * scales[r]! * qScale;
      approx[r] = s;
      scanned++;
      sum += s;
      sumSq += s * s;
      // Most rows lose to the weakest kept candidate: test that inline before calling into the heap.
      if (heap.size < heap.capacity || s >= heap.scores[0]!) heap.offer(s, r);
    }
  } else {
    approx = new Float64Array(count);
    errPerScale = 0.5 * qL1; // the query is used as float32: only the rows are approximate
    for (let r = 0, off = 0; r < count; r++, off += dim) {
      if (mask && mask[r] === 0) continue;
      const s = dotI8(i8, off, query, dim) * scales[r]!;
      approx[r] = s;
      scanned++;
      sum += s;
      sumSq += s * s;
      if (heap.size < heap.capacity || s >= heap.scores[0]!) heap.offer(s, r);
    }
  }
  const firstPass = arena ? 'wasm-simd' : 'js';
  const mean = scanned > 0 ? sum / scanned : 0;
  const std = scanned > 1 ? Math.sqrt(Math.max(0, sumSq / scanned - mean * mean)) : 0;
  if (k <= 0 || scanned === 0) return { matches: [], stats: { scanned, rescored: 0, mean, std, firstPass } };

  const rescored = new Set<number>();
  const exact: RowMatch[] = [];
  for (let h = 0; h < heap.size; h++) {
    const row = heap.rows[h]!;
    rescored.add(row);
    exact.push({ row, similarity: dotF32(f32, row * dim, query, dim) });
  }
  exact.sort(byScoreThenRow);
  if (exact.length >= k && scanned > exact.length) {
    // Any row whose approximate score plus its worst-case error reaches the k-th exact score may
    // belong in the top-k: re-score it. 1e-6 absorbs float rounding in both scores.
    const kth = exact[k - 1]!.similarity - 1e-6;
    let added = false;
    for (let r = 0; r < count; r++) {
      if (mask && mask[r] === 0) continue;
      // The cheap bound test first: it rejects nearly every row before the set lookup.
      if (approx[r]! + scales[r]! * errPerScale >= kth && !rescored.has(r)) {
        rescored.add(r);
        exact.push({ row: r, similarity: dotF32(f32, r * dim, query, dim) });
        added = true;
      }
    }
    if (added) exact.sort(byScoreThenRow);
  }
  return { matches: exact.slice(0, k), stats: { scanned, rescored: rescored.size, mean, std, firstPass } };
}

/** Plain float32 brute force over every row: the reference (and the benchmark's baseline). */
export function searchF32(m: VectorMatrix, query: Float32Array, k: number, opts: { mask?: Uint8Array } = {}): RowMatch[] {
  const { count, dim, f32 } = m;
  const heap = new TopHeap(Math.max(1, Math.min(k, count)));
  for (let r = 0, off = 0; r < count; r++, off += dim) {
    if (opts.mask && opts.mask[r] === 0) continue;
    heap.offer(dotF32(f32, off, query, dim), r);
  }
  const out: RowMatch[] = [];
  for (let h = 0; h < heap.size; h++) out.push({ row: heap.rows[h]!, similarity: heap.scores[h]! });
  return out.sort(byScoreThenRow).slice(0, k);
}
