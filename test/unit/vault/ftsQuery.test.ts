// toFtsQuery: user text -> an FTS5 expression with every term quoted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { termCount, toFtsQuery } from '../../../src/vault/search/ftsQuery';

test('plain words are quoted and all required', () => {
  assert.equal(toFtsQuery('ownership borrowing'), '"ownership" AND "borrowing"');
  assert.equal(toFtsQuery('  spaced   out  '), '"spaced" AND "out"');
  assert.equal(toFtsQuery('ownership borrowing', { match: 'any' }), '"ownership" OR "borrowing"');
});

test('operators and punctuation typed by users become text', () => {
  assert.equal(toFtsQuery('NOT -draft'), '"NOT" AND "-draft"');
  assert.equal(toFtsQuery('title:rust (x)'), '"title:rust" AND "(x)"');
  assert.equal(toFtsQuery('C++ ^start NEAR(a'), '"C++" AND "^start" AND "NEAR(a"');
  assert.equal(toFtsQuery('ownership AND borrowing'), '"ownership" AND "borrowing"', 'AND is implied');
  assert.equal(toFtsQuery('cats OR dogs pets'), '("cats" OR "dogs") AND "pets"');
  assert.equal(toFtsQuery('OR dogs'), '"dogs"', 'a dangling OR is dropped');
});

test('phrases, unclosed quotes and embedded quotes', () => {
  assert.equal(toFtsQuery('"dangling reference" rust'), '"dangling reference" AND "rust"');
  assert.equal(toFtsQuery('"unclosed phrase'), '"unclosed" AND "phrase"');
  assert.equal(toFtsQuery('it"s'), '"it" AND "s"');
  assert.equal(toFtsQuery('""'), null);
});

test('prefixes: explicit word*, and the last word while typing', () => {
  assert.equal(toFtsQuery('own*'), '"own"*');
  assert.equal(toFtsQuery('ownership borrowi', { prefixLast: true }), '"ownership" AND ("borrowi" OR "borrowi"* OR "borro"*)');
  assert.equal(toFtsQuery('abc', { prefixLast: true }), '("abc" OR "abc"*)');
  assert.equal(toFtsQuery('ab', { prefixLast: true }), '"ab"', 'two letters are too few to expand');
  assert.equal(toFtsQuery('ownership ', { prefixLast: true }), '"ownership"', 'a trailing space finishes the word');
  assert.equal(toFtsQuery('"a phrase"', { prefixLast: true }), '"a phrase"');
});

test('text with nothing searchable gives null', () => {
  for (const q of ['', '   ', '()', '-', '*', '"', ':', '🦀', '@#$%', '\u0000', 'AND']) assert.equal(toFtsQuery(q), null, JSON.stringify(q));
  assert.equal(termCount('a b OR c "d e"'), 3);
});
