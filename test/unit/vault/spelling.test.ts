// The slip costs behind spelling correction (search/spelling.ts) and the evidence check's use
// of them; correction in search itself is tested on real vaults in searchRanking.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { termCoverage } from '../../../src/vault/retrieval/termMatch';
import { isEnglishWord } from '../../../src/vault/search/englishWords';
import { allowedEdits, DOUBLING_COST, isSlipOf, slipCost, SWAP_COST } from '../../../src/vault/search/spelling';

test('slips cost as typists err: a swap and a doubled letter less than another edit', () => {
  assert.equal(slipCost('chnage', 'change', 2), SWAP_COST);
  assert.equal(slipCost('writting', 'writing', 2), DOUBLING_COST, 'a letter doubled');
  assert.equal(slipCost('adress', 'address', 2), DOUBLING_COST, 'a double typed single');
  assert.equal(slipCost('pasword', 'password', 2), DOUBLING_COST);
  assert.equal(slipCost('chage', 'change', 2), 1, 'a letter left out');
  assert.equal(slipCost('spinner', 'spanner', 2), 1, 'a letter replaced');
  assert.equal(slipCost('recieve', 'receive', 2), SWAP_COST);
  assert.equal(slipCost('direcotry', 'directory', 2), SWAP_COST);
  assert.equal(slipCost('abc', 'abc', 0), 0);
  assert.equal(slipCost('compres', 'compare', 1), Infinity, 'beyond the allowed cost');
  assert.equal(slipCost('flooding', 'floor', 2), Infinity);
});

test('short words are not corrected; long ones may be two slips away', () => {
  assert.equal(allowedEdits(4), 0);
  assert.equal(allowedEdits(5), 1);
  assert.equal(allowedEdits(8), 1);
  assert.equal(allowedEdits(9), 2);
});

test('the English word list tells a slip from a word', () => {
  for (const w of ['flooding', 'password', 'colour', 'color', 'directories', 'aardvark', 'zymurgy']) assert.ok(isEnglishWord(w), w);
  for (const w of ['pasword', 'recieve', 'enviroment', 'direcotry', 'ffmpeg']) assert.ok(!isEnglishWord(w), w);
});

test('the evidence check counts a slip where the word it is a slip of is', () => {
  assert.ok(isSlipOf('pasword', 'password'));
  assert.ok(isSlipOf('Enviroment', 'environment'));
  assert.ok(!isSlipOf('passport', 'password'), 'an English word is meant as typed');
  assert.ok(!isSlipOf('pasword', 'passport'));
  assert.equal(termCoverage(['reset', 'pasword'], 'How to reset your password'), 2 / 3);
  assert.equal(termCoverage(['reset', 'pasword'], 'How to reset your passport'), 1 / 3);
});
