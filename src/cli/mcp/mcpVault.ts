// What the MCP server's tools stand on: the vault opened read-only (it never writes, and works while
// the editor or `codex-vault index` writes the same file), one Retriever over it (the ranking the
// `search` command uses), and the models named on the command line, loaded on first use only: a
// client that only searches by words never starts the engine.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIo } from '../command';
import { UsageError } from '../args';
import { addModelFromFlag, openEngineSession, type EngineSession } from '../commands/engineCommon';
import { BookmarkStore } from '../../vault/bookmarks/bookmarkStore';
import type { BookmarkNode } from '../../vault/bookmarks/types';
import type { Embedder } from '../../vault/embeddings/embedder';
import { EmbeddingStore } from '../../vault/embeddings/embeddingStore';
import type { AnswerModel } from '../../app/ask/answerModel';
import { engineAnswerModel, engineEmbedder } from '../../app/engine/engineAdapters';
import { Retriever } from '../../vault/retrieval/retriever';
import { retryWhileLocked } from '../../vault/store/busy';
import { Vault } from '../../vault/vault';
import { VectorIndexCache } from '../../vault/vectors/vectorIndex';

export interface McpVaultOptions {
  db: string;
  /** Chat model for the ask tool (absent: no ask tool). */
  chatModel?: string;
  /** Embedding model for semantic and hybrid search. */
  embeddingModel?: string;
  contextSize?: number;
  maxAnswerTokens: number;
  threads?: string;
  gpu?: string;
}

function checkModelFile(file: string | undefined, flag: string): string | undefined {
  if (file === undefined) return undefined;
  const abs = resolve(file);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new UsageError(`--${flag} ${file}: no such file.`);
  return abs;
}

export class McpVault {
  readonly vault: Vault;
  readonly retriever: Retriever;
  readonly chatModelFile: string | undefined;
  readonly embeddingModelFile: string | undefined;
  private session: EngineSession | undefined;
  private embedderLoad: Promise<Embedder> | undefined;
  private chatLoad: Promise<AnswerModel> | undefined;
  private closed = false;

  constructor(readonly opts: McpVaultOptions, private readonly io: CliIo) {
    this.chatModelFile = checkModelFile(opts.chatModel, 'model');
    this.embeddingModelFile = checkModelFile(opts.embeddingModel, 'embedding-model');
    this.vault = Vault.open(opts.db, { readOnly: true });
    this.retriever = new Retriever(this.vault.db, this.vault, new VectorIndexCache(this.vault.db), new EmbeddingStore(this.vault.db));
  }

  /** The engine, started on the first model a tool needs. Model hash records live in the CLI's state database. */
  private engine(): EngineSession {
    this.session ??= openEngineSession({ threads: this.opts.threads, gpu: this.opts.gpu }, this.io);
    return this.session;
  }

  /** The embedding model (undefined when none was named); loaded once, shared by concurrent calls. */
  embedder(signal?: AbortSignal): Promise<Embedder> | undefined {
    const file = this.embeddingModelFile;
    if (!file) return undefined;
    this.embedderLoad ??= (async () => {
      const s = this.engine();
      await addModelFromFlag(s, file, signal ?? new AbortController().signal);
      const sha256 = s.records.get(file)?.sha256;
      if (!sha256) throw new Error(`Could not record the SHA-256 of ${file}.`);
      const handle = await s.engine.loadModel(file, { purpose: 'embed' });
      return engineEmbedder(s.engine, handle, sha256);
    })();
    // A failed load (a cancelled hash, a broken file) is tried again by the next call.
    this.embedderLoad.catch(() => { this.embedderLoad = undefined; });
    return this.embedderLoad;
  }

  /** The chat model of the ask tool; loaded once, on the first question the vault can answer. */
  chatModel(signal?: AbortSignal): Promise<AnswerModel> {
    const file = this.chatModelFile;
    if (!file) return Promise.reject(new Error('No chat model was configured: start the server with --model <file.gguf> to answer questions.'));
    this.chatLoad ??= (async () => {
      const s = this.engine();
      await addModelFromFlag(s, file, signal ?? new AbortController().signal);
      const handle = await s.engine.loadModel(file, this.opts.contextSize ? { contextSize: this.opts.contextSize } : {});
      return engineAnswerModel(s.engine, handle);
    })();
    this.chatLoad.catch(() => { this.chatLoad = undefined; });
    return this.chatLoad;
  }

  /** Every bookmark, as the tree the Bookmarks view shows (read only: lines as last resolved). */
  bookmarks(): BookmarkNode[] {
    const store = new BookmarkStore(this.vault.db);
    return retryWhileLocked(() => store.tree());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.session?.close();
    } finally {
      this.vault.close();
    }
  }
}
