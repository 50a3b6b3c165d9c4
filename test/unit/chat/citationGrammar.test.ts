// One citation grammar for the server's check and both renderers: every case of the table is read
// the same way by checkCitations (what is kept and stored), the chat webview's marker pass (what
// becomes a chip) and the inline answer's Markdown (what becomes a link).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markCitations, MARKER_RE } from '../../../media/chat/citationMarkers';
import { citedNumbers, tokenizeAnswer } from '../../../src/app/ask/citationGrammar';
import { checkCitations, CitationStreamFilter } from '../../../src/app/ask/citations';
import { answerToMarkdown } from '../../../src/views/inline/answerMarkdown';

const SOURCES = [1, 2, 3].map((n) => ({ n, path: `n${n}.md`, startLine: n, endLine: n + 1 }));
const CITATIONS = SOURCES.map((s) => ({ ...s, root: '/w' }));

/** [answer text, the numbers it cites, in order]. */
const CASES: [string, number[]][] = [
  ['Each value has one owner [1].', [1]],
  ['Borrowing [1, 2] works.', [1, 2]],
  ['Borrowing [1; 2] works.', [1, 2]],
  ['Borrowing [1][2] works.', [1, 2]],
  ['Spaces inside [ 1 , 3 ] are fine.', [1, 3]],
  ['(see [3])', [3]],
  ['At the start: [2] then.', [2]],
  ['Two lines [1]\n[2] here.', [1, 2]],
  ['每个值都有一个所有者[1]。', [1]],
  ['所有権は[2]と[3]で説明されている。', [2, 3]],
  ['ownership[1] glued to a word', []],
  ['Index with x[1] or arr[0].', []],
  ['A matrix m[0][1].', []],
  ['A reference link [the book][1].', []],
  ['An escaped \\[1] bracket.', []],
  ['In [2024] it changed.', []],
  ['A [slice] or [a, b] is text.', []],
  ['Across lines [1,\n2] is not one.', []],
  ['Inline `v = [1]` code.', []],
  ['Double ``a `[1]` b`` span.', []],
  ['```rust\nlet v = [1, 2];\n```\nthen [3].', [3]],
  ['~~~\n[1]\n~~~', []],
  ['Streaming fence\n```\n[1]', []],
  ['Not a fence ``` [2] mid-line', [2]],
  ['Unmatched ` tick [1] here', [1]],
];

test('the grammar table: each case reads the same in the server check and both renderers', () => {
  for (const [text, cited] of CASES) {
    assert.deepEqual(citedNumbers(text), cited, `grammar: ${JSON.stringify(text)}`);
    const tokens = tokenizeAnswer(text);
    assert.equal(tokens.map((t) => t.text).join(''), text, 'tokens give the text back');
    // Server: every cited number here is a real source, so all are kept and the text is unchanged
    // except for the normalized separator.
    const check = checkCitations(text, SOURCES);
    assert.deepEqual(check.citations.map((c) => c.n), [...new Set(cited)], `server: ${JSON.stringify(text)}`);
    assert.equal(check.uncited, cited.length === 0);
    // Chat webview: one marker per cited number.
    assert.deepEqual([...markCitations(text).matchAll(MARKER_RE)].map((m) => Number(m[1])), cited, `chat: ${JSON.stringify(text)}`);
    // Inline answer: one command link per cited number.
    const links = [...answerToMarkdown(text, CITATIONS).matchAll(/\[(\d+)\]\(command:/g)].map((m) => Number(m[1]));
    assert.deepEqual(links, cited, `inline: ${JSON.stringify(text)}`);
  }
});

test('invented numbers are removed by the server and stay plain text in the renderers', () => {
  assert.equal(checkCitations('Owners [1; 7] and [9].', SOURCES).text, 'Owners [1] and.');
  assert.deepEqual(checkCitations('Owners [1; 7] and [9].', SOURCES).invalid, [7, 9]);
  assert.equal(checkCitations('x [7][1] y', SOURCES).text, 'x [1] y');
  // Code is never touched, even where it looks like an invented citation.
  assert.equal(checkCitations('```\nlet v = [9];\n```', SOURCES).text, '```\nlet v = [9];\n```');
  assert.equal(checkCitations('Use `[9]` here [2].', SOURCES).text, 'Use `[9]` here [2].');
  assert.ok(answerToMarkdown('Owners [7].', CITATIONS).includes('\\[7\\]'));
});

test('the streaming filter gives the same text as the whole-answer check for every table case, however split', () => {
  const extra = [
    'Owners [1; 7] and [9]. Code: `a [9]` then ```\nx [8]\n``` and [2].',
    'x [7][1] y [7]',
    'Year [2024] and v[1] and 所有者[9]。',
    'Tick ` then [9] and ` closes [1]',
  ];
  for (const answer of [...CASES.map(([t]) => t), ...extra]) {
    const expected = checkCitations(answer, SOURCES.slice(0, 2)).text;
    for (let size = 1; size <= 7; size++) {
      const f = new CitationStreamFilter(SOURCES.slice(0, 2));
      let out = '';
      for (let i = 0; i < answer.length; i += size) out += f.push(answer.slice(i, i + size));
      out += f.flush();
      assert.equal(out, expected, `chunk size ${size}: ${JSON.stringify(answer)}`);
    }
  }
});

test('a marker character the answer itself holds never becomes a chip', () => {
  assert.deepEqual([...markCitations('fake \u{E010}2\u{E011} and [1]').matchAll(MARKER_RE)].map((m) => Number(m[1])), [1]);
});
