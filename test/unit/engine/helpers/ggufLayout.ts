// Where each field of a real GGUF file sits, so a test can build a hostile file by rewriting one
// field of the real tiny model (a key's value, a tensor's dimension, type or offset) and leaving
// every other byte as it was.
const SCALAR_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

export interface KvField {
  key: string;
  /** Offset of the key's length prefix. */
  at: number;
  type: number;
  /** Offset of the value (for an array: of its item type). */
  valueAt: number;
}

export interface TensorField {
  name: string;
  at: number;
  nameAt: number;
  dims: number[];
  dimAt: number[];
  type: number;
  typeAt: number;
  offset: number;
  offsetAt: number;
}

export interface GgufLayout {
  kv: Map<string, KvField>;
  tensors: TensorField[];
  /** Where the tensor infos end (before the alignment padding). */
  infoEnd: number;
}

export function ggufLayout(b: Buffer): GgufLayout {
  let p = 8;
  const u64 = (): number => {
    const v = Number(b.readBigUInt64LE(p));
    p += 8;
    return v;
  };
  const u32 = (): number => {
    const v = b.readUInt32LE(p);
    p += 4;
    return v;
  };
  const str = (): string => {
    const n = u64();
    const s = b.toString('utf8', p, p + n);
    p += n;
    return s;
  };
  const skip = (type: number): void => {
    if (type === 8) str();
    else if (type === 9) {
      const inner = u32();
      const n = u64();
      for (let i = 0; i < n; i++) skip(inner);
    } else p += SCALAR_BYTES[type]!;
  };
  const nTensors = u64();
  const nKv = u64();
  const kv = new Map<string, KvField>();
  for (let i = 0; i < nKv; i++) {
    const at = p;
    const key = str();
    const type = u32();
    kv.set(key, { key, at, type, valueAt: p });
    skip(type);
  }
  const tensors: TensorField[] = [];
  for (let i = 0; i < nTensors; i++) {
    const at = p;
    const name = str();
    const n = u32();
    const dims: number[] = [];
    const dimAt: number[] = [];
    for (let d = 0; d < n; d++) {
      dimAt.push(p);
      dims.push(u64());
    }
    const typeAt = p;
    const type = u32();
    const offsetAt = p;
    const offset = u64();
    tensors.push({ name, at, nameAt: at + 8, dims, dimAt, type, typeAt, offset, offsetAt });
  }
  return { kv, tensors, infoEnd: p };
}

/** A copy of `model` with one u32 or u64 field rewritten. */
export function withField(model: Buffer, at: number, value: number | bigint, bytes: 4 | 8): Buffer {
  const b = Buffer.from(model);
  if (bytes === 4) b.writeUInt32LE(Number(value), at);
  else b.writeBigUInt64LE(BigInt(value), at);
  return b;
}

/** A copy of `model` with the bytes at `at` replaced by `text` of the same length. */
export function withBytes(model: Buffer, at: number, text: Buffer): Buffer {
  const b = Buffer.from(model);
  text.copy(b, at);
  return b;
}

/**
 * A copy of `model` with one more metadata entry (raw value bytes of GGUF value type `type`): the
 * header is rebuilt and the tensor data moved to the next aligned offset, so the tensor infos'
 * offsets (relative to the data section) stay right.
 */
export function withInsertedKv(model: Buffer, key: Buffer | string, type: number, value: Buffer, alignment = 32): Buffer {
  const l = ggufLayout(model);
  const kvEnd = l.tensors[0]!.at;
  const oldDataStart = Math.ceil(l.infoEnd / 32) * 32;
  const k = Buffer.from(key);
  const entry = Buffer.alloc(8 + k.length + 4);
  entry.writeBigUInt64LE(BigInt(k.length), 0);
  k.copy(entry, 8);
  entry.writeUInt32LE(type, 8 + k.length);
  const header = Buffer.concat([model.subarray(0, kvEnd), entry, value, model.subarray(kvEnd, l.infoEnd)]);
  header.writeBigUInt64LE(header.readBigUInt64LE(16) + 1n, 16);
  const pad = Buffer.alloc(Math.ceil(header.length / alignment) * alignment - header.length);
  return Buffer.concat([header, pad, model.subarray(oldDataStart)]);
}

export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}
