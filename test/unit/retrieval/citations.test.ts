import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCitations, CitationStreamFilter } from '../../../src/app/ask/citations';

const SOURCES = [
  { n: 1, path: 'rust/ownership.md', startLine: 10, endLine: 24 },
  { n: 2, path: 'rust/borrowing.md', startLine: 3, endLine: 9 },
];

test('citations map to path and lines; invented ones are removed and reported', () => {
  const r = checkCitations('Each value has one owner [1]. References borrow it [2][1]. Lifetimes are checked [7]. See also [1, 9].', SOURCES);
  assert.equal(r.text, 'Each value has one owner [1]. References borrow it [2][1]. Lifetimes are checked. See also [1].');
  assert.deepEqual(r.citations, [
    { n: 1, path: 'rust/ownership.md', startLine: 10, endLine: 24 },
    { n: 2, path: 'rust/borrowing.md', startLine: 3, endLine: 9 },
  ]);
  assert.deepEqual(r.invalid, [7, 9]);
  assert.equal(r.uncited, false);
});

test('an answer without citations is marked; brackets that are not citations are left alone', () => {
  const r = checkCitations('Use a [slice] or arr[0] and [a, b]. No sources here.', SOURCES);
  assert.equal(r.text, 'Use a [slice] or arr[0] and [a, b]. No sources here.');
  assert.equal(r.uncited, true);
  assert.deepEqual(r.citations, []);
  // A free-standing [0] is a citation of a source that does not exist: removed.
  assert.deepEqual(checkCitations('x [0] y', SOURCES), { text: 'x y', citations: [], invalid: [0], uncited: true });
  assert.equal(checkCitations('only invented [3]', SOURCES).uncited, true);
});

test('the streaming filter gives the same text as checking the whole answer, however it is split', () => {
  const answers = [
    'Each value has one owner [1]. Lifetimes are checked [7]. See also [1, 9] and [2].',
    'Start [12] middle [2] end [',
    'No citations at all, just text with a trailing space ',
    '[5] at the start, then [1]',
    'Index with arr[0] or v[2], cite [2] not [0].',
  ];
  for (const answer of answers) {
    const expected = checkCitations(answer, SOURCES).text;
    for (let size = 1; size <= 7; size++) {
      const f = new CitationStreamFilter(SOURCES);
      let out = '';
      for (let i = 0; i < answer.length; i += size) out += f.push(answer.slice(i, i + size));
      out += f.flush();
      assert.equal(out, expected, `chunk size ${size}: ${answer}`);
    }
  }
});
