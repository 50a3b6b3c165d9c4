// Quick pick rows from search hits: markers removed, note text kept as inert single-line text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SNIPPET_CLOSE as C, SNIPPET_OPEN as O, type SearchResultItem } from '../../../src/worker/protocol';
import { groupByNote, parseSnippet, toRow } from '../../../src/views/search/searchItems';

const hit = (over: Partial<SearchResultItem> = {}): SearchResultItem => ({
  chunkId: 1, root: '/w/notes', path: 'a/b.md', title: 'B', heading: 'B > Part', startLine: 3, endLine: 9, score: 1,
  snippet: `the ${O}borrow${C} checker and ${O}borrow${C}s`, ...over,
});

test('parseSnippet strips markers and returns match ranges', () => {
  const { text, ranges } = parseSnippet(`the ${O}borrow${C} checker and ${O}borrow${C}s`);
  assert.equal(text, 'the borrow checker and borrows');
  assert.deepEqual(ranges.map(([s, e]) => text.slice(s, e)), ['borrow', 'borrow']);
});

test('parseSnippet ignores an unmatched close marker', () => {
  assert.deepEqual(parseSnippet(`a${C}b`), { text: 'ab', ranges: [] });
});

test('toRow: heading as label, file:lines as description, one-line snippet as detail', () => {
  const row = toRow(hit({ snippet: `line one\n\nline ${O}two${C}\t<b>x</b>` }), false, () => 'notes');
  assert.equal(row.label, '$(markdown) B > Part');
  assert.equal(row.description, 'a/b.md:3–9');
  assert.equal(row.detail, 'line one line two <b>x</b>');
});

test('toRow: multi-root prefixes the folder name; empty heading falls back to the title', () => {
  const row = toRow(hit({ heading: '' }), true, () => 'notes');
  assert.equal(row.label, '$(markdown) B');
  assert.equal(row.description, 'notes › a/b.md:3–9');
});

test('toRow: $(icon) syntax from note text is neutralised; long snippets are cut', () => {
  const row = toRow(hit({ heading: 'Use $(zap) here', snippet: '$(alert) ' + 'x'.repeat(400) }), false, () => '');
  assert.ok(!row.label.slice('$(markdown) '.length).includes('$('));
  assert.ok(!row.detail.includes('$('));
  assert.ok(row.detail.length <= 160);
  assert.ok(row.detail.endsWith('…'));
});

test('groupByNote: each note heads its chunks, in the order of its best chunk; past the cap a note comes back later', () => {
  const at = (path: string, startLine: number, title = path.toUpperCase()): SearchResultItem => hit({ path, title, startLine, endLine: startLine + 1, heading: `${title} > ${startLine}` });
  // As the vault orders them: at most 3 chunks of a note before the others, the rest after.
  const hits = [at('a.md', 1), at('b.md', 5), at('a.md', 9), at('a.md', 20), at('c.md', 2), at('b.md', 7), at('a.md', 30), at('a.md', 40)];
  const groups = groupByNote(hits, 3, false, () => '');
  assert.deepEqual(groups.map((g) => [g.label, g.rows.map((r) => r.hit.startLine)]), [
    ['A.MD', [1, 9, 20]],
    ['B.MD', [5, 7]],
    ['C.MD', [2]],
    ['A.MD', [30, 40]],
  ]);
  assert.equal(groups[0]!.rows[0]!.description, 'a.md:1–2', 'every row keeps its exact lines');
  const multi = groupByNote([at('a.md', 1, '$(zap) Title')], 3, true, () => 'notes');
  assert.equal(multi[0]!.label, 'notes › $\u200b(zap) Title');
});

test('toRow: a long snippet is cut between characters, never inside one (emoji, surrogate pairs, Thai marks)', () => {
  for (const unit of ['👩‍👩‍👧', '𠀋', 'กิ', 'é']) {
    for (let pad = 0; pad < 6; pad++) {
      const row = toRow(hit({ snippet: 'a'.repeat(150 + pad) + unit.repeat(40) }), false, () => '');
      assert.ok(row.detail.length <= 160);
      const body = row.detail.slice(0, -1);
      assert.ok(row.detail.endsWith('…'));
      assert.equal(body.replace(/^a+/, '').length % unit.length, 0, `${unit} cut in half at pad ${pad}: ${JSON.stringify(body.slice(-4))}`);
      assert.ok(!/[\ud800-\udbff]$/.test(body), 'no lone high surrogate at the cut');
    }
  }
});
