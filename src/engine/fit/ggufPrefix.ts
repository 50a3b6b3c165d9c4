// Parses the header of a GGUF file from its first bytes only (a ranged read of a remote file),
// to learn a model's architecture and shape before downloading gigabytes of it.
//
// WHY a second parser (src/engine/gguf has one for local files): this one works on a prefix in
// memory and must tell "these bytes are not enough yet, fetch N more" apart from "this is not a
// GGUF file". Every count and length is bounded before use, and a header larger than the caller's
// cap is refused instead of downloaded.

import { quoted } from '../../common/untrustedText';
import { GGML_TYPES, tensorBytes as bytesOf } from '../gguf/ggmlTypes';

export class GgufPrefixError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GgufPrefixError';
  }
}

/** The prefix ends before the header does: at least `needed` bytes in total are required. */
export class NeedMoreBytes extends Error {
  constructor(readonly needed: number) {
    super(`GGUF header continues past the bytes read (needs at least ${needed}).`);
    this.name = 'NeedMoreBytes';
  }
}

export interface GgufPrefixInfo {
  version: number;
  architecture: string | null;
  name: string | null;
  fileType: number | null;
  tensorCount: number;
  /** Scalar metadata: numbers, booleans, strings (long strings cut to 256 characters). */
  metadata: Map<string, string | number | boolean>;
  /** Byte offset where tensor data begins (header end, aligned). */
  dataOffset: number;
  /** Bytes of tensor data as the tensor infos describe them (types whose layout is known). */
  tensorBytes: number;
  /** Tensors of a type whose size is not known here (their bytes are not in tensorBytes). */
  unknownTypeTensors: number;
}

const MAGIC = 0x46554747;
const MAX_TENSORS = 1_000_000;
const MAX_KV = 100_000;
const MAX_STRING = 64 * 1024 * 1024;
const MAX_DIMS = 8;
const SCALAR: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
class Cursor {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new NeedMoreBytes(this.pos + n);
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(what: string): number {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufPrefixError(`GGUF ${what} is too large (${v}).`);
    return Number(v);
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
  string(what: string, keep: boolean): string {
    const len = this.u64(`${what} length`);
    if (len > MAX_STRING) throw new GgufPrefixError(`GGUF ${what} is ${len} bytes long (limit ${MAX_STRING}).`);
    this.need(len);
    const s = keep ? this.buf.toString('utf8', this.pos, this.pos + Math.min(len, 1024)) : '';
    this.pos += len;
    return s;
  }
  scalar(type: number): number | boolean {
    const size = SCALAR[type]!;
    this.need(size);
    const b = this.buf;
    const p = this.pos;
    this.pos += size;
    switch (type) {
      case 0: return b.readUInt8(p);
      case 1: return b.readInt8(p);
      case 2: return b.readUInt16LE(p);
      case 3: return b.readInt16LE(p);
      case 4: return b.readUInt32LE(p);
      case 5: return b.readInt32LE(p);
      case 6: return b.readFloatLE(p);
      case 7: return b.readUInt8(p) !== 0;
      case 10: return Number(b.readBigUInt64LE(p));
      case 11: return Number(b.readBigInt64LE(p));
      default: return b.readDoubleLE(p);
    }
  }
}

function skipValue(c: Cursor, type: number, key: string, depth: number): void {
  if (type === 8) {
    c.string(`value of ${quoted(key)}`, false);
  } else if (type === 9) {
    if (depth > 3) throw new GgufPrefixError(`GGUF array ${quoted(key)} is nested too deeply.`);
    const inner = c.u32();
    const n = c.u64(`array ${quoted(key)}`);
    if (inner in SCALAR) c.skip(SCALAR[inner]! * n);
    else for (let i = 0; i < n; i++) skipValue(c, inner, key, depth + 1);
  } else if (type in SCALAR) {
    c.skip(SCALAR[type]!);
  } else {
    throw new GgufPrefixError(`GGUF metadata ${quoted(key)} has unknown type ${type}.`);
  }
}

/** Parses a GGUF header from a prefix of the file. Throws NeedMoreBytes when the prefix is too short. */
export function parseGgufPrefix(buf: Buffer): GgufPrefixInfo {
  const c = new Cursor(buf);
  if (buf.length >= 4 && buf.readUInt32LE(0) !== MAGIC) throw new GgufPrefixError(`Not a GGUF file (starts with ${quoted(buf.subarray(0, 4).toString('latin1'))}).`);
  c.u32();
  const version = c.u32();
  if (version !== 2 && version !== 3) throw new GgufPrefixError(`Unsupported GGUF version ${version}.`);
  const tensorCount = c.u64('tensor count');
  const kvCount = c.u64('metadata count');
  if (tensorCount > MAX_TENSORS || kvCount > MAX_KV) throw new GgufPrefixError(`Malformed GGUF header (${tensorCount} tensors, ${kvCount} metadata entries).`);
  const metadata = new Map<string, string | number | boolean>();
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata key #${i}`, true);
    const type = c.u32();
    if (type === 8) metadata.set(key, c.string(`value of ${quoted(key)}`, true).slice(0, 256));
    else if (type === 9) skipValue(c, type, key, 0);
    else if (type in SCALAR) metadata.set(key, c.scalar(type));
    else throw new GgufPrefixError(`GGUF metadata ${quoted(key)} has unknown type ${type}.`);
  }
  let tensorBytes = 0;
  let unknownTypeTensors = 0;
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string(`tensor name #${i}`, true);
    const dims = c.u32();
    if (dims === 0 || dims > MAX_DIMS) throw new GgufPrefixError(`GGUF tensor ${quoted(name)} has ${dims} dimensions.`);
    let elements = 1;
    for (let d = 0; d < dims; d++) elements *= c.u64(`dimension of ${quoted(name)}`);
    const type = c.u32();
    c.u64(`offset of ${quoted(name)}`);
    const t = GGML_TYPES.get(type);
    if (t && t.blockElements > 0) tensorBytes += bytesOf(t, elements);
    else unknownTypeTensors++;
  }
  const alignment = typeof metadata.get('general.alignment') === 'number' ? (metadata.get('general.alignment') as number) : 32;
  if (alignment <= 0 || (alignment & (alignment - 1)) !== 0) throw new GgufPrefixError(`GGUF alignment ${alignment} is not a power of two.`);
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  const arch = metadata.get('general.architecture');
  const name = metadata.get('general.name');
  const fileType = metadata.get('general.file_type');
  return {
    version,
    architecture: typeof arch === 'string' ? arch : null,
    name: typeof name === 'string' ? name : null,
    fileType: typeof fileType === 'number' ? fileType : null,
    tensorCount,
    metadata,
    dataOffset,
    tensorBytes,
    unknownTypeTensors,
  };
}
