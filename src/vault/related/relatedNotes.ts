// The notes closest to one note, best first, each with why: by the embedding model's vectors when
// the model has vectors for the note (the mean of its chunks' vectors against every chunk's), else
// by its most distinctive words run through the vault's one lexical ranking (BM25 "more like
// this", distinctiveWords.ts); and in both cases by the links between the notes and the tags they
// share (linksAndTags.ts). The note itself is never among them. Every statement runs in one read
// transaction (on this VFS each lock outside one is a directory made and removed).
import type { SqliteDatabase } from '../db/sqlite';
import { EmbeddingStore } from '../embeddings/embeddingStore';
import { locateNote } from '../notes/readNote';
import { NOTE_CAP, searchLexical } from '../search/lexicalSearch';
import { retryWhileLocked } from '../store/busy';
import type { VectorIndexCache } from '../vectors/vectorIndex';
import { distinctiveWords } from './distinctiveWords';
import { linksAndTags, noteRow, type NoteRow, type Tie } from './linksAndTags';
import type { RelatedNote, RelatedOptions, RelatedReason, RelatedResult } from './types';

export class RelatedNoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RelatedNoteError';
  }
}

/**
 * How the parts add up (each part is 0..1): closeness of the text (or meaning) leads; a link or
 * shared tags lift a note, and bring in one whose text shares little with the open note.
 */
export const WEIGHTS = { text: 0.7, tags: 0.15, link: 0.15 } as const;

interface Passage {
  startLine: number;
  endLine: number;
  heading: string;
  similarity?: number;
  words?: string[];
}

interface Candidate {
  docId: number;
  root: string;
  path: string;
  title: string;
  /** Closeness of the text or meaning, 0..1. */
  text: number;
  passage?: Passage;
  tie?: Tie;
}

const MARKED = /«([^»]+)»/g;

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

export class RelatedNotes {
  constructor(private readonly db: SqliteDatabase, private readonly vectors: VectorIndexCache) {}

  /** `path`: absolute, or relative to its vault folder as search returns it. */
  find(path: string, opts: RelatedOptions = {}): RelatedResult {
    const t0 = performance.now();
    const limit = Math.max(1, Math.min(100, Math.floor(opts.limit ?? 10)));
    const read = <T>(fn: () => T): T => (this.db.inTransaction ? fn() : retryWhileLocked(() => this.db.transaction(fn, false)));
    return read(() => {
      const { root, rel } = locateNote(this.db, path);
      const doc = this.db.get<{ id: number }>('SELECT d.id FROM documents d JOIN roots r ON r.id = d.root_id WHERE r.path = ? AND d.path = ?', [root, rel]);
      const note = doc ? noteRow(this.db, Number(doc.id)) : undefined;
      if (!note) throw new RelatedNoteError(`${rel} is not a note of this vault.`);
      const candidates = new Map<number, Candidate>();
      let by: RelatedResult['by'] = 'words';
      let words: string[] = [];
      if (!this.byVectors(note, opts.model, limit, candidates)) words = this.byWords(note, limit, candidates);
      else by = 'vectors';
      const ties = linksAndTags(this.db, note, limit * 3);
      for (const [docId, tie] of ties) {
        const c = candidates.get(docId);
        if (c) c.tie = tie;
        else candidates.set(docId, { docId, root: tie.root, path: tie.path, title: tie.title, text: 0, tie });
      }
      candidates.delete(note.id);
      const notes = this.score(note, [...candidates.values()], by).slice(0, limit);
      return { root, path: rel, by, words, notes, ms: Math.round((performance.now() - t0) * 10) / 10 };
    });
  }

  /** Closest chunks to the mean of the note's vectors; false when the model has none for the note. */
  private byVectors(note: NoteRow, model: string | undefined, limit: number, out: Map<number, Candidate>): boolean {
    const key = model ?? new EmbeddingStore(this.db).activeModel();
    if (!key) return false;
    const own = this.db.all<{ hash: string }>('SELECT hash FROM chunks WHERE doc_id = ?', [note.id]);
    const idx = this.vectors.get(key);
    if (idx.count === 0) return false;
    const mean = new Float32Array(idx.dim);
    let n = 0;
    for (const { hash } of own) {
      const v = idx.vectorOf(hash);
      if (!v) continue;
      for (let i = 0; i < v.length; i++) mean[i]! += v[i]!;
      n++;
    }
    if (n === 0) return false;
    // Deep enough that the note's own chunks and several chunks per neighbour still leave `limit` notes.
    const { matches } = idx.search(mean, Math.min(idx.count, own.length + limit * 8));
    const sim = new Map(matches.map((m) => [m.chunkHash, m.similarity]));
    const rows = this.db.all<{ doc_id: number; hash: string; start_line: number; end_line: number; headings: string; path: string; title: string; root: string }>(
      `SELECT c.doc_id, c.hash, c.start_line, c.end_line, c.headings, d.path, d.title, r.path AS root
       FROM chunks c JOIN documents d ON d.id = c.doc_id JOIN roots r ON r.id = d.root_id
       WHERE c.hash IN (SELECT value FROM json_each(?)) AND c.doc_id != ?`,
      [JSON.stringify(matches.map((m) => m.chunkHash)), note.id],
    );
    for (const r of rows) {
      const s = sim.get(r.hash)!;
      const c = out.get(Number(r.doc_id));
      if (c && (c.passage?.similarity ?? -Infinity) >= s) continue;
      out.set(Number(r.doc_id), {
        docId: Number(r.doc_id), root: r.root, path: r.path, title: r.title, text: Math.max(0, s),
        passage: { startLine: Number(r.start_line), endLine: Number(r.end_line), heading: r.headings, similarity: round(s) },
      });
    }
    return true;
  }

  /** BM25 "more like this": the note's distinctive words through the lexical ranking, grouped by note. */
  private byWords(note: NoteRow, limit: number, out: Map<number, Candidate>): string[] {
    const words = distinctiveWords(this.db, note.id).map((w) => w.word);
    if (words.length === 0) return [];
    // At most NOTE_CAP chunks of a note come before the next note: this many hits hold `limit`
    // notes besides the note itself. (Each hit's snippet is built: no more are asked for.)
    const hits = searchLexical(this.db, words.join(' '), { limit: Math.min(500, NOTE_CAP * (limit + 1)), snippetTokens: 8 });
    const ids = this.db.all<{ id: number; doc_id: number }>('SELECT id, doc_id FROM chunks WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(hits.map((h) => h.chunkId))]);
    const docOf = new Map(ids.map((r) => [Number(r.id), Number(r.doc_id)]));
    const sums = new Map<number, { sum: number; n: number }>();
    for (const h of hits) {
      const docId = docOf.get(h.chunkId);
      if (docId === undefined || docId === note.id) continue;
      // A note's best passage counts whole, its next ones less: many weak matches do not beat one strong one.
      const s = sums.get(docId) ?? { sum: 0, n: 0 };
      s.sum += h.score / 2 ** s.n;
      s.n++;
      sums.set(docId, s);
      if (out.has(docId)) continue;
      const matched = [...new Set([...h.snippet.matchAll(MARKED)].map((m) => m[1]!.toLowerCase()))];
      out.set(docId, { docId, root: h.root, path: h.path, title: h.title, text: 0, passage: { startLine: h.startLine, endLine: h.endLine, heading: h.heading, words: matched } });
    }
    const best = Math.max(0, ...[...sums.values()].map((s) => s.sum));
    for (const [docId, s] of sums) out.get(docId)!.text = best > 0 ? s.sum / best : 0;
    return words;
  }

  /** Final scores and reasons; notes found only by a link or tags get their passage (the linking line, else the start). */
  private score(note: NoteRow, candidates: Candidate[], by: 'vectors' | 'words'): RelatedNote[] {
    const bare = candidates.filter((c) => !c.passage);
    if (bare.length > 0) this.fillBare(bare);
    const out: RelatedNote[] = [];
    for (const c of candidates) {
      if (!c.passage) continue;
      const reasons: RelatedReason[] = [];
      let score = WEIGHTS.text * c.text;
      if (c.tie) {
        if (c.tie.tags.length > 0) {
          score += WEIGHTS.tags * (c.tie.tags.length / Math.sqrt(Math.max(1, note.tags.length) * Math.max(1, c.tie.theirTags)));
          reasons.push({ kind: 'tags', tags: c.tie.tags });
        }
        if (c.tie.out !== undefined || c.tie.in !== undefined) {
          score += WEIGHTS.link;
          const direction = c.tie.out !== undefined && c.tie.in !== undefined ? 'both' : c.tie.out !== undefined ? 'out' : 'in';
          reasons.push({ kind: 'link', direction, line: c.tie.out ?? c.tie.in });
        }
      }
      if (c.text > 0) {
        const p = c.passage;
        reasons.unshift(by === 'vectors'
          ? { kind: 'passage', by, startLine: p.startLine, endLine: p.endLine, heading: p.heading, similarity: p.similarity }
          : { kind: 'passage', by, startLine: p.startLine, endLine: p.endLine, heading: p.heading, words: p.words ?? [] });
      }
      // A vector neighbour no closer than orthogonal, with no link or tag: nothing to say for it.
      if (reasons.length === 0) continue;
      out.push({ root: c.root, path: c.path, title: c.title, score: round(score), startLine: c.passage.startLine, endLine: c.passage.endLine, reasons });
    }
    return out.sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The passage of the notes found by a link or tags only: the chunk holding their link to the note, else their first. */
  private fillBare(bare: Candidate[]): void {
    const byId = new Map(bare.map((c) => [c.docId, c]));
    const chunks = this.db.all<{ doc_id: number; start_line: number; end_line: number; headings: string }>(
      'SELECT doc_id, start_line, end_line, headings FROM chunks WHERE doc_id IN (SELECT value FROM json_each(?)) ORDER BY doc_id, ord', [JSON.stringify([...byId.keys()])]);
    for (const ch of chunks) {
      const c = byId.get(Number(ch.doc_id))!;
      const at = c.tie?.in;
      const holdsLink = at !== undefined && Number(ch.start_line) <= at && at <= Number(ch.end_line);
      if (!c.passage || holdsLink) c.passage = { startLine: Number(ch.start_line), endLine: Number(ch.end_line), heading: ch.headings };
    }
  }
}
