// The one protocol between the host (EngineClient) and the engine child process (engineMain).
// Both ends import these types; every message is a discriminated union member, requests carry
// an id and every response, stream chunk and cancel refers back to it. Messages travel over the
// child_process IPC channel (JSON serialization), so they hold plain data only.

export type GpuSetting = 'auto' | 'cpu';

/** Settings the engine receives once, in its first message. */
export interface EngineSettings {
  /** Threads for evaluation; undefined = the engine's default (see src/engine/threads.ts). */
  threads?: number;
  gpu: GpuSetting;
  /** A model with no request for this long is unloaded (0 = never). */
  idleUnloadMs: number;
  /** When free system memory falls under this, idle models are unloaded first (0 = off). */
  lowMemoryWatermarkBytes: number;
  /** How often the engine reports memory while a model is loaded (0 = only on request). */
  memoryEventIntervalMs: number;
  /** Cap on memory a model + context may be predicted to need (undefined = free system memory). */
  memoryBudgetBytes?: number;
  /** How often streamed text is flushed over IPC, in ms (16 = one screen frame). The first chunk is sent at once. */
  streamFlushMs: number;
}

/** The settings a running engine can change. */
export type RuntimeSettings = Partial<Pick<EngineSettings, 'idleUnloadMs' | 'lowMemoryWatermarkBytes' | 'memoryEventIntervalMs' | 'memoryBudgetBytes' | 'streamFlushMs'>>;

export interface SamplingOptions {
  temperature?: number;
  topK?: number;
  topP?: number;
  minP?: number;
  /** Repeat penalty (1 = off). */
  repeatPenalty?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  /** How many of the last tokens the penalties look at. */
  penaltyLastTokens?: number;
  seed?: number;
  maxTokens?: number;
  /** Generation stops before any of these strings; the string itself is not returned. */
  stop?: string[];
}

/**
 * A generate request's `grammar`: GBNF text (llama.cpp's grammar format, root rule "root") that
 * every generated token must fit; the model's end of generation is allowed only where the grammar
 * may end. An invalid grammar fails the request with 'bad-request'.
 */
export type Gbnf = string;

export interface LoadOptions {
  /** Context size in tokens (default: min(trained context, 4096)). */
  contextSize?: number;
  /** Parallel sequences in the context: requests beyond this wait their turn. */
  sequences?: number;
  /** Threads for this model's contexts (overrides the engine default). */
  threads?: number;
  /** 'embedding' creates an embedding context instead of a generation context. */
  purpose?: 'generate' | 'embed';
}

export type ChatRole = 'system' | 'user' | 'assistant';
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export type StopReason = 'eos' | 'maxTokens' | 'stop' | 'cancelled';

export interface Truncation {
  /** Whole history messages dropped (oldest first). */
  droppedMessages: number;
  /** Prompt tokens removed in all (dropped messages and cut text). */
  droppedTokens: number;
  message: string;
}

export interface GenerateResult {
  text: string;
  /** Tokens generated. */
  tokens: number;
  promptTokens: number;
  tokensPerSecond: number;
  timeToFirstTokenMs: number | null;
  durationMs: number;
  stopReason: StopReason;
  /** Set when the prompt was cut to fit the context. */
  truncated: Truncation | null;
}

export interface EmbedResult {
  dimension: number;
  /** L2-normalized vectors, one per input text. */
  vectors: number[][];
  /** Per text: true when it was cut to the model's context. */
  truncated: boolean[];
  /** Per text: tokens actually embedded. */
  tokens: number[];
}

/** What the GGUF header says, read with bounded memory before anything is loaded. */
export interface GgufSummary {
  version: number;
  fileSize: number;
  tensorCount: number;
  metadataKeyCount: number;
  architecture: string | null;
  name: string | null;
  parameterCount: number;
  fileType: string | null;
  dominantTensorType: string | null;
  contextLength: number | null;
  embeddingLength: number | null;
  layers: number | null;
  heads: number | null;
  headsKv: number | null;
  vocabularySize: number | null;
  tokenizerModel: string | null;
  hasChatTemplate: boolean;
  /** Where tensor data begins; the file must be at least `requiredFileSize` bytes. */
  requiredFileSize: number;
}

export interface MemoryEstimate {
  contextSize: number;
  modelBytes: number;
  contextBytes: number;
  totalBytes: number;
  gpuVramBytes: number;
}

export interface FitVerdict {
  fits: boolean;
  availableBytes: number;
  neededBytes: number;
  /** Why not, and what to try instead. */
  message: string | null;
}

export interface ModelInspection {
  file: string;
  gguf: GgufSummary;
  /** node-llama-cpp's insights (its own reader). */
  insights: {
    totalParameters: number;
    modelSize: number;
    trainContextSize: number | null;
    embeddingVectorSize: number | null;
    totalLayers: number;
    supportedByLlamaCpp: boolean;
    warnings: string[];
  };
  estimate: MemoryEstimate;
  fit: FitVerdict;
}

export interface LoadedModel {
  modelId: string;
  file: string;
  purpose: 'generate' | 'embed';
  contextSize: number;
  sequences: number;
  trainContextSize: number;
  embeddingDimension: number;
  vocabularySize: number;
  chatWrapper: string | null;
  gpu: string | false;
  gpuLayers: number;
  threads: number;
  fileSize: number;
  estimate: MemoryEstimate;
}

export interface ModelMemory {
  modelId: string;
  file: string;
  fileSize: number;
  contextSize: number;
  /** KV-cache (context) estimate from the GGUF insights for this context size. */
  kvCacheBytes: number;
  /** What llama.cpp reports the model and context use. */
  modelRamBytes: number;
  contextRamBytes: number;
  vramBytes: number;
  busy: boolean;
  idleMs: number;
  /** Threads its context runs with. */
  threads: number;
  /** The sampling of the last generation on this model, as the engine applied it (null before one). */
  lastSampling: SamplingOptions | null;
}

export interface MemorySnapshot {
  at: number;
  /** The engine process: memory, and CPU time used since it started (all its threads). */
  process: { pid: number; rss: number; heapUsed: number; heapTotal: number; external: number; cpuUserMs: number; cpuSystemMs: number };
  system: { total: number; free: number };
  /** null on CPU. */
  vram: { total: number; used: number; free: number } | null;
  /** The settings the engine runs with (threads resolved to the count in use). */
  engine: { settings: EngineSettings & { threads: number }; gpu: string | false };
  models: ModelMemory[];
}

export interface EngineInfo {
  pid: number;
  gpu: string | false;
  threads: number;
  availableParallelism: number;
  llamaCppRelease: string;
}

/** Each operation: its parameters and its result. */
export interface EngineOps {
  init: { params: EngineSettings; result: EngineInfo };
  /** Changes the settings that need no restart (threads and gpu do: EngineClient restarts the engine). */
  configure: { params: RuntimeSettings; result: { ok: true } };
  inspect: { params: { file: string; contextSize?: number }; result: ModelInspection };
  load: { params: { file: string; options: LoadOptions }; result: LoadedModel };
  unload: { params: { modelId: string }; result: { unloaded: boolean } };
  complete: { params: { modelId: string; prompt: string; sampling: SamplingOptions; grammar?: Gbnf }; result: GenerateResult };
  chat: { params: { modelId: string; messages: ChatMessage[]; sampling: SamplingOptions; grammar?: Gbnf }; result: GenerateResult };
  embed: { params: { modelId: string; texts: string[] }; result: EmbedResult };
  tokenize: { params: { modelId: string; text: string }; result: { tokens: number[] } };
  countTokens: { params: { modelId: string; texts: string[] }; result: { counts: number[] } };
  memory: { params: Record<string, never>; result: MemorySnapshot };
  shutdown: { params: Record<string, never>; result: { ok: true } };
}
export type EngineOp = keyof EngineOps;

export type EngineRequest = { [K in EngineOp]: { kind: 'request'; id: number; op: K; params: EngineOps[K]['params'] } }[EngineOp];
export interface CancelMessage {
  kind: 'cancel';
  id: number;
}
export type HostToEngine = EngineRequest | CancelMessage;

export type EngineErrorCode =
  | 'not-found'
  | 'not-gguf'
  | 'truncated'
  | 'malformed'
  | 'unsupported-version'
  /** llama.cpp refused a file the header check let through; the message carries its reason. */
  | 'load-failed'
  | 'unverified'
  | 'insufficient-memory'
  | 'unknown-model'
  | 'wrong-purpose'
  | 'bad-request'
  | 'engine-exited'
  | 'crash-loop'
  | 'disposed'
  | 'timeout'
  | 'internal';

export interface WireError {
  code: EngineErrorCode;
  message: string;
}

export type EngineResponse =
  | { [K in EngineOp]: { kind: 'response'; id: number; op: K; ok: true; result: EngineOps[K]['result'] } }[EngineOp]
  | { kind: 'response'; id: number; op: EngineOp; ok: false; error: WireError };

/** Streamed text of a generate request, batched: `text` is new text, `tokens` the new token count. */
export interface StreamMessage {
  kind: 'stream';
  id: number;
  text: string;
  tokens: number;
}

export type EngineEvent =
  | { type: 'memory'; snapshot: MemorySnapshot }
  | { type: 'unloaded'; modelId: string; file: string; reason: 'idle' | 'low-memory'; message: string }
  /** `source` 'native': a line from llama.cpp (or the engine process's own output), for logs and --verbose only. */
  | { type: 'log'; level: 'error' | 'warn' | 'info' | 'debug'; message: string; source?: 'native' };

export interface EventMessage {
  kind: 'event';
  event: EngineEvent;
}

export type EngineToHost = EngineResponse | StreamMessage | EventMessage;

export function isEngineToHost(m: unknown): m is EngineToHost {
  if (typeof m !== 'object' || m === null) return false;
  const k = (m as { kind?: unknown }).kind;
  return k === 'response' || k === 'stream' || k === 'event';
}

export function isHostToEngine(m: unknown): m is HostToEngine {
  if (typeof m !== 'object' || m === null) return false;
  const k = (m as { kind?: unknown }).kind;
  return (k === 'request' || k === 'cancel') && typeof (m as { id?: unknown }).id === 'number';
}
