// Text anchoring against a real note (the Rust book's ownership chapter) and real edits to it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { captureAnchor, locateAnchor, splitLines } from '../../../src/vault/bookmarks/anchor';
import { BookmarkError } from '../../../src/vault/bookmarks/types';
import { rustBook } from '../../helpers/paths';

const original = readFileSync(join(rustBook, 'ch04-01-what-is-ownership.md'), 'utf8');
const lines = splitLines(original);

/** The text with `inserted` lines put before line `at` (1-based). */
function insertAt(text: string, at: number, inserted: string[]): string {
  const l = splitLines(text);
  l.splice(at - 1, 0, ...inserted);
  return l.join('\n');
}
function deleteLines(text: string, from: number, count: number): string {
  const l = splitLines(text);
  l.splice(from - 1, count);
  return l.join('\n');
}
function replaceLine(text: string, line: number, fn: (s: string) => string): string {
  const l = splitLines(text);
  l[line - 1] = fn(l[line - 1]!);
  return l.join('\n');
}
/** Line number (1-based) of the first line equal to `s` at or after `from`. */
function lineOf(s: string, from = 1): number {
  const i = lines.findIndex((l, k) => k >= from - 1 && l === s);
  assert.ok(i >= 0, `fixture line not found: ${s}`);
  return i + 1;
}

const stackStart = lineOf('> ### The Stack and the Heap');

test('an unchanged file resolves to the same lines, ok', () => {
  const a = captureAnchor(original, stackStart, stackStart + 3);
  assert.deepEqual(locateAnchor(a, original), { startLine: stackStart, endLine: stackStart + 3, status: 'ok' });
});

test('lines inserted above move the bookmark down by as many lines', () => {
  const a = captureAnchor(original, stackStart, stackStart + 3);
  const edited = insertAt(original, 3, ['New paragraph one.', '', 'New paragraph two.', '', '']);
  const r = locateAnchor(a, edited);
  assert.deepEqual(r, { startLine: stackStart + 5, endLine: stackStart + 8, status: 'moved' });
  assert.equal(splitLines(edited).slice(r.startLine - 1, r.endLine).join('\n'), a.text);
});

test('lines deleted above move the bookmark up', () => {
  const a = captureAnchor(original, stackStart, stackStart + 1);
  const r = locateAnchor(a, deleteLines(original, 3, 9));
  assert.deepEqual(r, { startLine: stackStart - 9, endLine: stackStart - 8, status: 'moved' });
});

test('a line that occurs many times (a code fence) is told apart by its context', () => {
  // The closing fence of the second code block: '```' occurs 30 times in the chapter.
  const fences = lines.flatMap((l, i) => (l === '```' ? [i + 1] : []));
  assert.ok(fences.length > 4);
  const target = fences[3]!;
  const a = captureAnchor(original, target, target);
  // 40 lines above, and a copy of the block's neighbourhood elsewhere would not fool it either.
  const inserted = Array.from({ length: 40 }, (_, k) => `inserted line ${k}`);
  const r = locateAnchor(a, insertAt(original, 2, inserted));
  assert.deepEqual(r, { startLine: target + 40, endLine: target + 40, status: 'moved' });
});

test('of several exact copies with the same context, the one nearest the old place wins', () => {
  // 'entry' at lines 3, 6 and 9, each between blank lines; the bookmark is the middle one.
  const text = ['# Log', '', 'entry', '', '', 'entry', '', '', 'entry', ''].join('\n');
  const a = captureAnchor(text, 6, 6);
  assert.equal(locateAnchor(a, text).startLine, 6);
  // One line above: the copies are now at 4, 7 and 10; 7 is nearest to the old 6.
  assert.deepEqual(locateAnchor(a, insertAt(text, 1, ['x'])), { startLine: 7, endLine: 7, status: 'moved' });
  // An edit below changes nothing.
  assert.deepEqual(locateAnchor(a, insertAt(text, 10, ['y', 'z'])), { startLine: 6, endLine: 6, status: 'ok' });
});

test('an edit inside the bookmarked text, plus lines above, is still found (fuzzy)', () => {
  const start = stackStart + 2;
  const a = captureAnchor(original, start, start + 4);
  let edited = replaceLine(original, start + 1, (s) => s.replace('systems programming language', 'systems language'));
  edited = insertAt(edited, 1, ['<!-- a comment -->', '']);
  const r = locateAnchor(a, edited);
  assert.deepEqual(r, { startLine: start + 2, endLine: start + 6, status: 'moved' });
});

test('re-indented text is found (whitespace-insensitive tier)', () => {
  const a = captureAnchor(original, 3, 4);
  const edited = replaceLine(replaceLine(original, 3, (s) => '    ' + s.replace(/ /g, '  ')), 4, (s) => '\t' + s);
  assert.deepEqual(locateAnchor(a, edited), { startLine: 3, endLine: 4, status: 'ok' });
});

test('a line inserted inside the bookmarked lines widens the match', () => {
  const a = captureAnchor(original, 31, 36);
  const edited = insertAt(original, 33, ['> (an added remark about stacks)']);
  const r = locateAnchor(a, edited);
  assert.equal(r.startLine, 31);
  assert.equal(r.endLine, 37);
  assert.equal(r.status, 'moved');
});

test('text cut from its place and pasted at the end of the file is found there', () => {
  const a = captureAnchor(original, 3, 5);
  const moved = splitLines(original).slice(2, 5);
  const edited = [...deleteLines(original, 3, 3).split('\n'), '', ...moved].join('\n');
  const r = locateAnchor(a, edited);
  const total = splitLines(edited).length;
  assert.deepEqual(r, { startLine: total - 2, endLine: total, status: 'moved' });
});

test('deleted text is reported lost, keeping its old lines', () => {
  const a = captureAnchor(original, stackStart + 2, stackStart + 4);
  const r = locateAnchor(a, deleteLines(original, stackStart + 2, 3));
  assert.deepEqual(r, { startLine: stackStart + 2, endLine: stackStart + 4, status: 'lost' });
});

test('text replaced by something unrelated, between the same context lines, is lost', () => {
  const a = captureAnchor(original, 12, 12);
  const edited = replaceLine(original, 12, () => 'Completely different words about gardening and tomatoes.');
  assert.equal(locateAnchor(a, edited).status, 'lost');
});

test('a small edit to a one-line bookmark between unchanged context is found in place', () => {
  const a = captureAnchor(original, 12, 12);
  const edited = replaceLine(original, 12, (s) => s.replace('does take some time', 'takes a while'));
  assert.deepEqual(locateAnchor(a, edited), { startLine: 12, endLine: 12, status: 'ok' });
});

test('CRLF line endings resolve like LF', () => {
  const a = captureAnchor(original, stackStart, stackStart + 1);
  const crlf = insertAt(original, 1, ['a', 'b']).replace(/\n/g, '\r\n');
  assert.deepEqual(locateAnchor(a, crlf), { startLine: stackStart + 2, endLine: stackStart + 3, status: 'moved' });
});

test('an empty file loses every anchor', () => {
  const a = captureAnchor(original, 3, 3);
  assert.equal(locateAnchor(a, '').status, 'lost');
});

test('lines outside the file are refused with a clear error', () => {
  assert.throws(() => captureAnchor('one\ntwo', 2, 3), (e: unknown) => e instanceof BookmarkError && /has 2 lines/.test(e.message));
  assert.throws(() => captureAnchor('one', 0, 1), BookmarkError);
  assert.throws(() => captureAnchor('one\ntwo', 2, 1), BookmarkError);
});

test('the anchor carries one line of context each side (empty at the file edges)', () => {
  const a = captureAnchor('first\nsecond\nthird', 1, 1);
  assert.deepEqual(a, { startLine: 1, endLine: 1, text: 'first', before: '', after: 'second' });
  const b = captureAnchor('first\nsecond\nthird', 2, 3);
  assert.deepEqual(b, { startLine: 2, endLine: 3, text: 'second\nthird', before: 'first', after: '' });
});

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** Starts of 2-line passages of prose that occur once in the chapter. */
const prose = lines
  .map((_, i) => i + 1)
  .filter((n) => n + 1 <= lines.length && lines[n - 1]!.length > 40 && lines[n]!.length > 40 && original.split(lines[n - 1]!).length === 2);

test('many random edits above a passage: always found at its shifted place', () => {
  const rand = rng(42);
  for (let trial = 0; trial < 60; trial++) {
    const start = prose[Math.floor(rand() * prose.length)]!;
    const a = captureAnchor(original, start, start + 1);
    const at = 1 + Math.floor(rand() * (start - 1));
    const add = 1 + Math.floor(rand() * 12);
    const edited = insertAt(original, at, Array.from({ length: add }, (_, k) => `Inserted sentence number ${k} in trial ${trial}.`));
    assert.deepEqual(locateAnchor(a, edited), { startLine: start + add, endLine: start + 1 + add, status: 'moved' }, `trial ${trial}: lines ${start}-${start + 1}, ${add} inserted at ${at}`);
  }
});

test('many random deletions of a passage: always reported lost, never matched to other prose', () => {
  const rand = rng(7);
  for (let trial = 0; trial < 60; trial++) {
    const start = prose[Math.floor(rand() * prose.length)]!;
    const a = captureAnchor(original, start, start + 1);
    const r = locateAnchor(a, deleteLines(original, start, 2));
    assert.equal(r.status, 'lost', `trial ${trial}: lines ${start}-${start + 1} matched ${r.startLine}-${r.endLine}`);
  }
});
