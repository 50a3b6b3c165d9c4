import assert from 'node:assert/strict';
import { test } from 'node:test';
import { termCoverage } from '../../../src/vault/retrieval/termMatch';

test('term coverage: one word of a two-word question is weak evidence, both words are strong', () => {
  const note = 'Use a capital letter at the start of a type name.';
  assert.ok(termCoverage(['capital', 'mongolia'], note) < 0.5, 'one of two words must stay under the relevance bar');
  assert.ok(termCoverage(['capital', 'letter'], note) >= 0.5);
  assert.equal(termCoverage(['capital'], note), 0.5, 'a one-word question that matches passes the bar');
  assert.equal(termCoverage(['borrowing', 'references', 'ownership', 'moves'], 'References borrow; a move transfers ownership.'), 1);
  assert.equal(termCoverage([], note), 0);
});
