// The metadata llama.cpp's loader needs before it will build a model, checked from the header alone.
//
// WHY: llama.cpp reads these hyperparameters as it builds the model, and a bad value fails late and
// badly: block_count 0 or attention.head_count 0 abort the whole process (a GGML_ASSERT), and
// context_length 0 or 2^32-1 get as far as generation and then fail with "Failed to free up space
// for new tokens", which says nothing about the file. Every model architecture llama.cpp loads
// (all but the CLIP vision encoders) requires the three keys below as unsigned 32-bit values.
import { untrusted } from '../../common/untrustedText';

type Scalar = string | number | boolean;

/** llama.cpp's LLAMA_MAX_LAYERS. */
const MAX_LAYERS = 512;
/**
 * Real models train on up to ~10M tokens; this bundled llama.cpp fails to create a context for a
 * model claiming 2^31 (measured: bad_alloc), and loads the tiny model claiming 2^28.
 */
export const MAX_CONTEXT_LENGTH = 2 ** 28;
const GGUF_U32 = 4;
const TYPE_NAMES: Record<number, string> = { 0: 'u8', 1: 'i8', 2: 'u16', 3: 'i16', 4: 'u32', 5: 'i32', 6: 'f32', 7: 'bool', 8: 'string', 9: 'array', 10: 'u64', 11: 'i64', 12: 'f64' };

export interface MetadataView {
  values: ReadonlyMap<string, Scalar>;
  types: ReadonlyMap<string, number>;
}

/** Returns what keeps llama.cpp from loading the model, in words, or null when the metadata it needs is sound. */
export function loaderMetadataProblem(m: MetadataView): string | null {
  const arch = m.values.get('general.architecture');
  if (typeof arch !== 'string' || arch.length === 0) {
    return m.types.has('general.architecture') ? 'general.architecture is not a string' : 'it has no general.architecture key, so llama.cpp cannot tell what model it is';
  }
  if (arch === 'clip') return null;
  const a = untrusted(arch, 40);
  const u32 = (name: string, min: number, max: number, why: string): string | null => {
    const key = `${arch}.${name}`;
    const type = m.types.get(key);
    if (type === undefined) return `it has no ${a}.${name} key (llama.cpp requires it)`;
    if (type !== GGUF_U32) return `${a}.${name} is stored as ${TYPE_NAMES[type] ?? `type ${type}`}; llama.cpp requires u32`;
    const v = m.values.get(key) as number;
    if (v < min || v > max) return `${a}.${name} is ${v}; ${why}`;
    return null;
  };
  return (
    u32('context_length', 1, MAX_CONTEXT_LENGTH, `a model's training context is between 1 and ${MAX_CONTEXT_LENGTH} tokens`) ??
    u32('embedding_length', 1, 2 ** 20, 'an embedding has at least one dimension') ??
    u32('block_count', 1, MAX_LAYERS, `llama.cpp loads models of 1 to ${MAX_LAYERS} layers`) ??
    headCount(m, `${arch}.attention.head_count`, a)
  );
}

/** attention.head_count is optional (and may be a per-layer array); a scalar must not be 0. */
function headCount(m: MetadataView, key: string, arch: string): string | null {
  const v = m.values.get(key);
  return typeof v === 'number' && v === 0 ? `${arch}.attention.head_count is 0; a model has at least one attention head` : null;
}
