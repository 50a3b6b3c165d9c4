// `npm run bench segmentation`: words of Chinese and Japanese text, found two ways on the CJK tldr
// pages (../shared/corpora/tldr-pages-cjk.tar.gz) with the queries of eval/tldr-zh.json and
// eval/tldr-ja.json, ranked by note:
//   - segmented (the vault): ICU's word segmenter at index and query time, unicode61 + bm25,
//     content words, coverage (what Search Vault and the chat use);
//   - trigram (the named baseline): FTS5's trigram tokenizer over the same chunks (title + text),
//     queried by the trigrams of the query's text (OR, bm25), as a dictionary-free index would be;
//     and trigram-words: the query's segmented content words as substrings (words of fewer than
//     three characters cannot be matched by a trigram index and are left out).
// Figures are printed, never asserted: recall@10 and MRR, index size, query p50 (CPU).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/vault/db/openDatabase';
import type { SqliteDatabase } from '../src/vault/db/sqlite';
import { contentTerms, parseQuery } from '../src/vault/search/ftsQuery';
import { Vault } from '../src/vault/vault';

const repo = join(__dirname, '..');
const archive = join(repo, '..', 'shared', 'corpora', 'tldr-pages-cjk.tar.gz');

interface Query {
  kind: string;
  query: string;
  relevant: string[];
}

interface Row {
  lang: string;
  method: string;
  recall10: number;
  mrr: number;
  indexMb: number;
  p50: number;
  empty: number;
}

const CJK_RUN = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]+/gu;

function cpuMs(fn: () => void): number {
  const c = process.cpuUsage();
  fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

function score(queries: readonly Query[], rank: (q: string) => string[]): { recall10: number; mrr: number; p50: number; empty: number } {
  let r10 = 0;
  let mrr = 0;
  let empty = 0;
  const times: number[] = [];
  for (const q of queries) rank(q.query); // warm
  for (const q of queries) {
    let files: string[] = [];
    times.push(Math.min(...[0, 1, 2].map(() => cpuMs(() => (files = rank(q.query))))));
    const rel = new Set(q.relevant);
    r10 += files.slice(0, 10).filter((f) => rel.has(f)).length / rel.size;
    const first = files.findIndex((f) => rel.has(f));
    mrr += first === -1 ? 0 : 1 / (first + 1);
    if (files.length === 0) empty++;
  }
  times.sort((a, b) => a - b);
  return { recall10: r10 / queries.length, mrr: mrr / queries.length, p50: times[Math.floor(times.length / 2)]!, empty };
}

const distinct = (paths: Iterable<string>): string[] => [...new Set(paths)];
const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** The trigrams of the query's CJK runs, and its other words of three or more letters. */
function trigramExpr(query: string): string | null {
  const parts = new Set<string>();
  for (const run of query.match(CJK_RUN) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 3 <= chars.length; i++) parts.add(quote(chars.slice(i, i + 3).join('')));
  }
  for (const w of query.replace(CJK_RUN, ' ').match(/[\p{L}\p{N}]{3,}/gu) ?? []) parts.add(quote(w));
  return parts.size ? [...parts].join(' OR ') : null;
}

/** The query's content words (segmented as the vault does), those of three or more characters. */
function trigramWordsExpr(query: string): string | null {
  const words = contentTerms(parseQuery(query)).map((t) => t.text).filter((w) => [...w].length >= 3);
  return words.length ? words.map(quote).join(' OR ') : null;
}

async function main(): Promise<void> {
  console.log(`segmentation bench: Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const work = mkdtempSync(join(tmpdir(), 'cv-seg-bench-'));
  try {
    const tar = spawnSync('tar', ['-xzf', archive, '-C', work, 'tldr-pages-cjk/pages.zh', 'tldr-pages-cjk/pages.ja']);
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr.toString()}`);
    const rows: Row[] = [];
    for (const lang of ['zh', 'ja']) {
      const set = JSON.parse(readFileSync(join(repo, 'eval', `tldr-${lang}.json`), 'utf8')) as { queries: Query[] };
      const root = join(work, 'tldr-pages-cjk', `pages.${lang}`);
      const vault = Vault.open(join(work, `${lang}.vault`));
      // A plain FTS5 table beside the vault (no vault schema: migrations off).
      const triFile = openDatabase(join(work, `${lang}-trigram.db`), { create: true, migrate: false, what: 'trigram database' });
      const tri = triFile.db;
      try {
        await vault.indexRoots([root]);
        const ftsBytes = (db: SqliteDatabase, table: string): number => Number(db.get<{ n: number }>(`SELECT sum(length(block)) AS n FROM ${table}_data`)?.n ?? 0);
        const seg = score(set.queries, (q) => distinct(vault.searchLexical(q, { limit: 50 }).map((h) => h.path)));
        rows.push({ lang, method: 'segmented (vault)', ...seg, indexMb: ftsBytes(vault.db, 'chunks_fts') / 1e6 });

        tri.exec("CREATE VIRTUAL TABLE t USING fts5(path UNINDEXED, title, body, tokenize = 'trigram')");
        const chunks = vault.db.all<{ path: string; title: string; body: string }>('SELECT d.path AS path, c.title AS title, c.body AS body FROM chunks c JOIN documents d ON d.id = c.doc_id');
        tri.transaction(() => {
          for (const c of chunks) tri.run('INSERT INTO t (path, title, body) VALUES (?, ?, ?)', [c.path, c.title, c.body]);
        });
        const triRank = (expr: (q: string) => string | null) => (q: string): string[] => {
          const e = expr(q);
          return e ? distinct(tri.all<{ path: string }>('SELECT path FROM t WHERE t MATCH ? ORDER BY bm25(t, 0, 8.0, 1.0) LIMIT 50', [e]).map((r) => r.path)) : [];
        };
        rows.push({ lang, method: 'trigram', ...score(set.queries, triRank(trigramExpr)), indexMb: ftsBytes(tri, 't') / 1e6 });
        rows.push({ lang, method: 'trigram-words', ...score(set.queries, triRank(trigramWordsExpr)), indexMb: ftsBytes(tri, 't') / 1e6 });
        console.log(`  ${lang}: ${chunks.length} chunks, ${set.queries.length} queries`);
      } finally {
        vault.close();
        triFile.close();
      }
    }
    const head = ['lang', 'method', 'recall@10', 'MRR', 'no result', 'FTS index MB', 'p50 ms (cpu)'];
    const body = rows.map((r) => [r.lang, r.method, r.recall10.toFixed(3), r.mrr.toFixed(3), String(r.empty), r.indexMb.toFixed(2), r.p50.toFixed(2)]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(['', line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n'));
    console.log('\nRanked by note (distinct files), top 50 chunks; trigram queries OR their trigrams, bm25 with the title weighted as in the vault.');
    console.log('Query times are not like for like: the vault also builds 50 highlighted snippets per query (most of its time here), the trigram rows none.');
    console.log(`load average now ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
