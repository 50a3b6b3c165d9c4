// Bounded cost: a chunk has a maximum size even when it is one long line (a minified file, a
// pasted log), its pieces keep the line's number and give the line back when joined, no cut ever
// falls inside a character, and a 2 MB one-line note is indexed and searched quickly.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseNote } from '../../../src/vault/markdown/parseNote';
import { DEFAULT_MAX_CHUNK_TOKENS, estimateTokens, splitLongLine } from '../../../src/vault/markdown/textSize';
import { Vault } from '../../../src/vault/vault';
import { tempDir } from '../../helpers/paths';

const MB2 = 2 * 1024 * 1024;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Pieces of `line` as the chunker cuts it, checked: within the limits, joined they give the line, every cut a grapheme boundary. */
function checkedPieces(line: string, maxChars = 1500, maxTokens = DEFAULT_MAX_CHUNK_TOKENS): string[] {
  const ends = splitLongLine(line, { maxChars, maxTokens });
  const pieces: string[] = [];
  let at = 0;
  for (const end of ends) {
    assert.ok(end > at, 'every piece holds something');
    pieces.push(line.slice(at, end));
    at = end;
  }
  assert.equal(at, line.length);
  assert.equal(pieces.join(''), line, 'the pieces give the line back');
  const segments = graphemes.segment(line);
  for (const end of ends.slice(0, -1)) {
    assert.equal(segments.containing(end)!.index, end, `the cut at ${end} is a grapheme cluster boundary`);
  }
  for (const p of pieces) {
    assert.ok(p.length <= maxChars, `${p.length} chars`);
    assert.ok(estimateTokens(p) <= maxTokens, `${estimateTokens(p)} tokens`);
    assert.doesNotMatch(p, /^[\udc00-\udfff]|[\ud800-\udbff]$/, 'no piece starts or ends inside a surrogate pair');
  }
  return pieces;
}

test('a 2 MB one-line note becomes chunks of that line: exact line numbers, texts that join back to the line, each within the limits', () => {
  const words = ['ownership', 'borrow', 'thread', 'memory', 'cargo', 'crate', 'trait', 'lifetime', 'a', 'to'];
  let line = '';
  for (let i = 0; line.length < MB2 - 200; i++) line += words[(i * 7) % words.length] + (i % 11 === 10 ? '. ' : ' ');
  const text = `# Pasted\n\nIntro paragraph.\n${line}\nAfter the line.\n`;
  const p = parseNote(text, 'pasted.md');
  const onLine = p.chunks.filter((c) => c.startLine === 4);
  assert.ok(onLine.length > 1000, `${onLine.length} chunks on the long line`);
  for (const c of onLine) {
    assert.equal(c.endLine, 4, 'a piece of line 4 starts and ends on line 4');
    assert.ok(c.text.length <= 1500 && estimateTokens(c.text) <= DEFAULT_MAX_CHUNK_TOKENS);
    assert.deepEqual(c.headingPath, ['Pasted']);
  }
  assert.equal(onLine.map((c) => c.text).join(''), line, 'the pieces, in order, are the line');
  // Written text is cut after a space, never inside a word.
  for (const c of onLine.slice(0, -1)) assert.match(c.text, /\s$/);
  // The lines around it are chunks of their own, whole.
  assert.deepEqual(p.chunks.filter((c) => c.startLine !== 4).map((c) => [c.startLine, c.endLine, c.text]), [
    [1, 3, '# Pasted\n\nIntro paragraph.'],
    [5, 5, 'After the line.'],
  ]);
  assert.deepEqual(p.chunks.map((c) => c.ord), p.chunks.map((_, i) => i));
});

test('cuts never split a surrogate pair or a grapheme cluster: CJK extension B, emoji sequences, flags, combining marks, Hangul jamo, Indic conjuncts', () => {
  const cases: Record<string, string> = {
    'CJK extension B (surrogate pairs), no spaces': '𠀀𠀁𠀂𪜀𫝀'.repeat(2000),
    'emoji ZWJ families and skin tones': '👩‍👩‍👧‍👦👍🏽🧑🏿‍🔬'.repeat(700),
    'flags (regional indicator pairs)': '🇺🇸🇫🇷🇯🇵'.repeat(700),
    'combining accents': 'e\u0301a\u0300o\u0302\u0323'.repeat(1500),
    'Hangul jamo sequences': '\u1100\u1161\u11a8\u1102\u1165'.repeat(1500),
    'Devanagari conjuncts': 'क्षत्रि'.repeat(1500),
    'Thai, no spaces': 'ภาษาไทยไม่มีการเว้นวรรค'.repeat(300),
    'Chinese with punctuation': '所有权是Rust最独特的功能，它让Rust无需垃圾回收即可保证内存安全。'.repeat(200),
  };
  for (const [name, line] of Object.entries(cases)) {
    const pieces = checkedPieces(line);
    assert.ok(pieces.length > 2, `${name}: ${pieces.length} pieces`);
  }
  // Chinese is about one token per character (pieces of about 448 characters), cut after a full
  // stop or comma when there is one in the second half of the piece.
  const zh = checkedPieces(cases['Chinese with punctuation']!);
  for (const p of zh.slice(0, -1)) assert.match(p, /[，。]$/);
  // A single cluster longer than the limits (a letter under thousands of marks) can only be cut
  // between its code points: still within the limits, still the whole line when joined.
  const zalgo = 'a' + '\u0301'.repeat(5000);
  const ends = splitLongLine(zalgo, { maxChars: 1500, maxTokens: DEFAULT_MAX_CHUNK_TOKENS });
  assert.ok(ends.length >= 4);
  assert.equal(ends[ends.length - 1], zalgo.length);
});

test('names stored with every chunk are capped: a 2 MB heading line, front matter title and tags', () => {
  const h1 = `# ${'Title words '.repeat(170_000)}\n\nbody\n`;
  const p = parseNote(h1, 'h.md');
  assert.ok(p.title.length <= 200 && p.title.endsWith('…'), `title of ${p.title.length} chars`);
  assert.ok(p.chunks.every((c) => c.headingPath.every((h) => h.length <= 200)));
  const fm = parseNote(`---\ntitle: ${'x'.repeat(100_000)}\ntags: [${Array.from({ length: 5000 }, (_, i) => `tag${i}`).join(', ')}]\n---\ntext\n`, 'f.md');
  assert.ok(fm.title.length <= 200);
  assert.equal(fm.tags.length, 5000, 'every tag is kept for filtering');
});

test('a paragraph too long to parse whole still yields its links and tags, on their lines', () => {
  // About 40 KB of text on 200 lines (one paragraph), with a link, a wiki link and a tag every 20 lines.
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    const extra = i % 20 === 5 ? ` see [the guide](guide-${i}.md) and [[Note ${i}]] #topic${i}` : '';
    lines.push(`line ${i} of a very long paragraph that goes on and on with ordinary words in it${extra}`.padEnd(200, ' x'));
  }
  const text = lines.join('\n');
  assert.ok(text.length > 32 * 1024);
  const p = parseNote(text, 'long.md');
  const expected = Array.from({ length: 10 }, (_, k) => 20 * k + 5);
  assert.deepEqual(p.links.filter((l) => l.kind === 'markdown').map((l) => [l.target, l.line]), expected.map((i) => [`guide-${i}.md`, i + 1]));
  assert.deepEqual(p.links.filter((l) => l.kind === 'wiki').map((l) => [l.target, l.line]), expected.map((i) => [`Note ${i}`, i + 1]));
  assert.deepEqual(p.tags, expected.map((i) => `topic${i}`));
});

test('a 2 MB one-line note is indexed and searched in well under a second per query; snippets come from the matching piece', async () => {
  const d = tempDir();
  try {
    const notes = join(d.dir, 'notes');
    mkdirSync(notes);
    const words = ['alpha', 'beta', 'gamma', 'delta', 'ownership', 'borrow', 'thread', 'memory', 'cargo', 'crate', 'trait', 'lifetime'];
    let line = '';
    for (let i = 0; line.length < MB2 - 100; i++) line += words[(i * 7919) % words.length] + (i % 13 === 0 ? '. ' : ' ');
    // A word that occurs once, deep inside the line.
    const at = line.indexOf(' ', 1_500_000);
    line = `${line.slice(0, at)} quokkaneedle${line.slice(at)}`.slice(0, MB2 - 10);
    writeFileSync(join(notes, 'minified.md'), line);
    writeFileSync(join(notes, 'small.md'), '# Small\n\nOwnership and borrowing of memory.\n');
    const v = Vault.open(join(d.dir, 'v.db'));
    try {
      const t0 = performance.now();
      const summary = await v.indexRoots([notes]);
      const indexMs = performance.now() - t0;
      assert.equal(summary.skipped.length, 0);
      assert.ok(summary.totalChunks > 1000);
      // A regression guard, not a benchmark (npm run bench vault measures it): before chunks had a
      // size limit, one such query took minutes.
      assert.ok(indexMs < 30_000, `indexed in ${indexMs.toFixed(0)} ms`);
      const phrase = `"${line.split(' ').slice(1, 3).join(' ')}"`;
      for (const q of ['ownership', 'ownership memory', 'alpha beta gamma delta', 'own*', 'cargo OR crate OR trait', phrase, 'nothingmatches']) {
        const t = performance.now();
        const hits = v.searchLexical(q, { limit: 20 });
        const ms = performance.now() - t;
        assert.ok(ms < 1000, `"${q}" took ${ms.toFixed(0)} ms`);
        if (q !== 'nothingmatches') assert.ok(hits.length > 0, q);
        for (const h of hits) assert.ok(h.snippet.length < 600, `a snippet of ${h.snippet.length} chars`);
      }
      const [needle] = v.searchLexical('quokkaneedle');
      assert.ok(needle);
      assert.equal(needle.path, 'minified.md');
      assert.deepEqual([needle.startLine, needle.endLine], [1, 1]);
      assert.match(needle.snippet, /^….*«quokkaneedle»/);
    } finally {
      v.close();
    }
  } finally {
    d.cleanup();
  }
});

test('a chunk longer than any the chunker makes (a vault indexed before the limit) is shown unmarked, at once', async () => {
  const d = tempDir();
  try {
    const notes = join(d.dir, 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'n.md'), '# N\n\nshort body with zebra\n');
    const v = Vault.open(join(d.dir, 'v.db'));
    try {
      await v.indexRoots([notes]);
      // What an older Codex Vault wrote for a 1 MB one-line note: one chunk (the FTS triggers index it).
      const huge = 'zebra '.repeat(180_000);
      v.db.run('UPDATE chunks SET body = ? WHERE id = (SELECT min(id) FROM chunks)', [huge]);
      const t = performance.now();
      const [hit] = v.searchLexical('zebra');
      const ms = performance.now() - t;
      assert.ok(hit);
      assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
      assert.ok(!hit.snippet.includes('«') && hit.snippet.startsWith('zebra zebra') && hit.snippet.length < 600, hit.snippet);
    } finally {
      v.close();
    }
  } finally {
    d.cleanup();
  }
});
