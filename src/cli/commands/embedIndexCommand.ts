// `codex-vault embed-index --db <file> --embedding-model <file>`: embeds every chunk that has no
// vector for that model yet (resumable: run it again after an interruption), with progress on
// stderr and a summary on stdout.
import { intOption, parse, required } from '../args';
import type { CliCommand, CliIo } from '../command';
import { BackfillJob, type BackfillProgress } from '../../app/embeddings/backfill';
import { EmbeddingStore } from '../../vault/embeddings/embeddingStore';
import { loadEmbedder, startEngine } from './retrievalShared';
import { openVaultForWriting } from './openVault';

const options = {
  db: { type: 'string' },
  'embedding-model': { type: 'string' },
  'batch-size': { type: 'string' },
  json: { type: 'boolean' },
} as const;

function progressPrinter(io: CliIo): (p: BackfillProgress) => void {
  let last = 0;
  const started = Date.now();
  return (p) => {
    const now = Date.now();
    const final = p.state !== 'running' && p.state !== 'paused';
    if (!final && now - last < 200) return;
    last = now;
    const rate = p.done / Math.max(0.001, (now - started) / 1000);
    const text = `embedding: ${p.done}/${p.total} chunks${p.failed ? `, ${p.failed} failed` : ''} (${rate.toFixed(1)}/s)`;
    io.err.write(io.isTTY ? `\r\x1b[K${text}${final ? '\n' : ''}` : `${text}\n`);
  };
}

export const embedIndexCommand: CliCommand = {
  name: ['embed-index'],
  summary: 'Embed the chunks of a vault that have no vector yet for an embedding model.',
  help: `Usage: codex-vault embed-index --db <file> --embedding-model <file.gguf> [options]

Embeds every chunk of the vault that has no vector for this model yet, in batches. Safe to
interrupt (Ctrl+C) and run again: it continues with what is still missing. Vectors of another
model are kept apart (a model is identified by its file's SHA-256). Vectors whose text no
longer exists in any note are removed at the end.

Options:
  --db <file>                The vault database file (required; index it first).
  --embedding-model <file>   A GGUF model file to embed with (required).
  --batch-size <n>           Texts per batch (default 16).
  --json                     Print the summary as JSON.`,

  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parse(argv, options);
    const db = required(values.db, 'db');
    const modelFile = required(values['embedding-model'], 'embedding-model');
    const batchSize = intOption(values['batch-size'], 'batch-size', 16, 1, 1024);
    const vault = openVaultForWriting(db, io, { create: false });
    const e = startEngine();
    try {
      const embedder = await loadEmbedder(e, modelFile, io.signal);
      const store = new EmbeddingStore(vault.db);
      const started = Date.now();
      const job = new BackfillJob(store, embedder, { batchSize, signal: io.signal, onProgress: progressPrinter(io) });
      const r = await job.run();
      const removed = r.state === 'done' ? store.collectGarbage() : 0;
      const coverage = store.coverage(embedder.modelKey);
      const seconds = (Date.now() - started) / 1000;
      const summary = { state: r.state, embedded: r.done, failed: r.failed, removedOrphans: removed, model: embedder.modelKey, dimension: embedder.dimension, coverage, seconds, chunksPerSecond: r.done / Math.max(seconds, 0.001) };
      for (const f of r.failures.slice(0, 10)) io.err.write(`failed: chunk ${f.chunkHash.slice(0, 12)}: ${f.error}\n`);
      if (values.json) io.out.write(JSON.stringify(summary) + '\n');
      else {
        io.out.write(
          `${r.state === 'cancelled' ? 'Stopped' : 'Done'}: embedded ${r.done} chunk texts in ${seconds.toFixed(1)} s (${summary.chunksPerSecond.toFixed(1)}/s)` +
            `${r.failed ? `, ${r.failed} failed` : ''}${removed ? `, removed ${removed} orphaned vectors` : ''}. ` +
            `Coverage: ${coverage.embedded}/${coverage.total} chunks (${(coverage.ratio * 100).toFixed(1)}%).\n`,
        );
      }
      return r.state === 'done' && r.failed === 0 ? 0 : 1;
    } finally {
      await e.dispose();
      vault.close();
    }
  },
};
