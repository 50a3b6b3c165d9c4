// Predicting, before a load, whether a model and its context fit in memory, and saying what to
// try when they don't. The estimate comes from node-llama-cpp's GGUF insights (model weights +
// KV cache for the requested context); available memory is free system RAM, or free VRAM for
// the part offloaded to a GPU, capped by an optional budget setting.
import type { FitVerdict, MemoryEstimate } from '../protocol';

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export interface FitInput {
  estimate: MemoryEstimate;
  freeRam: number;
  budget?: number;
  /** Free VRAM when a GPU is used, else null. */
  freeVram: number | null;
  /** The context size that would fit in what is left after the model (for the suggestion). */
  contextBytesPerToken: number;
}

export function judgeFit(i: FitInput): FitVerdict {
  const ram = Math.min(i.freeRam, i.budget ?? Number.POSITIVE_INFINITY);
  // With a GPU, layers that do not fit in VRAM stay on the CPU (node-llama-cpp's gpuLayers
  // 'auto'), so what counts is free VRAM and RAM together.
  const available = ram + (i.freeVram ?? 0);
  const needed = i.estimate.totalBytes;
  if (needed <= available) return { fits: true, availableBytes: available, neededBytes: needed, message: null };
  const suggestions: string[] = [];
  const left = available - i.estimate.modelBytes;
  if (left > 0 && i.contextBytesPerToken > 0) {
    const ctx = Math.floor(left / i.contextBytesPerToken / 256) * 256;
    if (ctx >= 256) suggestions.push(`a context of at most ${ctx} tokens`);
  }
  suggestions.push('a smaller (more quantized) model');
  const where = i.freeVram === null ? '' : ` (${formatBytes(i.freeVram)} free GPU memory + ${formatBytes(ram)} RAM)`;
  return {
    fits: false,
    availableBytes: available,
    neededBytes: needed,
    message: `The model and a ${i.estimate.contextSize}-token context need about ${formatBytes(needed)} of memory, but only ${formatBytes(available)} is available${where}${i.budget !== undefined && i.budget < i.freeRam ? ' (memory budget setting)' : ''}. Try ${suggestions.join(', or ')}.`,
  };
}
