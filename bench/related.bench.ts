// `npm run bench related`: what finding a note's related notes costs on the generated vault of 10k
// notes (~50k chunks; the vault bench's generator), beside the named baseline measured in the same
// run: one plain full-text query of two words (Search Vault's query) on the same vault. Both ways
// are measured: by the note's distinctive words (no embedding model), and by vectors (generated
// 384-dim vectors stored for every chunk, made the active model; the vectors are generated, the
// rest is real). Figures are printed, never asserted; the budget (30 ms) is printed beside them.
// RELATED_BENCH_NOTES=2000 npm run bench related: a smaller vault.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddingStore } from '../src/vault/embeddings/embeddingStore';
import { RelatedNotes } from '../src/vault/related/relatedNotes';
import { searchLexical } from '../src/vault/search/lexicalSearch';
import { Vault } from '../src/vault/vault';
import { VectorIndexCache } from '../src/vault/vectors/vectorIndex';
import { rng } from '../test/helpers/rng';

const root = join(__dirname, '..');
const NOTES = Number(process.env.RELATED_BENCH_NOTES ?? 10000);
const SAMPLE = 60;
const DIM = 384;
const MODEL = 'bench-generated-384';

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

function measure(n: number, fn: (i: number) => void): { p50: number; p95: number; cpu50: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn(i);
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { p50: percentile(wall, 0.5), p95: percentile(wall, 0.95), cpu50: percentile(cpu, 0.5) };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'cv-bench-related-'));
  try {
    const notes = join(work, 'notes');
    console.log(`generating and indexing ${NOTES} notes...`);
    const g = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'vault.bench.ts'), '--generate', notes, String(NOTES)], { cwd: root, stdio: 'inherit' });
    if (g.status !== 0) throw new Error('generating the vault failed');
    const db = join(work, 'vault.db');
    const vault = Vault.open(db);
    await vault.indexRoots([notes]);
    const stats = vault.stats();
    const r = rng(3);
    const docs = vault.db.all<{ path: string; title: string }>('SELECT path, title FROM documents ORDER BY id');
    const sample = Array.from({ length: SAMPLE }, () => docs[Math.floor(r() * docs.length)]!);
    const related = new RelatedNotes(vault.db, new VectorIndexCache(vault.db));
    const read = <T>(fn: () => T): T => vault.db.transaction(fn, false);
    // Warm-up: the first statements compile and the OS reads the file.
    for (const d of sample.slice(0, 5)) related.find(d.path);
    const found: number[] = [];
    const words = measure(SAMPLE, (i) => { found.push(related.find(sample[i]!.path).notes.length); });
    // The baseline: one plain query of two words of the note's title, as typed into Search Vault.
    const baseline = measure(SAMPLE, (i) => { read(() => searchLexical(vault.db, sample[i]!.title.split(' ').slice(0, 2).join(' '), { limit: 20 })); });

    console.log(`storing generated ${DIM}-dim vectors for ${stats.chunks} chunks...`);
    const store = new EmbeddingStore(vault.db);
    const hashes = vault.db.all<{ hash: string }>('SELECT DISTINCT hash FROM chunks').map((h) => h.hash);
    for (let i = 0; i < hashes.length; i += 2000) {
      store.put(MODEL, hashes.slice(i, i + 2000).map((chunkHash) => ({ chunkHash, vector: Float32Array.from({ length: DIM }, () => r() * 2 - 1) })));
    }
    store.setActiveModel(MODEL);
    const t = performance.now();
    related.find(sample[0]!.path);
    const loadMs = performance.now() - t;
    const vectors = measure(SAMPLE, (i) => { related.find(sample[i]!.path); });
    vault.close();

    const load = loadavg().map((x) => x.toFixed(1)).join(' ');
    const f = (x: number): string => x.toFixed(1).padStart(8);
    console.log(`\nvault: ${stats.files} notes, ${stats.chunks} chunks; ${SAMPLE} notes sampled; load average ${load} (${process.env.npm_config_user_agent ? 'npm' : 'node'}, 2 cores shared)`);
    console.log('                                              p50 ms    p95 ms  CPU p50 ms');
    console.log(`related notes, by distinctive words       ${f(words.p50)}  ${f(words.p95)}  ${f(words.cpu50)}   (mean ${(found.reduce((a, b) => a + b, 0) / found.length).toFixed(1)} notes found)`);
    console.log(`related notes, by vectors (${DIM} dims)     ${f(vectors.p50)}  ${f(vectors.p95)}  ${f(vectors.cpu50)}   (first call loads the vectors: ${loadMs.toFixed(0)} ms)`);
    console.log(`baseline: one plain 2-word search query   ${f(baseline.p50)}  ${f(baseline.p95)}  ${f(baseline.cpu50)}`);
    console.log('budget: related notes under 30 ms at 10k notes');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
