// `npm run eval`: retrieval quality on a query set (eval/rust-book.json by default): recall@5,
// recall@10 and MRR per mode, over the distinct files of the results (a query is about files).
// The vault is kept in .cache/eval/ so that indexing and embedding happen once (embedding is
// resumable: an interrupted run continues where it stopped).
//
//   npm run eval                                   lexical, plus semantic/hybrid with the tiny model
//   npm run eval -- --embedding-model <file.gguf>  another embedding model
//   npm run eval -- --no-embed                     lexical only
//   npm run eval -- --no-backfill                  use the vectors already stored (coverage is reported)
//   npm run eval -- --json                         one JSON object on stdout
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EngineClient } from '../src/engine/client/engineClient';
import { addLocalModel } from '../src/engine/verify/verifyModelFile';
import { BackfillJob } from '../src/app/embeddings/backfill';
import type { Embedder } from '../src/vault/embeddings/embedder';
import { EmbeddingStore } from '../src/vault/embeddings/embeddingStore';
import { ModelRecords } from '../src/app/models/modelRecords';
import { engineEmbedder } from '../src/app/engine/engineAdapters';
import { Retriever } from '../src/vault/retrieval/retriever';
import type { RetrievalMode } from '../src/vault/retrieval/types';
import { Vault } from '../src/vault/vault';
import { VectorIndexCache } from '../src/vault/vectors/vectorIndex';

interface Query {
  kind: string;
  query: string;
  relevant: string[];
}

interface QuerySet {
  corpus: string;
  queries: Query[];
}

interface Metrics {
  recallAt5: number;
  recallAt10: number;
  mrr: number;
  n: number;
}

const repo = resolve(__dirname, '..');

function metrics(rankings: { ranked: string[]; relevant: string[] }[]): Metrics {
  let r5 = 0;
  let r10 = 0;
  let mrr = 0;
  for (const { ranked, relevant } of rankings) {
    const rel = new Set(relevant);
    r5 += ranked.slice(0, 5).filter((p) => rel.has(p)).length / rel.size;
    r10 += ranked.slice(0, 10).filter((p) => rel.has(p)).length / rel.size;
    const first = ranked.findIndex((p) => rel.has(p));
    mrr += first === -1 ? 0 : 1 / (first + 1);
  }
  const n = rankings.length;
  return { recallAt5: r5 / n, recallAt10: r10 / n, mrr: mrr / n, n };
}

function fmt(m: Metrics): string {
  return `${m.recallAt5.toFixed(3).padStart(9)} ${m.recallAt10.toFixed(3).padStart(10)} ${m.mrr.toFixed(3).padStart(7)} ${String(m.n).padStart(4)}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      queries: { type: 'string', default: join(repo, 'eval', 'rust-book.json') },
      db: { type: 'string' },
      'embedding-model': { type: 'string' },
      'no-embed': { type: 'boolean' },
      'no-backfill': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const setFile = resolve(values.queries!);
  const set = JSON.parse(readFileSync(setFile, 'utf8')) as QuerySet;
  if (!Array.isArray(set.queries) || set.queries.length === 0) throw new Error(`${setFile} has no queries.`);
  const corpus = resolve(repo, set.corpus);
  if (!existsSync(corpus)) throw new Error(`The corpus ${corpus} does not exist.`);
  const dbFile = resolve(values.db ?? join(repo, '.cache', 'eval', `${setFile.replace(/^.*\//, '').replace(/\.json$/, '')}.db`));
  mkdirSync(dirname(dbFile), { recursive: true });
  const log = (s: string): void => void process.stderr.write(s + '\n');

  const vault = Vault.open(dbFile);
  let engine: EngineClient | undefined;
  try {
    const summary = await vault.indexRoots([corpus]);
    log(`Indexed ${corpus}: ${summary.totalFiles} files, ${summary.totalChunks} chunks (${summary.indexed} (re)indexed) in ${summary.seconds.toFixed(1)} s.`);
    const store = new EmbeddingStore(vault.db);
    let embedder: Embedder | undefined;
    const modelFile = values['no-embed'] ? undefined : (values['embedding-model'] ?? join(repo, '..', 'shared', 'models', 'stories260K.gguf'));
    if (modelFile && existsSync(modelFile)) {
      const records = new ModelRecords(vault.db);
      const added = await addLocalModel(records, modelFile, { role: 'embedding' });
      engine = new EngineClient({ records, settings: { idleUnloadMs: 0, memoryEventIntervalMs: 0 } });
      const handle = await engine.loadModel(modelFile, { purpose: 'embed' });
      embedder = engineEmbedder(engine, handle, added.record.sha256);
      const started = Date.now();
      const r = values['no-backfill'] ? { done: 0 } : await new BackfillJob(store, embedder, {
        batchSize: 16,
        onProgress: (p) => process.stderr.write(`\rembedding ${p.done}/${p.total}`),
      }).run();
      if (!values['no-backfill']) process.stderr.write('\n');
      if (r.done > 0) log(`Embedded ${r.done} chunk texts in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    }
    const retriever = new Retriever(vault.db, vault, new VectorIndexCache(vault.db), store);
    const modes: RetrievalMode[] = embedder ? ['lexical', 'semantic', 'hybrid'] : ['lexical'];
    const results: Record<string, { all: Metrics; byKind: Record<string, Metrics> }> = {};
    for (const mode of modes) {
      const rankings: { kind: string; ranked: string[]; relevant: string[] }[] = [];
      for (const q of set.queries) {
        const r = await retriever.retrieve(q.query, { mode, embedder, limit: 30, perFileCap: 1 });
        const ranked: string[] = [];
        for (const it of r.items) if (!ranked.includes(it.path)) ranked.push(it.path);
        rankings.push({ kind: q.kind, ranked, relevant: q.relevant });
      }
      const kinds = [...new Set(rankings.map((r) => r.kind))].sort();
      results[mode] = { all: metrics(rankings), byKind: Object.fromEntries(kinds.map((k) => [k, metrics(rankings.filter((r) => r.kind === k))])) };
    }
    const coverage = embedder ? store.coverage(embedder.modelKey) : null;
    if (values.json) {
      process.stdout.write(JSON.stringify({ queries: setFile, corpus, embeddingModel: embedder?.modelKey ?? null, coverage, results }) + '\n');
      return;
    }
    const lines = [
      `Query set: ${setFile} (${set.queries.length} queries); corpus: ${corpus}`,
      embedder ? `Embedding model: ${modelFile} (${embedder.dimension} dims); coverage ${coverage!.embedded}/${coverage!.total} chunks${coverage!.ratio < 1 ? ' (PARTIAL: chunks without a vector are found by words only)' : ''}` : 'No embedding model: lexical only.',
      '',
      `${'mode'.padEnd(10)} ${'kind'.padEnd(11)} ${'recall@5'.padStart(9)} ${'recall@10'.padStart(10)} ${'MRR'.padStart(7)} ${'n'.padStart(4)}`,
    ];
    for (const [mode, r] of Object.entries(results)) {
      lines.push(`${mode.padEnd(10)} ${'all'.padEnd(11)} ${fmt(r.all)}`);
      for (const [k, m] of Object.entries(r.byKind)) lines.push(`${''.padEnd(10)} ${k.padEnd(11)} ${fmt(m)}`);
    }
    if (embedder && modelFile?.endsWith('stories260K.gguf')) {
      lines.push('', 'Note: stories260K is a 260K-parameter story model, not an embedding model; its vectors carry', 'almost no meaning, so semantic/hybrid figures here measure the plumbing, not a real model.');
    }
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await engine?.dispose();
    vault.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`eval: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
