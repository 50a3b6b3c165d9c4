// Inspecting a model file before loading it: our bounded header check first (so node-llama-cpp's
// reader never sees a file that could make it allocate absurdly), then node-llama-cpp's reader
// and GGUF insights for parameter counts and the memory estimate of a given context size.
import { freemem } from 'node:os';
import type { GgufInsights, Llama } from 'node-llama-cpp';
import { readGgufHeader } from '../gguf/ggufHeader';
import { judgeFit } from '../memory/fit';
import type { MemoryEstimate, ModelInspection } from '../protocol';
import { loadNodeLlamaCpp } from './nodeLlamaCpp';

export interface InspectedFile {
  inspection: ModelInspection;
  insights: GgufInsights;
}

export function defaultContextSize(trainContextSize: number | null | undefined): number {
  return Math.min(trainContextSize ?? 4096, 4096);
}

export async function estimateMemory(insights: GgufInsights, contextSize: number, gpuLayers: number, sequences = 1, embedding = false): Promise<MemoryEstimate> {
  const model = await insights.estimateModelResourceRequirementsV2({ gpuLayers });
  const ctx = await insights.estimateContextResourceRequirementsV2({ contextSize, modelGpuLayers: gpuLayers, sequences, isEmbeddingContext: embedding });
  const modelBytes = model.cpuRam + model.gpuVram;
  const contextBytes = ctx.cpuRam + ctx.gpuVram;
  return { contextSize, modelBytes, contextBytes, totalBytes: modelBytes + contextBytes, gpuVramBytes: model.gpuVram + ctx.gpuVram };
}

export async function inspectFile(llama: Llama, file: string, opts: { contextSize?: number; budget?: number; gpu: boolean }): Promise<InspectedFile> {
  const header = readGgufHeader(file);
  const nlc = await loadNodeLlamaCpp();
  const info = await nlc.readGgufFileInfo(file, { logWarnings: false, sourceType: 'filesystem' });
  const insights = await nlc.GgufInsights.from(info, llama);
  const contextSize = opts.contextSize ?? defaultContextSize(insights.trainContextSize);
  // With a GPU, estimate as if every layer were offloaded (what gpuLayers 'auto' tries first).
  const estimate = await estimateMemory(insights, contextSize, opts.gpu ? insights.totalLayers : 0);
  const perToken = contextSize > 0 ? estimate.contextBytes / contextSize : 0;
  const vram = llama.gpu === false ? null : (await llama.getVramState()).free;
  const fit = judgeFit({ estimate, freeRam: freemem(), budget: opts.budget, freeVram: vram, contextBytesPerToken: perToken });
  return {
    insights,
    inspection: {
      file,
      gguf: header.summary,
      insights: {
        totalParameters: insights.totalParameters,
        modelSize: insights.modelSize,
        trainContextSize: insights.trainContextSize ?? null,
        embeddingVectorSize: insights.embeddingVectorSize ?? null,
        totalLayers: insights.totalLayers,
        supportedByLlamaCpp: insights.isSupportedByLlamaCpp,
        warnings: insights.getWarnings(file),
      },
      estimate,
      fit,
    },
  };
}
