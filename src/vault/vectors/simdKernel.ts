// The WebAssembly SIMD first pass (int8Dot.wat): the int8 rows of a matrix live in a WebAssembly
// memory of their own, with room for an int16 query and one int32 result per row, so a query
// costs no allocation and no copy of the rows. Where WebAssembly SIMD is unavailable (or the
// memory cannot be had), callers get null and use the plain-JS first pass in kernel.ts.
import { INT8_DOT_WASM_BASE64 } from './int8DotWasm';

const PAGE = 65536;
/** wasm32 addresses 4 GiB at most; V8 allows that many pages. */
const MAX_PAGES = 65536;

/** The largest magnitude a stored int8 component can have (the quantizer keeps to 127). */
export const ROW_MAX_ABS = 128;

interface DotsExports {
  dots(q: number, rows: number, dim: number, count: number, out: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where this runtime has no WebAssembly SIMD. Compiled once. */
export function simdModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    const bytes = Buffer.from(INT8_DOT_WASM_BASE64, 'base64');
    // validate() is false where the engine lacks the SIMD opcodes: fall back rather than throw.
    if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}

const align16 = (n: number): number => (n + 15) & ~15;

/** One matrix's rows in WebAssembly memory, and the scratch its queries reuse. */
export class SimdArena {
  /** count x dim int8 rows, row-major (a view of the WebAssembly memory). */
  readonly i8: Int8Array;
  /** The quantized query of the current search. */
  readonly query: Int16Array;
  /** The exact int32 dot product of each row with `query`, after `run`. */
  readonly dots: Int32Array;
  /** Approximate similarities of the current search (JS heap; reused so a query allocates nothing). */
  readonly approx: Float64Array;
  /**
   * The int16 range the query is scaled to: the largest that keeps every sum of
   * ROW_MAX_ABS * range * dim products inside int32 (32767 up to 512 dimensions).
   */
  readonly queryRange: number;
  private readonly exports: DotsExports;
  private readonly queryOff: number;
  private readonly dotsOff: number;
  private readonly rowsOff: number;

  private constructor(mod: WebAssembly.Module, readonly count: number, readonly dim: number) {
    this.queryOff = 0;
    this.dotsOff = align16(dim * 2);
    this.rowsOff = align16(this.dotsOff + count * 4);
    const bytes = this.rowsOff + count * dim;
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
    const instance = new WebAssembly.Instance(mod, { env: { memory } });
    this.exports = instance.exports as unknown as DotsExports;
    // The memory never grows after this, so these views stay attached.
    this.query = new Int16Array(memory.buffer, this.queryOff, dim);
    this.dots = new Int32Array(memory.buffer, this.dotsOff, count);
    this.i8 = new Int8Array(memory.buffer, this.rowsOff, count * dim);
    this.approx = new Float64Array(count);
    this.queryRange = Math.max(1, Math.min(32767, Math.floor(0x7fffffff / (ROW_MAX_ABS * Math.max(1, dim)))));
  }

  /** An arena for count x dim rows, or null (no SIMD, nothing to hold, or too big for wasm32). */
  static create(count: number, dim: number): SimdArena | null {
    if (count <= 0 || dim <= 0) return null;
    const mod = simdModule();
    if (!mod) return null;
    const bytes = align16(align16(dim * 2) + count * 4) + count * dim;
    if (bytes > MAX_PAGES * PAGE) return null;
    try {
      return new SimdArena(mod, count, dim);
    } catch {
      return null; // the memory could not be reserved: the JS pass needs no arena
    }
  }

  /**
   * Quantizes `q` into `query` (symmetric, one scale) and fills `dots` for the first `rows` rows.
   * Returns the query's scale: q[i] ~= query[i] * scale, off by at most scale / 2.
   */
  run(q: Float32Array, rows: number): number {
    const dim = this.dim;
    let max = 0;
    for (let i = 0; i < dim; i++) {
      const a = Math.abs(q[i]!);
      if (a > max) max = a;
    }
    const query = this.query;
    if (max === 0) {
      query.fill(0);
      this.dots.fill(0, 0, rows);
      return 0;
    }
    const range = this.queryRange;
    const inv = range / max;
    for (let i = 0; i < dim; i++) query[i] = Math.round(q[i]! * inv);
    this.exports.dots(this.queryOff, this.rowsOff, dim, rows, this.dotsOff);
    return max / range;
  }
}
