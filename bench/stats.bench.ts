// `npm run bench stats`: what the vault pays per call once it holds 50k chunks with a 384-dim vector
// each, beside the baselines measured in the same run:
//   - the vault's stats (files, chunks, embedding coverage; asked after every save): the coverage
//     of the active model kept by the database (migration 0004)  vs  the old query, which found the
//     active model by scanning for the newest vector and counted covered chunks one probe each;
//   - the first hybrid query after an embedding batch: appending the batch to the loaded vector
//     index  vs  loading every vector again (what the index did on every write);
//   - the cost the coverage triggers add to writing chunks: inserts with them  vs  without.
// Figures are printed, never asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddingStore } from '../src/vault/embeddings/embeddingStore';
import { Vault } from '../src/vault/vault';
import { VectorIndex, VectorIndexCache } from '../src/vault/vectors/vectorIndex';
import { rng } from '../test/helpers/rng';

const CHUNKS = Number(process.env.CV_BENCH_CHUNKS ?? 50_000);
const DIM = 384;
const RUNS = 15;
const rand = rng(7);

const ms = (x: number): string => `${x.toFixed(2)} ms`;
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function timed(runs: number, f: () => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    out.push(performance.now() - t);
  }
  return out;
}
const vector = (): Float32Array => Float32Array.from({ length: DIM }, () => rand() - 0.5);

function main(): void {
  console.log(`stats bench: ${CHUNKS.toLocaleString('en-US')} chunks x ${DIM}-dim vectors; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on this shared machine`);
  const dir = mkdtempSync(join(tmpdir(), 'cv-sbench-'));
  const vault = Vault.open(join(dir, 'bench.db'));
  try {
    const db = vault.db;
    db.run("INSERT INTO roots (id, path, name) VALUES (1, '/bench', 'bench')");
    let t = performance.now();
    const insertChunks = (from: number, to: number): void => {
      db.transaction(() => {
        for (let i = from; i < to; i += 5) {
          const { lastInsertRowid: docId } = db.run(
            "INSERT INTO documents (root_id, path, size, mtime_ms, hash, title, tags, links, indexed_at) VALUES (1, ?, 0, 0, ?, 'Note', '[]', '[]', 0)",
            [`notes/${i}.md`, `doc${i}`],
          );
          for (let c = 0; c < 5; c++) {
            db.run("INSERT INTO chunks (doc_id, ord, start_line, end_line, hash, title, headings, body, tags) VALUES (?, ?, 1, 9, ?, 'Note', '', 'some words of a note', '')", [docId, c, `chunk-${i + c}`]);
          }
        }
      });
    };
    for (let i = 0; i < CHUNKS; i += 5000) insertChunks(i, Math.min(CHUNKS, i + 5000));
    console.log(`corpus: ${CHUNKS.toLocaleString('en-US')} chunks in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    const store = new EmbeddingStore(db);
    const MODEL = 'bench-model';
    for (let i = 0; i < CHUNKS; i += 1000) {
      store.put(MODEL, Array.from({ length: Math.min(1000, CHUNKS - i) }, (_, j) => ({ chunkHash: `chunk-${i + j}`, vector: vector() })));
    }
    store.setActiveModel(MODEL);
    console.log(`vectors: ${CHUNKS.toLocaleString('en-US')} stored in ${((performance.now() - t) / 1000).toFixed(1)} s; the active model set (coverage counted once) `);

    // ---- stats: kept coverage vs the old query
    const oldQuery = 'SELECT count(*) AS n FROM chunks c WHERE EXISTS (SELECT 1 FROM embeddings e WHERE e.chunk_hash = c.hash AND e.model = (SELECT model FROM embeddings ORDER BY created_at DESC LIMIT 1))';
    let oldN = 0;
    let newN = 0;
    const oldTimes = timed(5, () => { oldN = Number(db.get<{ n: number }>(oldQuery)?.n); });
    const newTimes = timed(RUNS, () => {
      vault.stats();
      newN = store.activeCoverage()?.embedded ?? -1;
    });
    console.log(`stats (counts + embedding coverage): ${ms(median(newTimes))} median of ${RUNS}; covered ${newN.toLocaleString('en-US')}`);
    console.log(`  baseline, the old coverage query (newest vector by scan + one probe per chunk): ${ms(median(oldTimes))} median of 5; covered ${oldN.toLocaleString('en-US')}`);

    // ---- the first query after an embedding batch: append vs load everything again
    const cache = new VectorIndexCache(db);
    cache.get(MODEL);
    const appendTimes: number[] = [];
    const reloadTimes: number[] = [];
    for (let b = 0; b < 8; b++) {
      db.transaction(() => {
        for (let j = 0; j < 16; j++) {
          db.run("INSERT INTO chunks (doc_id, ord, start_line, end_line, hash, title, headings, body, tags) VALUES (1, ?, 1, 9, ?, 'Note', '', 'new words', '')", [100 + b * 16 + j, `new-${b}-${j}`]);
        }
      });
      store.put(MODEL, Array.from({ length: 16 }, (_, j) => ({ chunkHash: `new-${b}-${j}`, vector: vector() })));
      let s = performance.now();
      const idx = cache.get(MODEL);
      appendTimes.push(performance.now() - s);
      s = performance.now();
      const fresh = VectorIndex.load(db, MODEL);
      reloadTimes.push(performance.now() - s);
      if (fresh.count !== idx.count) throw new Error(`append gave ${idx.count} rows, a fresh load ${fresh.count}`);
    }
    console.log(`vector index after a batch of 16 new vectors: append ${ms(median(appendTimes))} median of 8`);
    console.log(`  baseline, loading all ${CHUNKS.toLocaleString('en-US')}+ vectors again: ${ms(median(reloadTimes))} median of 8`);

    // ---- what the coverage triggers cost when chunks are written (alternating, so neither side
    // always gets the colder cache or the busier moment of this shared machine)
    const n = 2000;
    const triggers = db.all<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'embedding_coverage_chunk%'");
    const withTimes: number[] = [];
    const withoutTimes: number[] = [];
    let next = CHUNKS + 1000;
    for (let round = 0; round < 4; round++) {
      for (const withTriggers of round % 2 === 0 ? [true, false] : [false, true]) {
        if (!withTriggers) for (const tr of triggers) db.exec(`DROP TRIGGER ${tr.name}`);
        t = performance.now();
        insertChunks(next, next + n);
        (withTriggers ? withTimes : withoutTimes).push(performance.now() - t);
        next += n;
        if (!withTriggers) for (const tr of triggers) db.exec(tr.sql);
      }
    }
    console.log(`writing ${n.toLocaleString('en-US')} chunks (with their FTS rows): ${ms(median(withTimes))} median of 4 with the coverage triggers`);
    console.log(`  baseline without them: ${ms(median(withoutTimes))} median of 4`);
  } finally {
    vault.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
