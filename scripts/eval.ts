// `npm run eval`: retrieval quality on the query sets in eval/ (every eval/*.json by default):
// recall@5, recall@10 and MRR per set and per kind of query, over the distinct files of the
// results (a query is about notes, not chunks), for
//   - search: Vault.searchLexical, what Search Vault and `codex-vault search` show;
//   - answer: the retriever in lexical mode, what the chat, `ask` and `search --mode lexical` use;
//   - semantic and hybrid too when an embedding model is given.
// A set's corpus is a folder, or an archive (.tar.gz) unpacked once into .cache/eval/corpora/,
// with `subdir` naming the folder inside it that is indexed; relevant paths are relative to the
// indexed folder. Each set's vault is kept in .cache/eval/ so that indexing (and embedding, which
// is resumable) happens once.
//
//   npm run eval                                        every set, search and answer paths
//   npm run eval -- eval/tldr-zh.json                   one set (or several)
//   npm run eval -- --embedding-model <file.gguf>       semantic and hybrid as well
//   npm run eval -- --no-backfill                       use the vectors already stored (coverage is reported)
//   npm run eval -- --misses                            list, per path, the queries whose note is not in the top 10
//   npm run eval -- --json                              one JSON object on stdout
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
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
import { mallardToMarkdown } from './evalMallard';
import { VectorIndexCache } from '../src/vault/vectors/vectorIndex';

interface Query {
  kind: string;
  query: string;
  relevant: string[];
}

interface QuerySet {
  corpus: string;
  /** For an archive: the folder inside it to index. For a folder: a folder below it (optional). */
  subdir?: string;
  /**
   * Index only the README of each package folder in the corpus (and in its @scope folders),
   * copied once into .cache/eval/corpora/<set>/ as <package>/README.md: a folder of library docs,
   * sections of prose and code as help-center pages are, that the repository already installs.
   */
  readmes?: boolean;
  /**
   * The corpus is a folder of Mallard pages (GNOME's help, *.page), converted once into Markdown
   * in .cache/eval/corpora/<set>/ as <page>.md (evalMallard.ts).
   */
  mallard?: boolean;
  /**
   * How to install a corpus that comes from a system package (the command, for the message): a set
   * whose corpus is missing is skipped with this hint when a run takes every set, not given by name.
   */
  install?: string;
  queries: Query[];
}

interface Metrics {
  recallAt5: number;
  recallAt10: number;
  mrr: number;
  n: number;
}

/** search: the plain full-text search; answer: the retriever (lexical), as the chat uses it. */
type EvalPath = 'search' | 'answer' | Exclude<RetrievalMode, 'lexical'>;

interface Ranked {
  kind: string;
  query: string;
  ranked: string[];
  relevant: string[];
}

interface SetResult {
  set: string;
  corpus: string;
  files: number;
  chunks: number;
  queries: number;
  paths: Partial<Record<EvalPath, { all: Metrics; byKind: Record<string, Metrics>; misses: { kind: string; query: string; relevant: string[]; top: string[] }[] }>>;
}

const repo = resolve(__dirname, '..');
const cacheDir = join(repo, '.cache', 'eval');
/** Chunks read from plain search before ranking its distinct files (Search Vault shows 50). */
const SEARCH_DEPTH = 50;
/** Results asked of the retriever (one chunk per file, so up to 30 files). */
const ANSWER_DEPTH = 30;

function metrics(rankings: readonly Ranked[]): Metrics {
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
  return n === 0 ? { recallAt5: 0, recallAt10: 0, mrr: 0, n } : { recallAt5: r5 / n, recallAt10: r10 / n, mrr: mrr / n, n };
}

function fmt(m: Metrics): string {
  return `${m.recallAt5.toFixed(3).padStart(9)} ${m.recallAt10.toFixed(3).padStart(10)} ${m.mrr.toFixed(3).padStart(7)} ${String(m.n).padStart(4)}`;
}

function distinctFiles(paths: Iterable<string>): string[] {
  const out: string[] = [];
  for (const p of paths) if (!out.includes(p)) out.push(p);
  return out;
}

const ARCHIVE = /\.(tar\.gz|tgz|tar)$/;

/**
 * The folder a set indexes. An archive is unpacked once into .cache/eval/corpora/<name>/ (a
 * marker records the archive's size and mtime, so a changed archive is unpacked again).
 */
function corpusRoot(set: QuerySet, setFile: string): string {
  if (typeof set.corpus !== 'string' || !set.corpus) throw new Error(`${setFile} names no corpus.`);
  const source = resolve(repo, set.corpus);
  if (!existsSync(source)) throw new Error(`The corpus ${source} (from ${setFile}) does not exist${set.install ? ` (${set.install})` : ''}.`);
  const sub = set.subdir ?? '';
  if (sub.split(/[\\/]/).includes('..')) throw new Error(`${setFile}: subdir must stay inside the corpus, got "${sub}".`);
  let base = source;
  if (set.mallard) {
    if (sub || !statSync(source).isDirectory()) throw new Error(`${setFile}: "mallard" converts the .page files of a folder; it takes no subdir or archive.`);
    return mallardCorpus(source, basename(setFile).replace(/\.json$/, ''));
  }
  if (set.readmes) {
    if (sub || !statSync(source).isDirectory()) throw new Error(`${setFile}: "readmes" reads the package folders of a folder (node_modules); it takes no subdir or archive.`);
    return readmeCorpus(source, basename(setFile).replace(/\.json$/, ''));
  }
  if (ARCHIVE.test(source) && statSync(source).isFile()) {
    const dest = join(cacheDir, 'corpora', basename(source).replace(ARCHIVE, ''));
    const st = statSync(source);
    const stamp = `${st.size}:${st.mtimeMs}`;
    const marker = join(dest, '.unpacked');
    if (!existsSync(marker) || readFileSync(marker, 'utf8') !== stamp) {
      rmSync(dest, { recursive: true, force: true });
      mkdirSync(dest, { recursive: true });
      process.stderr.write(`Unpacking ${source} into ${dest} ...\n`);
      const r = spawnSync('tar', ['-xf', source, '-C', dest], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`tar could not unpack ${source}: ${(r.stderr || String(r.error)).trim()}`);
      // The scanner honours the .gitignore files of an enclosing repository, and this checkout
      // ignores .cache/: an (empty) .git folder makes the unpacked tree a repository of its own.
      mkdirSync(join(dest, '.git'), { recursive: true });
      writeFileSync(marker, stamp);
    }
    base = dest;
  }
  const root = join(base, sub);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`${setFile}: ${root} is not a folder (corpus ${set.corpus}, subdir "${sub}").`);
  return root;
}

const README = /^readme\.md$/i;

/** The READMEs of the package folders in `source`, copied (again when any changed) into a folder of their own. */
function readmeCorpus(source: string, setName: string): string {
  const dest = join(cacheDir, 'corpora', setName);
  const packages = readdirSync(source).filter((d) => !d.startsWith('.')).flatMap((d) => (d.startsWith('@') ? readdirSync(join(source, d)).map((s) => `${d}/${s}`) : [d]));
  const files: { pkg: string; file: string }[] = [];
  for (const pkg of packages.sort()) {
    const dir = join(source, pkg);
    if (!statSync(dir).isDirectory()) continue;
    const name = readdirSync(dir).find((f) => README.test(f));
    if (name) files.push({ pkg, file: join(dir, name) });
  }
  const stamp = files.map((f) => {
    const st = statSync(f.file);
    return `${f.pkg}:${st.size}:${st.mtimeMs}`;
  }).join('\n');
  const marker = join(dest, '.copied');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== stamp) {
    rmSync(dest, { recursive: true, force: true });
    for (const f of files) {
      mkdirSync(join(dest, f.pkg), { recursive: true });
      writeFileSync(join(dest, f.pkg, 'README.md'), readFileSync(f.file));
    }
    // Not under this checkout's .gitignore (which ignores .cache/): a repository of its own.
    mkdirSync(join(dest, '.git'), { recursive: true });
    writeFileSync(marker, stamp);
  }
  return dest;
}

const PAGE = /\.page$/;

/** The Mallard pages of `source` as Markdown notes (converted again when any changed), in a folder of their own. */
function mallardCorpus(source: string, setName: string): string {
  const dest = join(cacheDir, 'corpora', setName);
  const pages = readdirSync(source).filter((f) => PAGE.test(f)).sort();
  const stamp = pages.map((f) => {
    const st = statSync(join(source, f));
    return `${f}:${st.size}:${st.mtimeMs}`;
  }).join('\n');
  const marker = join(dest, '.converted');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== stamp) {
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(dest, { recursive: true });
    for (const f of pages) writeFileSync(join(dest, f.replace(PAGE, '.md')), mallardToMarkdown(readFileSync(join(source, f), 'utf8')));
    mkdirSync(join(dest, '.git'), { recursive: true });
    writeFileSync(marker, stamp);
  }
  return dest;
}

function readSet(file: string): QuerySet {
  const set = JSON.parse(readFileSync(file, 'utf8')) as QuerySet;
  if (!Array.isArray(set.queries) || set.queries.length === 0) throw new Error(`${file} has no queries.`);
  for (const q of set.queries) {
    if (typeof q.query !== 'string' || !Array.isArray(q.relevant) || q.relevant.length === 0) throw new Error(`${file}: every query needs "query" and a non-empty "relevant" list (${JSON.stringify(q).slice(0, 120)}).`);
    q.kind = typeof q.kind === 'string' && q.kind ? q.kind : 'query';
  }
  return set;
}

function defaultSets(): string[] {
  const dir = join(repo, 'eval');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      queries: { type: 'string', multiple: true },
      'embedding-model': { type: 'string' },
      'no-backfill': { type: 'boolean' },
      misses: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const files = [...(values.queries ?? []), ...positionals].map((f) => resolve(f));
  const named = files.length > 0;
  const setFiles = named ? files : defaultSets();
  const log = (s: string): void => void process.stderr.write(s + '\n');
  mkdirSync(cacheDir, { recursive: true });

  const modelFile = values['embedding-model'] ? resolve(values['embedding-model']) : undefined;
  if (modelFile && !existsSync(modelFile)) throw new Error(`The embedding model ${modelFile} does not exist.`);
  const results: SetResult[] = [];
  for (const setFile of setFiles) {
    const name = basename(setFile).replace(/\.json$/, '');
    const set = readSet(setFile);
    if (!named && set.install && !existsSync(resolve(repo, set.corpus))) {
      log(`${name}: skipped: its corpus ${resolve(repo, set.corpus)} is not installed (${set.install}).`);
      continue;
    }
    const root = corpusRoot(set, setFile);
    for (const q of set.queries) {
      for (const p of q.relevant) if (!existsSync(join(root, p))) log(`warning: ${name}: "${q.query}" names ${p}, which is not in ${root}`);
    }
    const dbFile = join(cacheDir, `${name}.db`);
    mkdirSync(dirname(dbFile), { recursive: true });
    let vault = Vault.open(dbFile);
    // A set whose corpus moved would search its old folder too: its vault starts again.
    const stale = vault.db.all<{ path: string }>('SELECT path FROM roots').filter((r) => r.path !== realpathSync(root));
    if (stale.length > 0) {
      vault.close();
      log(`${name}: its vault also held ${stale.map((r) => r.path).join(', ')}: indexing it anew.`);
      for (const f of [dbFile, `${dbFile}-journal`]) rmSync(f, { force: true });
      vault = Vault.open(dbFile);
    }
    let engine: EngineClient | undefined;
    try {
      const summary = await vault.indexRoots([root]);
      log(`${name}: indexed ${root}: ${summary.totalFiles} files, ${summary.totalChunks} chunks (${summary.indexed} (re)indexed) in ${summary.seconds.toFixed(1)} s.`);
      const store = new EmbeddingStore(vault.db);
      let embedder: Embedder | undefined;
      if (modelFile) {
        const records = new ModelRecords(vault.db);
        const added = await addLocalModel(records, modelFile, { role: 'embedding' });
        engine = new EngineClient({ records, settings: { idleUnloadMs: 0, memoryEventIntervalMs: 0 } });
        const handle = await engine.loadModel(modelFile, { purpose: 'embed' });
        embedder = engineEmbedder(engine, handle, added.record.sha256);
        if (!values['no-backfill']) {
          const started = Date.now();
          const r = await new BackfillJob(store, embedder, { batchSize: 16, onProgress: (p) => process.stderr.write(`\rembedding ${p.done}/${p.total}`) }).run();
          process.stderr.write('\n');
          if (r.done > 0) log(`Embedded ${r.done} chunk texts in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
        }
      }
      const retriever = new Retriever(vault.db, vault, new VectorIndexCache(vault.db), store);
      const paths: EvalPath[] = embedder ? ['search', 'answer', 'semantic', 'hybrid'] : ['search', 'answer'];
      const out: SetResult = { set: name, corpus: root, files: summary.totalFiles, chunks: summary.totalChunks, queries: set.queries.length, paths: {} };
      for (const path of paths) {
        const rankings: Ranked[] = [];
        for (const q of set.queries) {
          let ranked: string[];
          if (path === 'search') {
            ranked = distinctFiles(vault.searchLexical(q.query, { limit: SEARCH_DEPTH }).map((h) => h.path));
          } else {
            const mode: RetrievalMode = path === 'answer' ? 'lexical' : path;
            const r = await retriever.retrieve(q.query, { mode, embedder, limit: ANSWER_DEPTH, perFileCap: 1 });
            ranked = distinctFiles(r.items.map((it) => it.path));
          }
          rankings.push({ kind: q.kind, query: q.query, ranked, relevant: q.relevant });
        }
        const kinds = [...new Set(rankings.map((r) => r.kind))].sort();
        const misses = rankings
          .filter((r) => !r.ranked.slice(0, 10).some((p) => r.relevant.includes(p)))
          .map((r) => ({ kind: r.kind, query: r.query, relevant: r.relevant, top: r.ranked.slice(0, 3) }));
        out.paths[path] = { all: metrics(rankings), byKind: Object.fromEntries(kinds.map((k) => [k, metrics(rankings.filter((r) => r.kind === k))])), misses };
      }
      results.push(out);
    } finally {
      await engine?.dispose();
      vault.close();
    }
  }

  if (values.json) {
    process.stdout.write(JSON.stringify({ embeddingModel: modelFile ?? null, results }) + '\n');
    return;
  }
  const lines: string[] = [];
  lines.push(modelFile ? `Embedding model: ${modelFile}` : 'No embedding model: search and answer paths (both full text).');
  lines.push('Ranked by note (distinct files): search = Vault.searchLexical (Search Vault, `search`); answer = the retriever, lexical (chat, ask, --mode lexical).');
  lines.push('');
  lines.push(`${'set'.padEnd(24)} ${'path'.padEnd(8)} ${'kind'.padEnd(12)} ${'recall@5'.padStart(9)} ${'recall@10'.padStart(10)} ${'MRR'.padStart(7)} ${'n'.padStart(4)}`);
  for (const r of results) {
    for (const [path, m] of Object.entries(r.paths)) {
      lines.push(`${r.set.padEnd(24)} ${path.padEnd(8)} ${'all'.padEnd(12)} ${fmt(m.all)}`);
      for (const [k, km] of Object.entries(m.byKind)) lines.push(`${''.padEnd(24)} ${''.padEnd(8)} ${k.padEnd(12)} ${fmt(km)}`);
    }
  }
  if (values.misses) {
    for (const r of results) {
      for (const [path, m] of Object.entries(r.paths)) {
        if (m.misses.length === 0) continue;
        lines.push('', `${r.set} / ${path}: ${m.misses.length} queries without a relevant note in the top 10`);
        for (const x of m.misses) lines.push(`  [${x.kind}] ${x.query}  -> want ${x.relevant.join(', ')}; got ${x.top.join(', ') || 'nothing'}`);
      }
    }
  }
  if (modelFile?.endsWith('stories260K.gguf')) {
    lines.push('', 'Note: stories260K is a 260K-parameter story model, not an embedding model; its vectors carry', 'almost no meaning, so semantic/hybrid figures here measure the plumbing, not a real model.');
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`eval: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
