// The search command's retrieval options: --mode lexical|semantic|hybrid, --embedding-model
// and --explain. JSON output keeps the plain search's fields ({path, startLine, endLine, heading,
// score, snippet}) and adds the ranks: lexicalRank, lexicalScore, vectorRank, similarity, fused.
import type { CliIo } from '../command';
import type { Embedder } from '../../vault/embeddings/embedder';
import { EmbeddingStore } from '../../vault/embeddings/embeddingStore';
import { engineEmbedder } from '../../app/engine/engineAdapters';
import { clipText } from '../../vault/search/clip';
import { Retriever } from '../../vault/retrieval/retriever';
import type { RetrievalResult, RetrievedChunk } from '../../vault/retrieval/types';
import type { Vault } from '../../vault/vault';
import { VectorIndexCache } from '../../vault/vectors/vectorIndex';
import { UsageError } from '../args';
import { addModelFromFlag, openEngineSession, type EngineSession } from './engineCommon';
import { modeOption } from './retrievalShared';

export const retrievalOptionSpec = {
  mode: { type: 'string' },
  'embedding-model': { type: 'string' },
  explain: { type: 'boolean' },
} as const;

export const retrievalOptionHelp = `  --mode <m>             lexical | semantic | hybrid (default: hybrid when --embedding-model
                         has vectors in the vault, else lexical). Hybrid fuses the full-text and
                         vector rankings (reciprocal rank fusion) and shows at most 2 chunks per file.
  --embedding-model <f>  The GGUF embedding model the vault was embedded with (codex-vault embed-index).
  --explain              Show each result's lexical rank/score, vector rank/similarity and fused score.`;

export interface RetrievalFlags {
  mode?: string;
  'embedding-model'?: string;
  explain?: boolean;
}

export function wantsRetrieval(v: RetrievalFlags): boolean {
  return v.mode !== undefined || v['embedding-model'] !== undefined || v.explain === true;
}

/** The --json shape other tools rely on: these keys, in this order. */
export interface SearchJsonHit {
  path: string;
  startLine: number;
  endLine: number;
  heading: string;
  score: number;
  snippet: string;
}

/** --json with --mode/--explain: the same keys first, then each ranking's figures. */
export interface SearchJsonRanked extends SearchJsonHit {
  lexicalRank: number | null;
  lexicalScore: number | null;
  vectorRank: number | null;
  similarity: number | null;
  fused: number;
}

const round = (x: number, d = 10000): number => Math.round(x * d) / d;

function toJson(it: RetrievedChunk): SearchJsonRanked {
  const e = it.explain;
  return {
    path: it.path,
    startLine: it.startLine,
    endLine: it.endLine,
    heading: it.heading,
    score: round(it.score, 1e6),
    snippet: it.snippet,
    lexicalRank: e.lexical?.rank ?? null,
    lexicalScore: e.lexical ? round(e.lexical.score) : null,
    vectorRank: e.vector?.rank ?? null,
    similarity: e.vector ? round(e.vector.similarity) : null,
    fused: round(e.fused, 1e6),
  };
}

function explainLine(it: RetrievedChunk): string {
  const e = it.explain;
  const parts = [
    e.lexical ? `lexical #${e.lexical.rank} (bm25 ${e.lexical.score.toFixed(2)})` : 'lexical -',
    e.vector ? `vector #${e.vector.rank} (cos ${e.vector.similarity.toFixed(3)})` : 'vector -',
    `rrf ${e.rrf.toFixed(5)}`,
  ];
  const b = e.boosts;
  if (b.title || b.tag || b.link) parts.push(`boosts title ${b.title.toFixed(5)} tag ${b.tag.toFixed(5)} link ${b.link.toFixed(5)}`);
  parts.push(`fused ${e.fused.toFixed(5)}`);
  if (e.demoted) parts.push('(after other files: per-file cap)');
  return `    ${parts.join(' · ')}`;
}

export async function searchWithRetrieval(vault: Vault, query: string, opts: { limit: number; pathPrefix?: string; tag?: string; json: boolean }, flags: RetrievalFlags, io: CliIo): Promise<number> {
  const mode = modeOption(flags.mode);
  if (mode && mode !== 'lexical' && !flags['embedding-model']) throw new UsageError(`--mode ${mode} needs --embedding-model.`);
  let session: EngineSession | undefined;
  try {
    let embedder: Embedder | undefined;
    if (flags['embedding-model']) {
      // The vault is open read-only; the model's hash record lives in the CLI's state database.
      session = openEngineSession({}, io);
      const file = await addModelFromFlag(session, flags['embedding-model'], io.signal);
      const sha256 = session.records.get(file)?.sha256;
      if (!sha256) throw new Error(`Could not record the SHA-256 of ${file}.`);
      const handle = await session.engine.loadModel(file, { purpose: 'embed' });
      embedder = engineEmbedder(session.engine, handle, sha256);
    }
    const store = new EmbeddingStore(vault.db);
    const retriever = new Retriever(vault.db, vault, new VectorIndexCache(vault.db), store);
    const r: RetrievalResult = await retriever.retrieve(query, { mode, embedder, limit: opts.limit, pathPrefix: opts.pathPrefix, tag: opts.tag, signal: io.signal });
    if (r.fallbackReason) io.err.write(`${r.fallbackReason}\n`);
    if (r.partial && r.coverage) io.err.write(`Semantic coverage is partial: ${r.coverage.embedded}/${r.coverage.total} chunks have vectors (run codex-vault embed-index).\n`);
    if (opts.json) {
      io.out.write(JSON.stringify(r.items.map(toJson)) + '\n');
      return 0;
    }
    if (r.items.length === 0) {
      io.err.write('No matches.\n');
      return 0;
    }
    const lines: string[] = [`(${r.mode}${r.coverage ? `, ${r.coverage.embedded}/${r.coverage.total} chunks embedded` : ''})`];
    for (const it of r.items) {
      lines.push(`${it.path}:${it.startLine}-${it.endLine}${it.heading ? `  ${it.heading}` : ''}  (${it.score.toFixed(4)})`);
      lines.push(`    ${clipText(it.snippet.replace(/\s+/g, ' '), 200, '')}`);
      if (flags.explain) lines.push(explainLine(it));
    }
    io.out.write(lines.join('\n') + '\n');
    return 0;
  } finally {
    await session?.close();
  }
}
