// Vector encodings stored in the `embeddings` table: L2-normalized float32 (exact scores) and
// symmetric int8 (a quarter of the memory, for the first brute-force pass).
import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

export class VectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VectorError';
  }
}

/** Returns a new L2-normalized copy. A zero, NaN or infinite vector has no direction: refused. */
export function normalize(vec: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < vec.length; i++) {
    const v = vec[i]!;
    if (!Number.isFinite(v)) throw new VectorError(`The vector has a non-finite component at ${i} (${v}).`);
    sum += v * v;
  }
  if (sum === 0) throw new VectorError('The vector is all zeros: it has no direction to compare.');
  const inv = 1 / Math.sqrt(sum);
  const out = new Float32Array(vec.length);
  for (let i = 0; i < vec.length; i++) out[i] = vec[i]! * inv;
  return out;
}

export interface QuantizedVector {
  i8: Int8Array;
  /** f32 ~= i8 * scale. */
  scale: number;
}

/**
 * Symmetric int8 quantization with one scale per vector: scale = max|v| / 127, so no component
 * clips and each one is off by at most scale / 2. The search kernel relies on that bound.
 */
export function quantizeInt8(vec: Float32Array): QuantizedVector {
  let max = 0;
  for (let i = 0; i < vec.length; i++) {
    const a = Math.abs(vec[i]!);
    if (a > max) max = a;
  }
  const i8 = new Int8Array(vec.length);
  if (max === 0) return { i8, scale: 0 };
  const scale = max / 127;
  const inv = 1 / scale;
  for (let i = 0; i < vec.length; i++) {
    const q = Math.round(vec[i]! * inv);
    i8[i] = q > 127 ? 127 : q < -127 ? -127 : q;
  }
  return { i8, scale };
}

/** float32 little-endian bytes, as stored in `embeddings.vec_f32`. */
export function f32ToBlob(vec: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(vec.buffer.slice(vec.byteOffset, vec.byteOffset + vec.byteLength));
  const out = new Uint8Array(vec.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < vec.length; i++) view.setFloat32(i * 4, vec[i]!, true);
  return out;
}

/** Copies a `vec_f32` BLOB into `target` at element offset `at` (no intermediate array). */
export function blobIntoF32(blob: Uint8Array, target: Float32Array, at: number, dim: number): void {
  if (blob.byteLength !== dim * 4) throw new VectorError(`A stored float32 vector has ${blob.byteLength} bytes; ${dim * 4} were expected for dimension ${dim}.`);
  if (LITTLE_ENDIAN) {
    new Uint8Array(target.buffer, target.byteOffset + at * 4, dim * 4).set(blob);
    return;
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let i = 0; i < dim; i++) target[at + i] = view.getFloat32(i * 4, true);
}

export function blobToF32(blob: Uint8Array): Float32Array {
  if (blob.byteLength % 4 !== 0) throw new VectorError(`A stored float32 vector has ${blob.byteLength} bytes, not a multiple of 4.`);
  const out = new Float32Array(blob.byteLength / 4);
  blobIntoF32(blob, out, 0, out.length);
  return out;
}

export function i8ToBlob(vec: Int8Array): Uint8Array {
  return new Uint8Array(vec.buffer.slice(vec.byteOffset, vec.byteOffset + vec.byteLength));
}
