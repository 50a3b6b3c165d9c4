// Hybrid retrieval: bm25 (the vault's FTS5 index) and cosine similarity (the model's vectors)
// fused by reciprocal rank fusion, nudged by small boosts, with a per-file cap so that one long
// note cannot fill every slot. Each result carries an `explain` of how it got its place.
import type { SqliteDatabase } from '../db/sqlite';
import type { Coverage, EmbeddingStore } from '../embeddings/embeddingStore';
import { embeddingsGeneration, type VectorIndexCache } from '../vectors/vectorIndex';
import { retryWhileLocked } from '../store/busy';
import type { SearchHit } from '../types';
import { clipText } from '../search/clip';
import { normalizePathPrefix, normalizeTag } from '../search/lexicalSearch';
import { computeBoosts, totalBoost } from './boosts';
import { queryTerms } from './queryTerms';
import { compareFused, fuseRankings, RRF_K, type FusedEntry, type Ranking } from './rrf';
import { termCoverage } from './termMatch';
import type { Explain, LexicalSource, RetrievalMode, RetrievalResult, RetrievedChunk, RetrieveOptions } from './types';

export class RetrievalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetrievalError';
  }
}

interface Plan {
  mode: RetrievalMode;
  fallbackReason: string | null;
  coverage: Coverage | null;
  model: string | undefined;
}

interface ChunkRow {
  id: number;
  hash: string;
  start_line: number;
  end_line: number;
  title: string;
  headings: string;
  body: string;
  tags: string;
  path: string;
  links: string;
  root: string;
  [k: string]: string | number;
}

const NO_BOOSTS = { title: 0, tag: 0, link: 0 } as const;

function now(): number {
  return performance.now();
}

function linkTargets(json: string): string[] {
  try {
    const arr: unknown = JSON.parse(json);
    if (!Array.isArray(arr)) return [];
    return arr.flatMap((l) => (l && typeof l === 'object' && (l as { kind?: unknown }).kind === 'wiki' && typeof (l as { target?: unknown }).target === 'string' ? [(l as { target: string }).target] : []));
  } catch {
    return [];
  }
}

export class Retriever {
  private coverageCache: { key: string; model: string; value: Coverage } | undefined;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly lexical: LexicalSource,
    private readonly vectors: VectorIndexCache,
    private readonly embeddings: EmbeddingStore,
  ) {}

  /** Embedded chunks / all chunks for a model, cached until chunks or embeddings change. */
  coverage(model: string): Coverage {
    // O(1) change signature: this connection's writes move total_changes(), other connections'
    // commits move data_version, and the embeddings generation names the vectors' state.
    const sig = this.db.get<{ c: number; m: number | null }>('SELECT total_changes() AS c, (SELECT max(id) FROM chunks) AS m');
    const dv = this.db.get<{ data_version: number }>('PRAGMA data_version');
    const key = `${embeddingsGeneration(this.db)}:${sig?.c}:${sig?.m}:${dv?.data_version}`;
    if (this.coverageCache && this.coverageCache.key === key && this.coverageCache.model === model) return this.coverageCache.value;
    const value = this.embeddings.coverage(model);
    this.coverageCache = { key, model, value };
    return value;
  }

  async retrieve(query: string, opts: RetrieveOptions = {}): Promise<RetrievalResult> {
    const t0 = now();
    const timings = { lexicalMs: 0, embedMs: 0, vectorMs: 0, fuseMs: 0, totalMs: 0 };
    const model = opts.modelKey ?? opts.embedder?.modelKey;
    // Each synchronous phase reads in one transaction: on this VFS every statement outside a
    // transaction takes and drops the file lock (a directory made and removed, plus a hot-journal
    // check), which costs more than most of the small queries here. Embedding the query is
    // awaited between two phases, never inside a transaction.
    if (opts.queryVector !== undefined || opts.embedder === undefined || model === undefined) {
      return this.read(() => this.rank(query, opts, this.plan(opts, model), opts.queryVector, timings, t0));
    }
    const plan = this.read(() => this.plan(opts, model));
    let qv: ArrayLike<number> | undefined;
    if (plan.mode !== 'lexical') {
      const t = now();
      const [r] = await opts.embedder.embed([query], opts.signal);
      if (!r) throw new RetrievalError('The embedding model returned no vector for the query.');
      qv = r.vector;
      timings.embedMs = now() - t;
    }
    return this.read(() => this.rank(query, opts, plan, qv, timings, t0));
  }

  /** Runs `fn` in one read transaction (inline when one is already open), retried while another connection holds the lock. */
  private read<T>(fn: () => T): T {
    // fn's only effects before a "locked" failure are caches of what it read: safe to retry.
    return this.db.inTransaction ? fn() : retryWhileLocked(() => this.db.transaction(fn, false));
  }

  /** Which mode to run: hybrid by default when the model has vectors; explicit modes are honoured or refused. */
  private plan(opts: RetrieveOptions, model: string | undefined): Plan {
    let mode: RetrievalMode = opts.mode ?? 'lexical';
    let fallbackReason: string | null = null;
    let coverage: Coverage | null = null;
    const canEmbed = opts.queryVector !== undefined || opts.embedder !== undefined;
    if (model !== undefined) coverage = this.coverage(model);
    const hasVectors = model !== undefined && canEmbed && (coverage?.embedded ?? 0) > 0;
    if (opts.mode === undefined) mode = hasVectors ? 'hybrid' : 'lexical';
    else if (opts.mode !== 'lexical' && !hasVectors) {
      const why = model === undefined || !canEmbed ? 'no embedding model was given' : 'the embedding model has no vectors in this vault yet (run embed-index)';
      if (opts.mode === 'semantic') throw new RetrievalError(`Semantic search is not possible: ${why}.`);
      mode = 'lexical';
      fallbackReason = `Hybrid search fell back to lexical: ${why}.`;
    }
    return { mode, fallbackReason, coverage, model };
  }

  /** Both rankings, fusion, boosts and the returned chunks' rows: all synchronous reads. */
  private rank(query: string, opts: RetrieveOptions, plan: Plan, qv: ArrayLike<number> | undefined, timings: RetrievalResult['timings'], t0: number): RetrievalResult {
    const limit = Math.max(1, opts.limit ?? 10);
    // RRF only needs each ranking a few times deeper than the results wanted.
    const depth = Math.max(limit, opts.depth ?? Math.max(30, 3 * limit));
    const cap = Math.max(1, opts.perFileCap ?? 2);
    const exclude = opts.excludeChunkIds;
    const { mode, fallbackReason, coverage, model } = plan;

    const rankings: Ranking[] = [];
    const lexInfo = new Map<number, { rank: number; score: number; hit: SearchHit }>();
    if (mode !== 'semantic') {
      const t = now();
      // The vault's one lexical ranking, as Search Vault and `search` show it (content words,
      // all of them first, then partial matches ranked by bm25 and coverage; see lexicalSearch.ts).
      const hits = this.lexical.searchLexical(query, { limit: depth, pathPrefix: opts.pathPrefix, tag: opts.tag, roots: opts.roots });
      const ids: number[] = [];
      for (const h of hits) {
        if (exclude?.has(h.chunkId) || lexInfo.has(h.chunkId)) continue;
        ids.push(h.chunkId);
        lexInfo.set(h.chunkId, { rank: ids.length, score: h.score, hit: h });
        if (ids.length >= depth) break;
      }
      rankings.push({ name: 'lexical', ids });
      timings.lexicalMs = now() - t;
    }

    const vecInfo = new Map<number, { rank: number; similarity: number }>();
    let bestSimilarity: number | null = null;
    let meanSimilarity: number | null = null;
    if (mode !== 'lexical' && model !== undefined && qv !== undefined) {
      const t = now();
      const idx = this.vectors.get(model);
      const allow = this.allowedHashes(opts);
      const { matches, stats } = idx.search(qv, depth, { allow });
      meanSimilarity = stats.mean;
      bestSimilarity = matches[0]?.similarity ?? null;
      const simOf = new Map(matches.map((m) => [m.chunkHash, m.similarity]));
      const rows = this.chunksByHash(matches.map((m) => m.chunkHash), opts);
      const order = new Map(matches.map((m, i) => [m.chunkHash, i]));
      rows.sort((a, b) => order.get(a.hash)! - order.get(b.hash)! || a.id - b.id);
      const ids: number[] = [];
      for (const r of rows) {
        if (exclude?.has(r.id)) continue;
        ids.push(r.id);
        vecInfo.set(r.id, { rank: ids.length, similarity: simOf.get(r.hash)! });
        if (ids.length >= depth) break;
      }
      rankings.push({ name: 'vector', ids });
      timings.vectorMs = now() - t;
    }

    const t = now();
    const fused = fuseRankings(rankings, RRF_K);
    const rows = new Map(this.chunkHeads(fused.map((f) => f.id)).map((r) => [r.id, r]));
    const terms = queryTerms(query);
    const order = rankings.map((r) => r.name);
    const scored: { entry: FusedEntry; item: RetrievedChunk }[] = [];
    for (const entry of fused) {
      const row = rows.get(entry.id);
      if (!row) continue; // deleted between the ranking and now
      // Lexical mode keeps the lexical ranking's order as it is (titles, headings and tags are
      // weighed there already); the boosts nudge a fused ranking only.
      const boosts = mode === 'lexical' ? { ...NO_BOOSTS } : computeBoosts(terms, { title: row.title, heading: row.headings, tags: row.tags, linkTargets: linkTargets(row.links) });
      const lex = lexInfo.get(entry.id);
      const vec = vecInfo.get(entry.id);
      const explain: Explain = {
        lexical: lex ? { rank: lex.rank, score: lex.score } : null,
        vector: vec ? { rank: vec.rank, similarity: vec.similarity } : null,
        rrf: entry.score,
        boosts,
        fused: entry.score + totalBoost(boosts),
        termCoverage: 0, // set below, for the results returned only (it reads their text)
        demoted: false,
      };
      scored.push({
        entry,
        item: {
          chunkId: row.id,
          chunkHash: row.hash,
          root: row.root,
          path: row.path,
          title: row.title,
          heading: row.headings,
          startLine: Number(row.start_line),
          endLine: Number(row.end_line),
          text: '',
          snippet: lex?.hit.snippet ?? '',
          score: explain.fused,
          explain,
        },
      });
    }
    scored.sort((a, b) => b.item.explain.fused - a.item.explain.fused || compareFused(a.entry, b.entry, order));
    const items = capPerFile(scored.map((s) => s.item), cap).slice(0, limit);
    // Only the returned chunks' text is read from the database.
    const bodies = new Map(this.chunkBodies(items.map((i) => i.chunkId)).map((r) => [r.id, r.body]));
    for (const it of items) {
      it.text = bodies.get(it.chunkId) ?? '';
      if (!it.snippet) it.snippet = clipText(it.text, 200, '');
      it.explain.termCoverage = termCoverage(terms, `${it.title} ${it.heading} ${it.text}`);
    }
    timings.fuseMs = now() - t;
    timings.totalMs = now() - t0;
    return {
      mode,
      requestedMode: opts.mode ?? 'default',
      fallbackReason,
      items,
      coverage,
      partial: coverage !== null && coverage.ratio < 1,
      bestSimilarity,
      meanSimilarity,
      timings,
    };
  }

  private allowedHashes(filter: NoteFilter): Set<string> | undefined {
    const { where, params } = filterSql(filter);
    if (params.length === 0) return undefined;
    return new Set(this.db.all<{ hash: string }>(`SELECT DISTINCT c.hash FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE ${where}`, params).map((r) => r.hash));
  }

  private chunksByHash(hashes: string[], filter: NoteFilter): { id: number; hash: string }[] {
    if (hashes.length === 0) return [];
    const { where, params } = filterSql(filter);
    return this.db.all<{ id: number; hash: string }>(
      `SELECT c.id, c.hash FROM chunks c JOIN documents d ON d.id = c.doc_id
       WHERE c.hash IN (SELECT value FROM json_each(?)) AND ${where}`,
      [JSON.stringify(hashes), ...params],
    );
  }

  /** Everything but the text: enough to boost and order the candidates. */
  private chunkHeads(ids: number[]): ChunkRow[] {
    if (ids.length === 0) return [];
    return this.db.all<ChunkRow>(
      `SELECT c.id, c.hash, c.start_line, c.end_line, c.title, c.headings, '' AS body, c.tags, d.path, d.links, r.path AS root
       FROM chunks c JOIN documents d ON d.id = c.doc_id JOIN roots r ON r.id = d.root_id
       WHERE c.id IN (SELECT value FROM json_each(?))`,
      [JSON.stringify(ids)],
    );
  }

  private chunkBodies(ids: number[]): { id: number; body: string }[] {
    if (ids.length === 0) return [];
    return this.db.all<{ id: number; body: string }>('SELECT id, body FROM chunks WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(ids)]);
  }
}

type NoteFilter = Pick<RetrieveOptions, 'pathPrefix' | 'tag' | 'roots'>;

/** The vector side's filter, normalized as the lexical search normalizes its own (one meaning for both). */
function filterSql(f: NoteFilter): { where: string; params: string[] } {
  const clauses = ['1'];
  const params: string[] = [];
  const prefix = f.pathPrefix ? normalizePathPrefix(f.pathPrefix) : '';
  if (prefix) {
    clauses.push('substr(d.path, 1, length(?)) = ?');
    params.push(prefix, prefix);
  }
  const tag = f.tag ? normalizeTag(f.tag) : '';
  if (tag) {
    clauses.push('EXISTS (SELECT 1 FROM json_each(d.tags) t WHERE t.value = ?)');
    params.push(tag);
  }
  if (f.roots && f.roots.length > 0) {
    clauses.push('d.root_id IN (SELECT id FROM roots WHERE path IN (SELECT value FROM json_each(?)))');
    params.push(JSON.stringify(f.roots));
  }
  return { where: clauses.join(' AND '), params };
}

/**
 * Keeps at most `cap` chunks per file in order; the rest follow after every other file had
 * its turn (so a vault of few files still fills the list), flagged as demoted.
 */
export function capPerFile(items: RetrievedChunk[], cap: number): RetrievedChunk[] {
  const perFile = new Map<string, number>();
  const head: RetrievedChunk[] = [];
  const tail: RetrievedChunk[] = [];
  for (const it of items) {
    const key = `${it.root}\u0000${it.path}`;
    const n = perFile.get(key) ?? 0;
    perFile.set(key, n + 1);
    if (n < cap) head.push(it);
    else tail.push({ ...it, explain: { ...it.explain, demoted: true } });
  }
  return head.concat(tail);
}
