// Will this model run on this machine? Before a download, compare what the model needs (weights,
// the KV cache for the chosen context, and working buffers) with the machine's RAM and, when
// known, GPU memory: "fits", "tight" (it would run, but squeezes everything else) or "won't fit",
// always with the figures behind the verdict.
// The model's shape comes, best first, from its GGUF header (remote ranged read or the local
// file: exact layer/head counts), else from the manifest (file sizes, and a KV estimate).
import { formatBytes } from '../download/diskSpace';
import type { ManifestModel } from '../models/manifestTypes';
import { modelSize } from '../models/manifestTypes';
import type { GgufPrefixInfo } from './ggufPrefix';
import type { HardwareInfo } from './hardware';

export type FitLevel = 'fits' | 'tight' | 'wont-fit';

export interface ModelShape {
  /** Where the figures come from: a GGUF header (exact) or the manifest (estimate). */
  source: 'gguf-header' | 'manifest';
  architecture: string | null;
  /** Bytes of weights that must be held in memory. */
  weightsBytes: number;
  layers: number | null;
  headsKv: number | null;
  /** Per-head key and value widths. */
  keyLength: number | null;
  valueLength: number | null;
  trainedContext: number | null;
}

export interface FitReport {
  level: FitLevel;
  /** 'gpu' when the verdict is for GPU memory, 'cpu' for system RAM. */
  device: 'gpu' | 'cpu';
  contextSize: number;
  weightsBytes: number;
  kvCacheBytes: number;
  /** True when the KV cache size comes from the model's real layer/head counts. */
  kvExact: boolean;
  overheadBytes: number;
  neededBytes: number;
  totalRam: number;
  freeRam: number;
  vramTotal: number | null;
  vramFree: number | null;
  shapeSource: ModelShape['source'];
  /** One line with the verdict and its figures. */
  message: string;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);

export function shapeFromHeader(info: GgufPrefixInfo, totalFileBytes: number): ModelShape {
  const a = info.architecture ?? '';
  const m = info.metadata;
  const heads = num(m.get(`${a}.attention.head_count`));
  const embd = num(m.get(`${a}.embedding_length`));
  const headDim = heads && embd ? embd / heads : null;
  return {
    source: 'gguf-header',
    architecture: info.architecture,
    // Everything past the header is tensor data (all parts of a split model together).
    weightsBytes: Math.max(info.tensorBytes, totalFileBytes - info.dataOffset),
    layers: num(m.get(`${a}.block_count`)),
    headsKv: num(m.get(`${a}.attention.head_count_kv`)) ?? heads,
    keyLength: num(m.get(`${a}.attention.key_length`)) ?? headDim,
    valueLength: num(m.get(`${a}.attention.value_length`)) ?? headDim,
    trainedContext: num(m.get(`${a}.context_length`)),
  };
}

export function shapeFromManifest(model: ManifestModel): ModelShape {
  return { source: 'manifest', architecture: model.architecture ?? null, weightsBytes: modelSize(model), layers: null, headsKv: null, keyLength: null, valueLength: null, trainedContext: model.contextLength };
}

/**
 * KV cache for `ctx` tokens at f16 (llama.cpp's default): K and V per layer. Without a header,
 * about 32 KiB per token per GiB of weights — on the high side for modern grouped-query models
 * (Qwen2.5 1.5B: 28 KiB/token real vs 33 estimated), so a "fits" is never optimistic.
 */
export function kvCacheBytes(shape: ModelShape, ctx: number): { bytes: number; exact: boolean } {
  if (shape.layers && shape.headsKv && shape.keyLength && shape.valueLength) {
    return { bytes: shape.layers * ctx * shape.headsKv * (shape.keyLength + shape.valueLength) * 2, exact: true };
  }
  const perToken = Math.min(512 * 1024, Math.max(8 * 1024, (shape.weightsBytes / 2 ** 30) * 32 * 1024));
  return { bytes: Math.round(perToken * ctx), exact: false };
}

/** Working buffers beside weights and KV cache (compute graph, logits, scratch): a fixed part plus 10%. */
export function overheadBytes(weightsBytes: number): number {
  return 150 * 1024 * 1024 + Math.round(weightsBytes * 0.1);
}

export function defaultContextSize(model: Pick<ManifestModel, 'role' | 'contextLength'>): number {
  return model.role === 'embedding' ? model.contextLength : Math.min(model.contextLength, 4096);
}

export function judgeHardwareFit(shape: ModelShape, hw: HardwareInfo, contextSize: number): FitReport {
  const kv = kvCacheBytes(shape, contextSize);
  const overhead = overheadBytes(shape.weightsBytes);
  const needed = shape.weightsBytes + kv.bytes + overhead;
  const base = {
    contextSize,
    weightsBytes: shape.weightsBytes,
    kvCacheBytes: kv.bytes,
    kvExact: kv.exact,
    overheadBytes: overhead,
    neededBytes: needed,
    totalRam: hw.totalRam,
    freeRam: hw.freeRam,
    vramTotal: hw.vram?.total ?? null,
    vramFree: hw.vram?.free ?? null,
    shapeSource: shape.source,
  };
  const figures = `needs ~${formatBytes(needed)} (weights ${formatBytes(shape.weightsBytes)} + KV cache ${formatBytes(kv.bytes)}${kv.exact ? '' : ' est.'} for ${contextSize} tokens + ${formatBytes(overhead)} buffers)`;
  if (hw.vram) {
    if (needed <= hw.vram.free * 0.9) return { ...base, level: 'fits', device: 'gpu', message: `Fits on the GPU: ${figures}; ${formatBytes(hw.vram.free)} of ${formatBytes(hw.vram.total)} GPU memory free.` };
    if (needed <= hw.vram.total * 0.95) return { ...base, level: 'tight', device: 'gpu', message: `Tight on the GPU: ${figures}; only ${formatBytes(hw.vram.free)} of ${formatBytes(hw.vram.total)} GPU memory is free now.` };
  }
  const ram = `${formatBytes(hw.freeRam)} of ${formatBytes(hw.totalRam)} RAM free`;
  // Comfortable: at most 60% of all RAM and within what is free now; tight: up to 85% of all RAM.
  if (needed <= Math.min(hw.freeRam, hw.totalRam * 0.6)) return { ...base, level: 'fits', device: 'cpu', message: `Fits in RAM: ${figures}; ${ram}.` };
  if (needed <= hw.totalRam * 0.85) return { ...base, level: 'tight', device: 'cpu', message: `Tight: ${figures}; ${ram}. Close other programs or use a smaller context.` };
  return { ...base, level: 'wont-fit', device: 'cpu', message: `Won't fit: ${figures}; this machine has ${formatBytes(hw.totalRam)} RAM${hw.vram ? ` and ${formatBytes(hw.vram.total)} GPU memory` : ''}.` };
}
