import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseNote } from '../../../src/vault/markdown/parseNote';
import { DEFAULT_MAX_CHUNK_TOKENS, estimateTokens } from '../../../src/vault/markdown/textSize';
import type { NoteChunk, ParsedNote } from '../../../src/vault/types';
import { rustBook } from '../../helpers/paths';

const book = (name: string): string => readFileSync(join(rustBook, name), 'utf8');
const ranges = (p: ParsedNote): [number, number, string][] => p.chunks.map((c) => [c.startLine, c.endLine, c.headingPath.join(' > ')]);

/** Every chunk's text is exactly the file's lines startLine..endLine; ords run 0..n-1. */
function assertExact(text: string, p: ParsedNote): void {
  const lines = text.split(/\r\n|\r|\n/);
  p.chunks.forEach((c: NoteChunk, i) => {
    assert.equal(c.ord, i);
    assert.ok(c.startLine >= 1 && c.endLine >= c.startLine && c.endLine <= lines.length, `chunk ${i} range ${c.startLine}-${c.endLine}`);
    assert.equal(c.text, lines.slice(c.startLine - 1, c.endLine).join('\n'), `chunk ${i} text`);
    assert.ok(c.text.trim().length > 0, `chunk ${i} is empty`);
  });
}

/** Fenced code ranges [open, close] (1-based), found independently of the parser. */
function fences(text: string): [number, number][] {
  const out: [number, number][] = [];
  let open = -1;
  let marker = '';
  text.split('\n').forEach((l, i) => {
    const m = /^\s*(`{3,}|~{3,})/.exec(l);
    if (!m) return;
    if (open < 0) {
      open = i + 1;
      marker = m[1]!;
    } else if (m[1]!.startsWith(marker) && l.trim() === m[1]) {
      out.push([open, i + 1]);
      open = -1;
    }
  });
  return out;
}

test('rust book ch04-01: one chunk per heading section, exact lines and heading paths', () => {
  const text = book('ch04-01-what-is-ownership.md');
  const p = parseNote(text, 'ch04-01-what-is-ownership.md', { maxChunkChars: 1_000_000, maxChunkTokens: 1_000_000 });
  assertExact(text, p);
  const own = 'What Is Ownership?';
  const mem = `${own} > Memory and Allocation`;
  assert.deepEqual(ranges(p), [
    [1, 85, own],
    [87, 94, `${own} > Ownership Rules`],
    [96, 132, `${own} > Variable Scope`],
    [134, 178, `${own} > The String Type`],
    [180, 238, mem],
    [240, 359, `${mem} > Variables and Data Interacting with Move`],
    [361, 391, `${mem} > Scope and Assignment`],
    [393, 411, `${mem} > Variables and Data Interacting with Clone`],
    [413, 456, `${mem} > Stack-Only Data: Copy`],
    [458, 476, `${own} > Ownership and Functions`],
    [478, 522, `${own} > Return Values and Scope`],
  ]);
  // No H1 and no front matter: the title is the file name.
  assert.equal(p.title, 'ch04-01-what-is-ownership');
  // The file ends with '\n', so an editor shows 523 lines (the last one empty).
  assert.equal(p.lineCount, 523);
  assert.ok(p.chunks[0]!.text.startsWith('## What Is Ownership?\n\n_Ownership_ is a set of rules'));
  assert.ok(p.chunks[10]!.text.endsWith('[paths-module-tree]: ch07-03-paths-for-referring-to-an-item-in-the-module-tree.html'));
});

test('rust book ch04-01 with the default limit: long sections split at block boundaries, code whole, small overlap', () => {
  const text = book('ch04-01-what-is-ownership.md');
  const p = parseNote(text, 'ch04-01-what-is-ownership.md');
  assertExact(text, p);
  const lines = text.split('\n');
  // Sections still start new chunks: every heading line starts a chunk, with its own path.
  for (const [line, path] of [
    [87, ['What Is Ownership?', 'Ownership Rules']],
    [240, ['What Is Ownership?', 'Memory and Allocation', 'Variables and Data Interacting with Move']],
    [478, ['What Is Ownership?', 'Return Values and Scope']],
  ] as const) {
    const c = p.chunks.find((x) => x.startLine === line);
    assert.ok(c, `a chunk starts at heading line ${line}`);
    assert.deepEqual(c.headingPath, path);
  }
  // The 85-line opening section is split; pieces overlap by at most 2 non-blank lines and cover it all.
  const first = p.chunks.filter((c) => c.headingPath.length === 1);
  assert.ok(first.length >= 3, `opening section split into ${first.length}`);
  assert.equal(first[0]!.startLine, 1);
  assert.equal(first[first.length - 1]!.endLine, 85);
  for (let i = 1; i < first.length; i++) {
    const prev = first[i - 1]!;
    const cur = first[i]!;
    assert.ok(cur.startLine <= prev.endLine + 2, 'no gap between pieces (only blank lines may be dropped)');
    const shared = lines.slice(cur.startLine - 1, Math.min(prev.endLine, cur.endLine)).filter((l) => l.trim()).length;
    assert.ok(shared >= 1 && shared <= 2, `piece ${i} overlaps the previous by ${shared} non-blank lines`);
  }
  for (const c of p.chunks) {
    for (const [a, b] of fences(text)) {
      const cutsInside = (c.startLine > a && c.startLine <= b) || (c.endLine >= a && c.endLine < b);
      assert.ok(!cutsInside, `chunk ${c.startLine}-${c.endLine} cuts the code block ${a}-${b}`);
    }
    // Never over the limit, overlap included.
    assert.ok(c.text.length <= 1500, `chunk ${c.startLine}-${c.endLine} has ${c.text.length} chars`);
    assert.ok(estimateTokens(c.text) <= DEFAULT_MAX_CHUNK_TOKENS, `chunk ${c.startLine}-${c.endLine} has ${estimateTokens(c.text)} tokens`);
  }
});

test('rust book ch03-04 (short, code blocks, reference link) and ch04-00 (H1 title)', () => {
  const text = book('ch03-04-comments.md');
  const p = parseNote(text, 'src/ch03-04-comments.md');
  assertExact(text, p);
  // 1.7 KB, over the 1500-char default: split before the last paragraph (line 41). Its overlap
  // would reach back into the code block ending on line 39, so it has none.
  assert.deepEqual(ranges(p), [
    [1, 39, 'Comments'],
    [41, 45, 'Comments'],
  ]);
  assert.deepEqual(ranges(parseNote(text, 'ch03-04-comments.md', { maxChunkChars: 5000, maxChunkTokens: 5000 })), [[1, 45, 'Comments']]);
  assert.equal(p.title, 'ch03-04-comments');
  // `[“Publishing a Crate to Crates.io”][publishing]` on line 42 resolves through the definition on line 45.
  assert.deepEqual(p.links, [{ target: 'ch14-02-publishing-to-crates-io.html', kind: 'markdown', line: 42 }]);
  assert.deepEqual(p.tags, [], '`{{#rustdoc_include` in code is not a tag');

  const intro = book('ch04-00-understanding-ownership.md');
  const q = parseNote(intro, 'ch04-00-understanding-ownership.md');
  assert.equal(q.title, 'Understanding Ownership');
  assert.deepEqual(ranges(q), [[1, 7, 'Understanding Ownership']]);
  assertExact(intro, q);
});

test('every rust book chapter: exact line texts, within the limits, no code block that fits cut, no empty chunk', () => {
  const files = readdirSync(rustBook).filter((f) => f.endsWith('.md'));
  assert.ok(files.length > 100);
  let bigFences = 0;
  for (const f of files) {
    const text = book(f);
    const lines = text.split('\n');
    const p = parseNote(text, f);
    assertExact(text, p);
    for (const c of p.chunks) assert.ok(c.text.length <= 1500 && estimateTokens(c.text) <= DEFAULT_MAX_CHUNK_TOKENS, `${f}: chunk ${c.startLine}-${c.endLine} is over the limits`);
    for (const [a, b] of fences(text)) {
      const code = lines.slice(a - 1, b).join('\n');
      // A fence too big for one chunk must be cut (between its lines, as every chunk is whole lines here).
      if (code.length + 1 > 1500 || estimateTokens(code) > DEFAULT_MAX_CHUNK_TOKENS) {
        bigFences++;
        continue;
      }
      for (const c of p.chunks) assert.ok(!((c.startLine > a && c.startLine <= b) || (c.endLine >= a && c.endLine < b)), `${f}: chunk ${c.startLine}-${c.endLine} cuts code ${a}-${b}`);
    }
  }
  assert.ok(bigFences > 0, 'the book has code blocks over the limits');
});

test('front matter: title, tags (list or string), aliases; its lines count but are in no chunk', () => {
  const text = ['---', 'title: My Note', 'tags: [Rust, "#Memory"]', 'aliases:', '  - Ownership notes', '  - own', '---', '', 'Intro line #Draft.', '', '# Heading', 'body', ''].join('\n');
  const p = parseNote(text, 'x.md');
  assert.equal(p.title, 'My Note');
  assert.deepEqual(p.tags, ['rust', 'memory', 'draft']);
  assert.deepEqual(p.aliases, ['Ownership notes', 'own']);
  assert.deepEqual(ranges(p), [
    [9, 9, ''],
    [11, 12, 'Heading'],
  ]);
  assertExact(text, p);

  const spaced = parseNote('---\ntags: alpha, beta gamma\nalias: One, Two\n---\ntext', 'n.md');
  assert.deepEqual(spaced.tags, ['alpha', 'beta', 'gamma']);
  assert.deepEqual(spaced.aliases, ['One', 'Two']);
  assert.equal(spaced.title, 'n');
  assert.deepEqual(ranges(spaced), [[5, 5, '']]);
});

test('a file with only front matter, an empty file and a whitespace-only file have no chunks', () => {
  const only = parseNote('---\ntitle: Just meta\n---\n', 'a.md');
  assert.equal(only.title, 'Just meta');
  assert.deepEqual(only.chunks, []);
  assert.equal(only.lineCount, 4);
  const empty = parseNote('', 'dir/Empty Note.md');
  assert.deepEqual(empty.chunks, []);
  assert.equal(empty.title, 'Empty Note');
  assert.equal(empty.lineCount, 1);
  assert.deepEqual(parseNote('\n  \n\t\n', 'w.md').chunks, []);
  // Whitespace-only sections vanish, but a heading with no body is still a chunk of its own.
  assert.deepEqual(ranges(parseNote('# A\n\n\n## B\n\n   \n', 'h.md')), [
    [1, 1, 'A'],
    [4, 4, 'A > B'],
  ]);
});

test('malformed YAML front matter does not throw: the lines stay as text', () => {
  const text = '---\ntitle: [unclosed\ntags: {a: \n---\n\n# Real Title\n\nbody\n';
  const p = parseNote(text, 'bad.md');
  assert.equal(p.title, 'Real Title');
  assertExact(text, p);
  assert.ok(p.chunks.some((c) => c.text.includes('title: [unclosed')), 'the broken block is still indexed as text');
  assert.equal(p.chunks[p.chunks.length - 1]!.startLine, 6);
  // A block that is YAML but not a mapping is not front matter either; an unclosed one neither.
  assert.equal(parseNote('---\njust a string\n---\nx', 's.md').chunks[0]!.startLine, 1);
  assert.equal(parseNote('---\ntitle: x\nno closing line\n', 'u.md').title, 'u');
});

test('wiki links: [[target]], [[target|alias]], [[target#heading]], embeds; not inside code', () => {
  const text = [
    'See [[Ownership]] and [[Borrowing|the borrow rules]],', // 1
    'also [[Lifetimes#Elision]] and ![[diagram.png]].', // 2
    '', // 3
    '`[[not a link]]` and', // 4
    '', // 5
    '```', // 6
    '[[in code]]', // 7
    '```', // 8
    '', // 9
    '- item with [[Nested Note]]', // 10
    '', // 11
    '| a | b |', // 12
    '| - | - |', // 13
    '| [[Table Link]] | x |', // 14
    '', // 15
    '[[#Local heading]] [[ ]] [[a', // 16
    'b]]', // 17
  ].join('\n');
  const p = parseNote(text, 'w.md');
  assert.deepEqual(
    p.links.map((l) => [l.target, l.kind, l.line]),
    [
      ['Ownership', 'wiki', 1],
      ['Borrowing', 'wiki', 1],
      ['Lifetimes', 'wiki', 2],
      ['diagram.png', 'wiki', 2],
      ['Nested Note', 'wiki', 10],
      ['Table Link', 'wiki', 14],
    ],
  );
});

test('markdown links to other files are collected with their lines; URLs and same-page anchors are not', () => {
  const text = [
    '# Links',
    '',
    'A [relative](other%20note.md#part) link,',
    'an [external](https://example.com/a.md), a [mail](mailto:x@y.z),',
    'an [anchor](#links) and <https://auto.link/x.md>.',
    'Image ![pic](img/p.png) is not a note link; [ref][r] is.',
    '',
    '[r]: ../notes/ref.md',
  ].join('\n');
  const p = parseNote(text, 'l.md');
  assert.deepEqual(p.links, [
    { target: 'other note.md', kind: 'markdown', line: 3 },
    { target: '../notes/ref.md', kind: 'markdown', line: 6 },
  ]);
});

test('#tags: in text and headings; not in code, not headings, not URL fragments, not numbers', () => {
  const text = [
    '# Title #Heading-Tag', // tag inside heading text
    '',
    'Plain #alpha, (#beta) and #nested/tag/ and #tag_with-dash.',
    'Not: C#, a#b, issue #1, year #2024, `#code`, [l](x.md#frag), http://x.org/page#frag, ## .',
    '#start-of-line and *#emph*.',
    '',
    '```',
    '#not-a-tag',
    '```',
    '',
    '    #indented-code',
    '',
    '#1st counts, #über too.',
  ].join('\n');
  const p = parseNote(text, 't.md');
  assert.deepEqual(p.tags, ['heading-tag', 'alpha', 'beta', 'nested/tag', 'tag_with-dash', 'start-of-line', 'emph', '1st', 'über']);
  assert.deepEqual(p.chunks[0]!.headingPath, ['Title #Heading-Tag']);
});

test('a fenced code block that fits is never split; one over the limit is cut between its lines', () => {
  const code = Array.from({ length: 60 }, (_, i) => `let value_${i} = compute_something(${i}); // a fairly long line of code`);
  const text = ['## Big code', '', 'Intro paragraph.', '', '```rust', ...code, '```', '', 'After the code.', ''].join('\n');
  // Lines 5-66 are the fence (about 4 KB): over a 500-char limit by itself, within 5000.
  const whole = parseNote(text, 'c.md', { maxChunkChars: 5000, maxChunkTokens: 5000 });
  assert.deepEqual(ranges(whole), [[1, 68, 'Big code']]);
  const small = parseNote(text.replace(/```rust[\s\S]*```/, '```rust\nlet x = 1;\n```'), 'c.md', { maxChunkChars: 30 });
  assert.ok(small.chunks.some((c) => c.text === '```rust\nlet x = 1;\n```'), 'a fence that fits stays whole');

  const p = parseNote(text, 'c.md', { maxChunkChars: 500 });
  assertExact(text, p);
  for (const c of p.chunks) assert.ok(c.text.length <= 500, `chunk ${c.startLine}-${c.endLine}: ${c.text.length} chars`);
  // The fence's lines are packed like any others: pieces follow each other, each line once
  // (no overlap is ever taken from code).
  assert.ok(p.chunks.length >= 8, `cut into ${p.chunks.length} pieces`);
  assert.equal(p.chunks[0]!.startLine, 1);
  assert.equal(p.chunks[p.chunks.length - 1]!.endLine, 68);
  for (let i = 1; i < p.chunks.length; i++) assert.equal(p.chunks[i]!.startLine, p.chunks[i - 1]!.endLine + 1, 'code pieces neither overlap nor skip a line');
  assert.ok(p.chunks.every((c) => c.headingPath[0] === 'Big code'));
});

test('a long section splits at paragraphs with the last 2 non-blank lines repeated, within the limit', () => {
  const para = (n: number): string[] => [`Paragraph ${n} first line with some words in it.`, `Paragraph ${n} second line with more words.`, `Paragraph ${n} third line ends here.`];
  const body: string[] = ['# Long', ''];
  for (let n = 1; n <= 8; n++) body.push(...para(n), '');
  const text = body.join('\n');
  // Paragraph n is on lines 4n-1..4n+1 and is 123 chars with its blank line; 300 fits two, or
  // one behind the 2 lines repeated from the piece before (which count towards the limit).
  const p = parseNote(text, 'long.md', { maxChunkChars: 300 });
  assertExact(text, p);
  assert.deepEqual(ranges(p), [
    [1, 9, 'Long'], // heading + paragraphs 1-2
    [8, 13, 'Long'], // last 2 lines of paragraph 2, then paragraph 3
    [12, 17, 'Long'],
    [16, 21, 'Long'],
    [20, 25, 'Long'],
    [24, 29, 'Long'],
    [28, 33, 'Long'],
  ]);
  for (const c of p.chunks) assert.ok(c.text.length <= 300);
  assert.equal(p.chunks[1]!.text.split('\n')[0], 'Paragraph 2 second line with more words.');
  const noOverlap = parseNote(text, 'long.md', { maxChunkChars: 300, overlapLines: 0 });
  assert.deepEqual(
    noOverlap.chunks.map((c) => [c.startLine, c.endLine]),
    [
      [1, 9],
      [11, 17],
      [19, 25],
      [27, 33],
    ],
  );
});

test('an over-long list splits between items; an over-long paragraph between lines', () => {
  const items = Array.from({ length: 12 }, (_, i) => `- item ${i} with a reasonably long description text`);
  const text = ['## List', '', ...items].join('\n');
  const p = parseNote(text, 'list.md', { maxChunkChars: 200, overlapLines: 0 });
  assertExact(text, p);
  assert.ok(p.chunks.length > 3);
  for (const c of p.chunks.slice(1)) assert.ok(c.text.startsWith('- item'), 'pieces begin at a list item');
  const long = Array.from({ length: 20 }, (_, i) => `line ${i} of a single very long paragraph`).join('\n');
  const q = parseNote(long, 'para.md', { maxChunkChars: 200, overlapLines: 1 });
  assertExact(long, q);
  assert.ok(q.chunks.length > 3);
  assert.equal(q.chunks[q.chunks.length - 1]!.endLine, 20);
});

test('CRLF and lone-CR files give the same lines as LF, as an editor numbers them', () => {
  const lf = '---\ntitle: T\n---\n# A\n\ntext #tag [[Link]]\n\n## B\n\nmore\n';
  const crlf = lf.replace(/\n/g, '\r\n');
  const cr = lf.replace(/\n/g, '\r');
  const a = parseNote(lf, 'x.md');
  for (const other of [parseNote(crlf, 'x.md'), parseNote(cr, 'x.md'), parseNote(`\uFEFF${crlf}`, 'x.md')]) {
    assert.deepEqual(other, a);
  }
  assert.deepEqual(ranges(a), [
    [4, 6, 'A'],
    [8, 10, 'A > B'],
  ]);
  assert.deepEqual(a.links, [{ target: 'Link', kind: 'wiki', line: 6 }]);
  assert.equal(a.chunks[0]!.text, '# A\n\ntext #tag [[Link]]');
});

test('setext headings, nested heading paths, and headings inside lists or quotes', () => {
  const text = [
    'Preamble before any heading.', // 1
    '', // 2
    'Top Title', // 3
    '=========', // 4
    '', // 5
    'Section', // 6
    '-------', // 7
    'text', // 8
    '### Deep', // 9
    'deep text', // 10
    '## Back Up', // 11
    '> # quoted heading', // 12
    '- # heading in a list', // 13
  ].join('\n');
  const p = parseNote(text, 's.md');
  assertExact(text, p);
  assert.equal(p.title, 'Top Title');
  assert.deepEqual(ranges(p), [
    [1, 1, ''],
    [3, 4, 'Top Title'],
    [6, 8, 'Top Title > Section'],
    [9, 10, 'Top Title > Section > Deep'],
    [11, 13, 'Top Title > Back Up'],
  ]);
});

test('invalid options are refused with a clear error', () => {
  assert.throws(() => parseNote('x', 'x.md', { maxChunkChars: 0 }), /maxChunkChars must be a positive integer/);
  assert.throws(() => parseNote('x', 'x.md', { overlapLines: -1 }), /overlapLines must be a non-negative integer/);
});
