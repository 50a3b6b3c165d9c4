// A bounded, validating walk over a GGUF file's header (magic, version, key/value metadata and
// tensor infos), done before node-llama-cpp's own reader or llama.cpp ever see the file.
//
// WHY: a reader that trusts the counts in a header allocates what they say. A renamed text file,
// a truncated download or a corrupted header would then hang, exhaust memory or crash the native
// loader. Here every count and length is checked against the bytes actually left in the file
// before anything is read or allocated, and a file whose tensor data runs past its end is caught
// as truncated (llama.cpp would otherwise fail late, mid-load). The tensor infos are held to the
// rules llama.cpp's gguf reader applies (names, dimensions, types, offsets in order at the
// alignment), and the hyperparameters its loader needs are checked (loaderMetadata.ts), so a file
// called readable here is one llama.cpp will take. Keys and names quoted in messages come from
// the file: they are escaped and cut short (common/untrustedText.ts).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { quoted } from '../../common/untrustedText';
import type { GgufSummary } from '../protocol';
import { GGML_TYPES, tensorBytes } from './ggmlTypes';
import { loaderMetadataProblem } from './loaderMetadata';

export type GgufErrorCode = 'not-found' | 'not-gguf' | 'truncated' | 'malformed' | 'unsupported-version';

export class GgufError extends Error {
  constructor(readonly code: GgufErrorCode, message: string) {
    super(message);
    this.name = 'GgufError';
  }
}

const MAGIC = 0x46554747; // "GGUF" read as little-endian u32
const MAX_TENSORS = 1_000_000;
const MAX_KV = 100_000;
const MAX_KEY_BYTES = 64 * 1024;
const MAX_STRING_BYTES = 16 * 1024 * 1024;
/** llama.cpp's GGML_MAX_DIMS and GGML_MAX_NAME (a name must be shorter). */
const MAX_DIMS = 4;
const MAX_NAME_BYTES = 64;
const DEFAULT_ALIGNMENT = 32;
const GGUF_U32 = 4;
const MAX_ARRAY_DEPTH = 4;
const WINDOW = 1024 * 1024;

// GGUF value types.
const T = { U8: 0, I8: 1, U16: 2, I16: 3, U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9, U64: 10, I64: 11, F64: 12 } as const;
const SCALAR_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** llama.cpp's general.file_type values. */
const FILE_TYPES: Record<number, string> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 7: 'Q8_0', 8: 'Q5_0', 9: 'Q5_1', 10: 'Q2_K', 11: 'Q3_K_S', 12: 'Q3_K_M',
  13: 'Q3_K_L', 14: 'Q4_K_S', 15: 'Q4_K_M', 16: 'Q5_K_S', 17: 'Q5_K_M', 18: 'Q6_K', 19: 'IQ2_XXS', 20: 'IQ2_XS',
  21: 'Q2_K_S', 22: 'IQ3_XS', 23: 'IQ3_XXS', 24: 'IQ1_S', 25: 'IQ4_NL', 26: 'IQ3_S', 27: 'IQ3_M', 28: 'IQ2_S',
  29: 'IQ2_M', 30: 'IQ4_XS', 31: 'IQ1_M', 32: 'BF16', 36: 'TQ1_0', 37: 'TQ2_0', 38: 'MXFP4_MOE',
};

type Scalar = string | number | boolean;

/** Sequential reads through a 1 MiB window; every read is checked against the file's size first. */
class BoundedReader {
  private buf = Buffer.alloc(WINDOW);
  private bufStart = 0;
  private bufLen = 0;
  pos = 0;

  constructor(private readonly fd: number, readonly size: number, readonly file: string) {}

  get remaining(): number {
    return this.size - this.pos;
  }

  need(n: number, what: string): void {
    if (n > this.remaining) {
      throw new GgufError('truncated', `${this.file} is truncated: the GGUF header needs ${n} more bytes for ${what} at offset ${this.pos}, but the file ends at ${this.size}.`);
    }
  }

  private view(n: number): Buffer {
    if (this.pos < this.bufStart || this.pos + n > this.bufStart + this.bufLen) {
      const len = Math.min(Math.max(WINDOW, n), this.size - this.pos);
      if (len > this.buf.length) this.buf = Buffer.alloc(len);
      this.bufLen = readSync(this.fd, this.buf, 0, len, this.pos);
      this.bufStart = this.pos;
    }
    const off = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(off, off + n);
  }

  u32(what: string): number {
    this.need(4, what);
    return this.view(4).readUInt32LE(0);
  }

  u64(what: string): number {
    this.need(8, what);
    const v = this.view(8).readBigUInt64LE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufError('malformed', `${this.file} has a malformed GGUF header: ${what} is ${v}, beyond any real file.`);
    return Number(v);
  }

  scalar(type: number, what: string): Scalar {
    const n = SCALAR_SIZE[type];
    if (n === undefined) throw new GgufError('malformed', `${this.file} has a malformed GGUF header: unknown value type ${type} for ${what}.`);
    this.need(n, what);
    const b = this.view(n);
    switch (type) {
      case T.U8: return b.readUInt8(0);
      case T.I8: return b.readInt8(0);
      case T.U16: return b.readUInt16LE(0);
      case T.I16: return b.readInt16LE(0);
      case T.U32: return b.readUInt32LE(0);
      case T.I32: return b.readInt32LE(0);
      case T.F32: return b.readFloatLE(0);
      case T.BOOL: return b.readUInt8(0) !== 0;
      case T.U64: return Number(b.readBigUInt64LE(0));
      case T.I64: return Number(b.readBigInt64LE(0));
      default: return b.readDoubleLE(0);
    }
  }

  /** A length-prefixed string; `keep` false skips its bytes without reading them. */
  string(what: string, max: number, keep = true): string {
    const len = this.u64(`the length of ${what}`);
    if (len > max) throw new GgufError('malformed', `${this.file} has a malformed GGUF header: ${what} claims ${len} bytes (limit ${max}).`);
    this.need(len, what);
    if (!keep) {
      this.pos += len;
      return '';
    }
    return this.view(len).toString('utf8');
  }
}

export interface GgufHeader {
  summary: GgufSummary;
  /** Scalar metadata values (strings up to 4 KiB; arrays only by length). */
  metadata: Map<string, Scalar>;
  arrayLengths: Map<string, number>;
}

/** Reads and validates a GGUF header. Throws GgufError with a specific message on any problem. */
export function readGgufHeader(file: string): GgufHeader {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GgufError('not-found', `Model file not found: ${file}`);
    if (code === 'EISDIR') throw new GgufError('not-gguf', `${file} is a folder, not a GGUF model file.`);
    throw new GgufError('not-found', `Cannot open model file ${file}: ${(err as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new GgufError('not-gguf', `${file} is a folder, not a GGUF model file.`);
    if (!st.isFile()) throw new GgufError('not-gguf', `${file} is not a regular file.`);
    return walk(new BoundedReader(fd, st.size, file), file);
  } finally {
    closeSync(fd);
  }
}

function walk(r: BoundedReader, file: string): GgufHeader {
  if (r.size < 4) throw new GgufError('not-gguf', `${file} is not a GGUF model file (${r.size} bytes, too short for the GGUF magic).`);
  const magic = r.u32('the magic');
  if (magic !== MAGIC) {
    throw new GgufError('not-gguf', `${file} is not a GGUF model file (bad magic: starts with ${describeMagic(magic)}, expected "GGUF").`);
  }
  const version = r.u32('the version');
  if (version !== 2 && version !== 3) {
    throw new GgufError('unsupported-version', `${file} has GGUF version ${version}; only versions 2 and 3 are supported.`);
  }
  const tensorCount = r.u64('the tensor count');
  const kvCount = r.u64('the metadata count');
  if (tensorCount > MAX_TENSORS) throw new GgufError('malformed', `${file} has a malformed GGUF header: it claims ${tensorCount} tensors (limit ${MAX_TENSORS}).`);
  if (kvCount > MAX_KV) throw new GgufError('malformed', `${file} has a malformed GGUF header: it claims ${kvCount} metadata entries (limit ${MAX_KV}).`);
  // Each key/value needs at least 8+1+4+1 bytes and each tensor info 8+1+4+4+8: checked before looping.
  r.need(kvCount * 14 + tensorCount * 25, `${kvCount} metadata entries and ${tensorCount} tensor infos`);

  const metadata = new Map<string, Scalar>();
  const types = new Map<string, number>();
  const arrayLengths = new Map<string, number>();
  for (let i = 0; i < kvCount; i++) {
    const key = r.string(`metadata key #${i}`, MAX_KEY_BYTES);
    if (key.length === 0) throw new GgufError('malformed', `${file} has a malformed GGUF header: metadata key #${i} is empty.`);
    if (types.has(key)) throw new GgufError('malformed', `${file} has a malformed GGUF header: metadata key ${quoted(key)} appears twice.`);
    const q = quoted(key);
    const type = r.u32(`the type of ${q}`);
    types.set(key, type);
    if (type === T.ARRAY) {
      arrayLengths.set(key, skipArray(r, q, 1));
    } else if (type === T.STRING) {
      const s = r.string(`the value of ${q}`, MAX_STRING_BYTES, true);
      metadata.set(key, s.length > 4096 && key !== 'tokenizer.chat_template' ? s.slice(0, 4096) : s);
    } else {
      metadata.set(key, r.scalar(type, `the value of ${q}`));
    }
  }

  const alignmentType = types.get('general.alignment');
  if (alignmentType !== undefined && alignmentType !== GGUF_U32) {
    throw new GgufError('malformed', `${file} has a malformed GGUF header: general.alignment must be a u32 (it is value type ${alignmentType}).`);
  }
  const alignment = alignmentType === undefined ? DEFAULT_ALIGNMENT : (metadata.get('general.alignment') as number);
  if (alignment <= 0 || alignment > 1 << 20 || (alignment & (alignment - 1)) !== 0) {
    throw new GgufError('malformed', `${file} has a malformed GGUF header: alignment ${alignment} is not a power of two.`);
  }
  const alignedBy = alignmentType === undefined ? `the default alignment ${DEFAULT_ALIGNMENT}` : `general.alignment ${alignment}`;
  let parameterCount = 0;
  let dataEnd = 0;
  // llama.cpp requires each tensor's data to start where the previous one's (padded) ends.
  let expectedOffset = 0;
  const names = new Set<string>();
  const elementsByType = new Map<number, number>();
  for (let i = 0; i < tensorCount; i++) {
    const name = r.string(`the name of tensor #${i}`, MAX_KEY_BYTES);
    const q = quoted(name);
    const bad = (why: string): GgufError => new GgufError('malformed', `${file} has a malformed GGUF header: tensor ${q} ${why}.`);
    if (Buffer.byteLength(name) >= MAX_NAME_BYTES) throw bad(`(#${i}) has a name of ${Buffer.byteLength(name)} bytes; llama.cpp allows at most ${MAX_NAME_BYTES - 1}`);
    if (names.has(name)) throw bad(`(#${i}) appears twice`);
    names.add(name);
    const nDims = r.u32(`the dimensions of tensor ${q}`);
    if (nDims === 0 || nDims > MAX_DIMS) throw bad(`has ${nDims} dimensions (1 to ${MAX_DIMS} are allowed)`);
    let elements = 1;
    let rowLength = 0;
    for (let d = 0; d < nDims; d++) {
      const dim = r.u64(`dimension ${d} of tensor ${q}`);
      if (dim === 0) throw bad(`has a dimension of 0 (dimension ${d}): an empty tensor`);
      if (d === 0) rowLength = dim;
      elements *= dim;
    }
    if (!Number.isSafeInteger(elements) || elements > r.size * 8) {
      throw bad(`claims ${elements} elements, more than the file can hold`);
    }
    const typeId = r.u32(`the type of tensor ${q}`);
    const offset = r.u64(`the data offset of tensor ${q}`);
    const type = GGML_TYPES.get(typeId);
    if (!type) throw bad(`has unknown type ${typeId}`);
    if (type.blockElements === 0) throw bad(`has type ${typeId} (${type.name}), which llama.cpp no longer loads`);
    if (rowLength % type.blockElements !== 0) throw bad(`has rows of ${rowLength} elements, not a multiple of its type ${type.name}'s block of ${type.blockElements}`);
    if (offset % alignment !== 0) throw bad(`has its data at offset ${offset}, not a multiple of ${alignedBy}`);
    if (offset !== expectedOffset) throw bad(`has its data at offset ${offset}, but the tensors before it end at ${expectedOffset}`);
    const bytes = tensorBytes(type, elements);
    expectedOffset = offset + Math.ceil(bytes / alignment) * alignment;
    dataEnd = Math.max(dataEnd, offset + bytes);
    parameterCount += elements;
    elementsByType.set(typeId, (elementsByType.get(typeId) ?? 0) + elements);
  }
  const dataStart = Math.ceil(r.pos / alignment) * alignment;
  const requiredFileSize = dataStart + dataEnd;
  if (tensorCount > 0 && requiredFileSize > r.size) {
    throw new GgufError('truncated', `${file} is truncated: its tensors need ${requiredFileSize} bytes but the file has ${r.size} (${Math.round((100 * r.size) / requiredFileSize)}% present). Download it again.`);
  }
  const problem = loaderMetadataProblem({ values: metadata, types });
  if (problem) throw new GgufError('malformed', `${file} cannot be loaded: ${problem}.`);

  const arch = str(metadata.get('general.architecture'));
  const num = (k: string): number | null => {
    const v = arch ? metadata.get(`${arch}.${k}`) : undefined;
    return typeof v === 'number' ? v : null;
  };
  let dominant: number | null = null;
  for (const [type, n] of elementsByType) if (dominant === null || n > (elementsByType.get(dominant) ?? 0)) dominant = type;
  const ft = metadata.get('general.file_type');
  const dominantName = dominant === null ? null : (GGML_TYPES.get(dominant)?.name ?? null);
  return {
    metadata,
    arrayLengths,
    summary: {
      version,
      fileSize: r.size,
      tensorCount,
      metadataKeyCount: kvCount,
      architecture: arch,
      name: str(metadata.get('general.name')),
      parameterCount,
      fileType: typeof ft === 'number' ? (FILE_TYPES[ft] ?? `type ${ft}`) : dominantName,
      dominantTensorType: dominantName,
      contextLength: num('context_length'),
      embeddingLength: num('embedding_length'),
      layers: num('block_count'),
      heads: num('attention.head_count'),
      headsKv: num('attention.head_count_kv'),
      vocabularySize: arrayLengths.get('tokenizer.ggml.tokens') ?? num('vocab_size'),
      tokenizerModel: str(metadata.get('tokenizer.ggml.model')),
      hasChatTemplate: typeof metadata.get('tokenizer.chat_template') === 'string' && (metadata.get('tokenizer.chat_template') as string).length > 0,
      requiredFileSize,
    },
  };
}

/** Skips an array value after checking its claimed size against the bytes left; returns its length. */
function skipArray(r: BoundedReader, key: string, depth: number): number {
  // `key` arrives quoted (escaped) for messages.
  if (depth > MAX_ARRAY_DEPTH) throw new GgufError('malformed', `${r.file} has a malformed GGUF header: arrays nested too deep in ${key}.`);
  const itemType = r.u32(`the item type of ${key}`);
  const count = r.u64(`the length of ${key}`);
  if (itemType === T.STRING) {
    r.need(count * 8, `${count} strings of ${key}`);
    for (let i = 0; i < count; i++) r.string(`item ${i} of ${key}`, MAX_STRING_BYTES, false);
  } else if (itemType === T.ARRAY) {
    r.need(count * 12, `${count} arrays of ${key}`);
    for (let i = 0; i < count; i++) skipArray(r, key, depth + 1);
  } else {
    const size = SCALAR_SIZE[itemType];
    if (size === undefined) throw new GgufError('malformed', `${r.file} has a malformed GGUF header: unknown item type ${itemType} in ${key}.`);
    r.need(count * size, `${count} items of ${key}`);
    r.pos += count * size;
  }
  return count;
}

function str(v: Scalar | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

function describeMagic(magic: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(magic, 0);
  const printable = [...b].every((c) => c >= 0x20 && c < 0x7f);
  return printable ? `"${b.toString('latin1')}"` : `0x${b.toString('hex')}`;
}
