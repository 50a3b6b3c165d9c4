// Lexical search over a real vault of the Rust book: ranking sanity, phrases, prefixes,
// filters, snippets, and hostile user text that must never raise an FTS syntax error.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { toFtsQuery } from '../../../src/vault/search/ftsQuery';
import { Vault } from '../../../src/vault/vault';
import { rustBook, tempDir } from '../../helpers/paths';

const t = tempDir();
let vault: Vault;

before(async () => {
  vault = Vault.open(join(t.dir, 'book.db'));
  const s = await vault.indexRoots([rustBook]);
  assert.ok(s.added > 100);
});

after(() => {
  vault.close();
  t.cleanup();
});

test('ranking: the chapter about a topic comes first', () => {
  const cases: [string, RegExp][] = [
    ['ownership borrowing', /^ch04-/],
    ['lifetime elision', /^ch10-03-lifetime-syntax\.md$/],
    ['trait objects dynamic dispatch', /^ch18-02-trait-objects\.md$/],
    ['Rc reference counting', /^ch15-04-rc\.md$/],
    ['unsafe raw pointer', /^ch20-01-unsafe-rust\.md$/],
    ['cargo workspace', /^ch14-03-cargo-workspaces\.md$/],
  ];
  for (const [q, expected] of cases) {
    const hits = vault.searchLexical(q, { limit: 5 });
    assert.ok(hits.length > 0, `"${q}" finds something`);
    assert.match(hits[0]!.path, expected, `"${q}" -> ${hits.map((h) => h.path).join(', ')}`);
  }
});

test('hits carry root-relative paths, exact lines, heading path, descending scores and a highlighted snippet', async () => {
  const hits = vault.searchLexical('ownership borrowing', { limit: 10 });
  assert.equal(hits.length, 10);
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.score >= hits[i]!.score, 'best first, scores descending');
  const { readFileSync } = await import('node:fs');
  for (const h of hits) {
    assert.equal(h.root, rustBook);
    assert.ok(!h.path.includes('\\') && !h.path.startsWith('/'));
    assert.ok(h.startLine >= 1 && h.endLine >= h.startLine);
    const lines = readFileSync(join(rustBook, h.path), 'utf8').split('\n');
    assert.ok(h.endLine <= lines.length);
    assert.match(h.snippet, /«[^»]+»/);
    assert.ok(h.score > 0);
  }
  const top = hits[0]!;
  assert.equal(top.heading.split(' > ')[0], 'References and Borrowing');
  // The snippet's marked words are really in the cited lines.
  const cited = readFileSync(join(rustBook, top.path), 'utf8').split('\n').slice(top.startLine - 1, top.endLine).join('\n').toLowerCase();
  for (const m of top.snippet.matchAll(/«([^»]+)»/g)) assert.ok(cited.includes(m[1]!.toLowerCase()), `${m[1]} is in lines ${top.startLine}-${top.endLine}`);
});

test('title and heading matches outrank the same words in running text', () => {
  // "Smart pointers" is the title of chapter 15's sections; the words also occur in other chapters' prose.
  const hits = vault.searchLexical('smart pointers', { limit: 3 });
  assert.match(hits[0]!.path, /^ch15-/);
  assert.match(hits[0]!.heading.toLowerCase(), /smart pointer/);
});

test('phrases, explicit prefixes, OR, and the last word as a prefix while typing', () => {
  const phrase = vault.searchLexical('"dangling reference"', { limit: 20 });
  assert.ok(phrase.length > 0);
  // The snippet shows the body; when the phrase is only in the heading, the body is shown unmarked.
  for (const h of phrase) assert.ok(/«dangling\W+reference/.test(h.snippet.toLowerCase()) || /dangling reference/.test(h.heading.toLowerCase()), `${h.heading}: ${h.snippet}`);
  assert.ok(phrase.some((h) => /«dangling\W+reference/.test(h.snippet.toLowerCase())));
  assert.equal(vault.searchLexical('"reference dangling borrow checker compile"').length, 0, 'a phrase needs the words in order');

  // Without prefixLast a partial word is a word, not a prefix (of four letters, too short to be taken for a slip).
  assert.equal(vault.searchLexical('borr').length, 0, 'without prefixLast a partial word is a word');
  assert.ok(vault.searchLexical('borr', { prefixLast: true, limit: 5 }).length > 0);
  const typing = vault.searchLexical('borrowi', { prefixLast: true, limit: 5 });
  assert.ok(typing.length > 0, 'typing "borrowi" already finds borrowing');
  for (const h of typing) assert.ok(/«borrow/.test(h.snippet.toLowerCase()) || /borrow/.test(`${h.heading} ${h.title}`.toLowerCase()), `${h.heading}: ${h.snippet}`);
  assert.ok(vault.searchLexical('ownership borrowing', { prefixLast: true }).length > 0, 'a finished word still matches with prefixLast');
  assert.ok(vault.searchLexical('refcel*', { limit: 5 }).some((h) => /«refcell/i.test(h.snippet)));

  const either = vault.searchLexical('zebraword OR lifetimes', { limit: 5 });
  assert.ok(either.length > 0, 'OR in capitals is "either"');
  assert.equal(vault.searchLexical('zebraword AND lifetimes', { limit: 5 }).length, 0);
});

test('several words: all-words matches first, then partial matches fill the list', () => {
  const hits = vault.searchLexical('ownership qwertyzzz', { limit: 5 });
  assert.equal(hits.length, 5, 'no chunk has both words; chunks with one of them follow');
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.score >= hits[i]!.score);
});

test('path prefix filter, custom snippet markers and limit', () => {
  const hits = vault.searchLexical('memory', { limit: 50, pathPrefix: 'ch15' });
  assert.ok(hits.length > 3);
  assert.ok(hits.every((h) => h.path.startsWith('ch15')));
  assert.deepEqual(vault.searchLexical('memory', { limit: 5, pathPrefix: './ch15' }).map((h) => h.chunkId), hits.slice(0, 5).map((h) => h.chunkId));
  assert.equal(vault.searchLexical('memory', { pathPrefix: 'no-such-folder/' }).length, 0);
  const marked = vault.searchLexical('ownership', { limit: 3, snippetMarkers: ['\uE000', '\uE001'] });
  // Every "ownership" shown is marked with the given markers (a chunk found by its heading alone shows its body unmarked).
  assert.ok(marked.some((h) => /\uE000ownership\uE001/i.test(h.snippet)) && marked.every((h) => !h.snippet.includes('«')));
  for (const h of marked) assert.doesNotMatch(h.snippet, /(^|[^\uE000])ownership/i, h.snippet);
  assert.equal(vault.searchLexical('the', { limit: 7 }).length, 7);
});

test('tag filter on front matter tags and #tags', async () => {
  const d = tempDir();
  try {
    mkdirSync(join(d.dir, 'n'));
    writeFileSync(join(d.dir, 'n', 'a.md'), '---\ntitle: Garden plan\ntags: [garden, Spring]\n---\n# Beds\n\nPlant tomatoes in the south bed.\n');
    writeFileSync(join(d.dir, 'n', 'b.md'), '# Kitchen\n\nTomatoes go in the sauce. #cooking\n');
    writeFileSync(join(d.dir, 'n', 'c.md'), '# Notes\n\nNothing about tomatoes here, just #garden-tools.\n');
    const v = Vault.open(join(d.dir, 'v.db'));
    try {
      await v.indexRoots([join(d.dir, 'n')]);
      assert.equal(v.searchLexical('tomatoes').length, 3);
      assert.deepEqual(v.searchLexical('tomatoes', { tag: 'garden' }).map((h) => h.path), ['a.md']);
      assert.deepEqual(v.searchLexical('tomatoes', { tag: '#Spring' }).map((h) => h.path), ['a.md']);
      assert.deepEqual(v.searchLexical('tomatoes', { tag: 'cooking' }).map((h) => h.path), ['b.md']);
      assert.deepEqual(v.searchLexical('tomatoes', { tag: 'garden-tools' }).map((h) => h.path), ['c.md']);
      assert.deepEqual(v.searchLexical('tomatoes', { tag: 'nope' }), []);
      // The title from front matter is searchable and weighted.
      assert.equal(v.searchLexical('garden plan')[0]?.title, 'Garden plan');
    } finally {
      v.close();
    }
  } finally {
    d.cleanup();
  }
});

const HOSTILE: string[] = [
  '', ' ', '\t\n', '"', '""', '"""', '" "', '(', ')', '()', '((((', '))', 'AND', 'OR', 'NOT', 'AND OR NOT', 'ownership AND', 'OR borrowing',
  'NOT ownership', 'ownership NOT', 'ownership OR', 'OR OR OR', '-', '--', '-draft', '-draft notes', '--help', '*', '**', '*own', 'own**', ':', '::',
  'title:rust', 'body: memory', 'chunks_fts:x', '^', '^start', '+', '+1', 'NEAR(a b)', 'NEAR(', 'NEAR/2', 'C++', 'c#', "what's new?",
  'a:b:c', '{title body}: x', '[x]', 'rust"', '"unclosed phrase', 'a " b', 'x"y"z', '\u0000', 'null\u0000byte', '🦀', '🦀 crab', 'naïve café',
  '日本語の文章', 'Привет мир', 'עברית', '\ud800', 'a\ud800b', 'x'.repeat(5000), 'word '.repeat(400), '%', '_', "'; DROP TABLE chunks; --",
  '\\', '/', '..', '. . .', '@#$%^&*', '"ownership" AND "borrowing"', 'col:"x"', 'rank:1', 'rowid', 'MATCH', '\u200b', '\u0301', 'e\u0301',
];

test(`${HOSTILE.length} hostile queries never throw, with or without prefix matching and filters`, () => {
  assert.ok(HOSTILE.length >= 30);
  for (const q of HOSTILE) {
    for (const opts of [{}, { prefixLast: true }, { prefixLast: true, pathPrefix: 'ch0', tag: 'x' }]) {
      let hits;
      try {
        hits = vault.searchLexical(q, opts);
      } catch (err) {
        assert.fail(`${JSON.stringify(q).slice(0, 60)} with ${JSON.stringify(opts)} threw: ${(err as Error).message}`);
      }
      assert.ok(Array.isArray(hits));
    }
    // The expression itself is valid FTS5 whatever the text.
    const expr = toFtsQuery(q, { prefixLast: true });
    if (expr !== null) vault.db.all('SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 1', [expr]);
  }
  assert.ok(vault.searchLexical('-draft notes').length > 0, 'a leading dash is not an operator');
  assert.ok(vault.searchLexical('NOT ownership').length > 0);
  assert.ok(vault.searchLexical('C++').length > 0);
  assert.deepEqual(vault.searchLexical('()'), []);
  assert.deepEqual(vault.searchLexical(''), []);
});
