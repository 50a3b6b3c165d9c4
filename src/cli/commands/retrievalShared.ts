// What the embed-index, ask and search commands share: an engine client over the model records
// of the state database (never the vault's, so that reading a vault writes nothing to it), with a
// model file given on the command line added as a local model (the user named it), and its sha256
// as the key of its vectors.
import { EngineClient } from '../../engine/client/engineClient';
import { addLocalModel } from '../../engine/verify/verifyModelFile';
import type { Embedder } from '../../vault/embeddings/embedder';
import type { SharedModelRecords } from '../../app/models/sharedModelRecords';
import { engineEmbedder } from '../../app/engine/engineAdapters';
import { RETRIEVAL_MODES, type RetrievalMode } from '../../vault/retrieval/types';
import { UsageError } from '../args';
import { stateRecords } from './engineCommon';

export function modeOption(value: string | undefined): RetrievalMode | undefined {
  if (value === undefined) return undefined;
  if (!(RETRIEVAL_MODES as readonly string[]).includes(value)) throw new UsageError(`--mode must be one of ${RETRIEVAL_MODES.join(', ')}, got "${value}".`);
  return value as RetrievalMode;
}

export interface CliEngine {
  engine: EngineClient;
  records: SharedModelRecords;
  dispose(): Promise<void>;
}

export function startEngine(): CliEngine {
  const records = stateRecords(undefined);
  const engine = new EngineClient({ records, settings: { idleUnloadMs: 0, memoryEventIntervalMs: 0 } });
  return { engine, records, dispose: () => engine.dispose() };
}

/** Hashes (or reuses the remembered hash of) the file and loads it as an embedding model. */
export async function loadEmbedder(e: CliEngine, file: string, signal?: AbortSignal): Promise<Embedder> {
  const added = await addLocalModel(e.records, file, { role: 'embedding', signal });
  const handle = await e.engine.loadModel(file, { purpose: 'embed' });
  return engineEmbedder(e.engine, handle, added.record.sha256);
}

/** The model key (sha256) of an embedding model file, without loading it. */
export async function embeddingModelKey(e: CliEngine, file: string, signal?: AbortSignal): Promise<string> {
  return (await addLocalModel(e.records, file, { role: 'embedding', signal })).record.sha256;
}
