// Related notes over real vaults: the Rust book (a chapter finds its neighbouring sections) and
// hand-made notes whose shared words, links and tags are known, by distinctive words and by vectors
// (hand-made vectors of an active model); the note itself never appears; the CLI's JSON shape and
// its errors.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EmbeddingStore } from '../../../src/vault/embeddings/embeddingStore';
import { RelatedNotes } from '../../../src/vault/related/relatedNotes';
import type { RelatedNote } from '../../../src/vault/related/types';
import { Vault } from '../../../src/vault/vault';
import { VectorIndexCache } from '../../../src/vault/vectors/vectorIndex';
import { rustBook, tempDir } from '../../helpers/paths';
import { cliInProcess } from '../../helpers/runCli';

const t = tempDir('cv-related-');
let book: Vault;
let notes: Vault;
const notesDir = join(t.dir, 'notes');
const notesDb = join(t.dir, 'notes.db');

const NOTES: Record<string, string> = {
  // The note asked about: tags garden + compost, a wiki link to Worm bins, distinctive words.
  'compost.md': '---\ntags: [garden, compost]\n---\n# Compost heap\n\nTurning the heap lets mycelium and hyphae spread; leachate drains from the bottom.\nSee [[Worm bins]] for the kitchen scraps.\n',
  // Linked from compost.md, no words in common.
  'worm-bins.md': '# Worm bins\n\nRed wigglers eat cardboard.\n',
  // Links to compost.md (a Markdown link), nothing else in common.
  'allotment.md': '# Allotment plan\n\nBeds rotate yearly. Details in [the heap note](compost.md).\n',
  // The same tags, nothing else.
  'seeds.md': '---\ntags: [compost, garden]\n---\n# Seed catalogue\n\nTomatoes and beans.\n',
  // The distinctive words, no tag, no link.
  'fungi.md': '# Fungi\n\nMycelium and hyphae thread through leachate-soaked soil.\n',
  // Words, a tag and a link back: the closest of all.
  'soil-life.md': '---\ntags: [garden]\n---\n# Soil life\n\nMycelium, hyphae and leachate in the [[Compost heap]].\n',
  // Nothing in common.
  'taxes.md': '# Tax forms\n\nFile the forms by April with the receipts.\n',
};

before(async () => {
  book = Vault.open(join(t.dir, 'book.db'));
  await book.indexRoots([rustBook]);
  mkdirSync(notesDir);
  for (const [name, text] of Object.entries(NOTES)) writeFileSync(join(notesDir, name), text);
  notes = Vault.open(notesDb);
  await notes.indexRoots([notesDir]);
});

after(() => {
  book.close();
  notes?.close();
  t.cleanup();
});

const related = (v: Vault): RelatedNotes => new RelatedNotes(v.db, new VectorIndexCache(v.db));
const paths = (ns: readonly RelatedNote[]): string[] => ns.map((n) => n.path);

test('Rust book: "What is Ownership?" finds "References and Borrowing" among its related notes, by words', () => {
  const r = related(book).find('ch04-01-what-is-ownership.md', { limit: 10 });
  assert.equal(r.by, 'words');
  assert.ok(r.words.length > 0);
  assert.ok(paths(r.notes).includes('ch04-02-references-and-borrowing.md'), paths(r.notes).join(', '));
  assert.ok(!paths(r.notes).includes('ch04-01-what-is-ownership.md'));
  const borrowing = r.notes.find((n) => n.path === 'ch04-02-references-and-borrowing.md')!;
  const passage = borrowing.reasons.find((x) => x.kind === 'passage');
  assert.ok(passage && passage.kind === 'passage' && passage.by === 'words' && passage.words!.length > 0);
  // The passage to open is a chunk of that note, with its lines.
  assert.equal(borrowing.startLine, passage.startLine);
  assert.ok(borrowing.endLine >= borrowing.startLine);
  // Best first.
  for (let i = 1; i < r.notes.length; i++) assert.ok(r.notes[i - 1]!.score >= r.notes[i]!.score);
});

test('the note itself never appears, whatever note is asked about and whatever the limit', () => {
  const rel = related(book);
  for (const p of ['ch04-03-slices.md', 'ch15-04-rc.md', 'SUMMARY.md', 'ch00-00-introduction.md']) {
    const r = rel.find(p, { limit: 100 });
    assert.ok(r.notes.length > 0, p);
    assert.ok(!paths(r.notes).includes(p), `${p} lists itself`);
    assert.equal(new Set(paths(r.notes)).size, r.notes.length, 'each note once');
  }
});

test('hand-made notes: shared words, links (either way) and tags rank as expected, with their reasons', () => {
  const r = related(notes).find('compost.md', { limit: 10 });
  const got = paths(r.notes);
  assert.ok(!got.includes('compost.md'));
  assert.ok(!got.includes('taxes.md'), 'a note with nothing in common is not related');
  for (const p of ['soil-life.md', 'fungi.md', 'worm-bins.md', 'allotment.md', 'seeds.md']) assert.ok(got.includes(p), `${p} missing: ${got.join(', ')}`);
  const by = (p: string): RelatedNote => r.notes.find((n) => n.path === p)!;
  const kinds = (p: string): string[] => by(p).reasons.map((x) => x.kind);
  // Words: the passage holding them.
  assert.deepEqual(kinds('fungi.md'), ['passage']);
  const fp = by('fungi.md').reasons[0]!;
  assert.ok(fp.kind === 'passage' && fp.words!.includes('mycelium') && fp.words!.includes('hyphae'), JSON.stringify(fp));
  // Links: out (compost.md links to Worm bins by its title, line 7 with the front matter), in
  // (allotment.md links to compost.md by its file, soil-life.md by its title).
  assert.deepEqual(by('worm-bins.md').reasons.find((x) => x.kind === 'link'), { kind: 'link', direction: 'out', line: 7 });
  assert.deepEqual(by('allotment.md').reasons.find((x) => x.kind === 'link'), { kind: 'link', direction: 'in', line: 3 });
  // Tags: the ones both notes carry.
  assert.deepEqual(by('seeds.md').reasons.find((x) => x.kind === 'tags'), { kind: 'tags', tags: ['compost', 'garden'] });
  assert.deepEqual(kinds('soil-life.md'), ['passage', 'tags', 'link']);
  // Words, a tag and a link beat words alone, which beat a link or tags alone.
  assert.ok(by('soil-life.md').score > by('fungi.md').score);
  assert.ok(by('fungi.md').score > by('seeds.md').score);
  assert.ok(by('fungi.md').score > by('allotment.md').score);
  for (let i = 1; i < r.notes.length; i++) assert.ok(r.notes[i - 1]!.score >= r.notes[i]!.score);
});

test('a linking note opens at the chunk holding the link', async () => {
  const dir = join(t.dir, 'links');
  mkdirSync(dir);
  writeFileSync(join(dir, 'target.md'), '# Target\n\nQuasar lighthouse.\n');
  writeFileSync(join(dir, 'linker.md'), '# Linker\n\nIntro text.\n\n## Elsewhere\n\nUnrelated bread.\n\n## Pointer\n\nGo to [it](./target.md).\n');
  const v = Vault.open(join(t.dir, 'links.db'));
  try {
    await v.indexRoots([dir]);
    const r = related(v).find('target.md');
    assert.deepEqual(r.notes.map((n) => [n.path, n.startLine, n.endLine]), [['linker.md', 9, 11]]);
    assert.deepEqual(r.notes[0]!.reasons.find((x) => x.kind === 'link'), { kind: 'link', direction: 'in', line: 11 });
  } finally {
    v.close();
  }
});

test('by vectors when the active embedding model has vectors for the note: the closest note by meaning first', () => {
  const store = new EmbeddingStore(notes.db);
  const chunks = notes.db.all<{ hash: string; path: string }>('SELECT c.hash, d.path FROM chunks c JOIN documents d ON d.id = c.doc_id');
  // Hand-made 4-dim vectors: taxes.md points where compost.md does (no word in common), the others elsewhere.
  const near = (p: string): number[] => (p === 'compost.md' ? [1, 0.1, 0, 0] : p === 'taxes.md' ? [0.9, 0.2, 0, 0] : p === 'seeds.md' ? [0.2, 1, 0, 0] : [0, 0.1, 1, 0.3]);
  store.put('hand-made', chunks.map((c) => ({ chunkHash: c.hash, vector: near(c.path) })));
  store.setActiveModel('hand-made');
  try {
    const r = related(notes).find('compost.md', { limit: 10 });
    assert.equal(r.by, 'vectors');
    assert.equal(r.notes[0]!.path, 'taxes.md', paths(r.notes).join(', '));
    const p = r.notes[0]!.reasons[0]!;
    assert.ok(p.kind === 'passage' && p.by === 'vectors' && p.similarity! > 0.95, JSON.stringify(p));
    assert.ok(!paths(r.notes).includes('compost.md'));
    // Links and tags still count and show.
    assert.ok(r.notes.find((n) => n.path === 'allotment.md')!.reasons.some((x) => x.kind === 'link'));
  } finally {
    store.deleteModel('hand-made');
    notes.db.run('DELETE FROM embedding_coverage');
  }
  // Without vectors for the vault's active model: by words again.
  assert.equal(related(notes).find('compost.md').by, 'words');
});

test('a path that is no note of the vault is a clear error', () => {
  assert.throws(() => related(notes).find('nope.md'), /nope\.md is not a note of this vault/);
  assert.throws(() => related(notes).find('/etc/passwd'), /outside the vault's folders/);
});

test('CLI: related --json prints an array of {path, score, reasons}, best first; plain output; errors', async () => {
  const r = await cliInProcess(['related', 'compost.md', '--db', notesDb, '--json', '--limit', '3']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as unknown[];
  assert.ok(Array.isArray(out) && out.length === 3);
  for (const item of out) assert.deepEqual(Object.keys(item as object).sort(), ['path', 'reasons', 'score']);
  const first = out[0] as { path: string; score: number; reasons: { kind: string }[] };
  assert.match(first.path, /^(soil-life|worm-bins)\.md$/);
  assert.ok(first.score > 0 && first.reasons.length > 0);
  const plain = await cliInProcess(['related', join(notesDir, 'compost.md'), '--db', notesDb]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /^soil-life\.md:\d+-\d+ {2}Soil life/m);
  assert.match(plain.stdout, /links here \(line 3\)/);
  const missing = await cliInProcess(['related', 'nope.md', '--db', notesDb]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /codex-vault related: nope\.md is not a note of this vault/);
  const usage = await cliInProcess(['related', '--db', notesDb]);
  assert.equal(usage.code, 2);
  const help = await cliInProcess(['related', '--help']);
  assert.match(help.stdout, /Usage: codex-vault related <path> --db <file> \[--json\] \[--limit n\]/);
});
