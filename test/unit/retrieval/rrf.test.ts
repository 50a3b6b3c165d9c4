import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeBoosts, TAG_BOOST, TITLE_BOOST, LINK_BOOST } from '../../../src/vault/retrieval/boosts';
import { queryTerms } from '../../../src/vault/retrieval/queryTerms';
import { capPerFile } from '../../../src/vault/retrieval/retriever';
import { fuseRankings } from '../../../src/vault/retrieval/rrf';
import type { RetrievedChunk } from '../../../src/vault/retrieval/types';

const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-12;

test('RRF arithmetic: 1/(60+rank) summed over the rankings that hold the id', () => {
  const fused = fuseRankings([
    { name: 'lexical', ids: [10, 20, 30] },
    { name: 'vector', ids: [30, 40, 10] },
  ]);
  const by = new Map(fused.map((f) => [f.id, f]));
  assert.ok(close(by.get(10)!.score, 1 / 61 + 1 / 63));
  assert.ok(close(by.get(20)!.score, 1 / 62));
  assert.ok(close(by.get(30)!.score, 1 / 63 + 1 / 61));
  assert.ok(close(by.get(40)!.score, 1 / 62));
  assert.deepEqual(by.get(10)!.ranks, { lexical: 1, vector: 3 });
  assert.deepEqual(by.get(40)!.ranks, { vector: 2 });
  // 10 and 30 tie exactly (1/61 + 1/63 each); both have a best rank of 1; 10 is first in the
  // lexical ranking (listed first), so it wins. 20 and 40 tie (1/62); 20 has the lexical rank.
  assert.deepEqual(fused.map((f) => f.id), [10, 30, 20, 40]);
});

test('RRF: k is configurable, repeated ids keep their first rank, and a bad k is refused', () => {
  const fused = fuseRankings([{ name: 'a', ids: [5, 5, 6] }], 1);
  assert.deepEqual(fused.map((f) => [f.id, f.score]), [
    [5, 1 / 2],
    [6, 1 / 3],
  ]);
  assert.throws(() => fuseRankings([], 0), RangeError);
});

test('RRF ties: better single rank first, then the earlier ranking, then the lower id', () => {
  // a: ranks 1 and 4 -> 1/61 + 1/64; b: ranks 2 and 2... choose equal sums by construction:
  // x only in lexical at rank 3, y only in vector at rank 3: equal scores, equal best rank;
  // x wins by being in the first-listed ranking.
  const f1 = fuseRankings([
    { name: 'lexical', ids: [1, 2, 7] },
    { name: 'vector', ids: [3, 4, 8] },
  ]);
  assert.deepEqual(f1.map((f) => f.id), [1, 3, 2, 4, 7, 8]);
  // Same ranking listed the other way round: the vector ids win the ties.
  const f2 = fuseRankings([
    { name: 'vector', ids: [3, 4, 8] },
    { name: 'lexical', ids: [1, 2, 7] },
  ]);
  assert.deepEqual(f2.map((f) => f.id), [3, 1, 4, 2, 8, 7]);
  // Same name twice (two vector lists): ties fall through to the lower id.
  const f3 = fuseRankings([{ name: 'v', ids: [9] }, { name: 'w', ids: [] }, { name: 'v2', ids: [2] }]);
  assert.deepEqual(f3.map((f) => f.id), [9, 2]);
  const f4 = fuseRankings([{ name: 'a', ids: [9, 3] }, { name: 'b', ids: [3, 9] }]);
  // 9: 1/61 + 1/62, 3: 1/62 + 1/61: exact tie, best rank 1 both, 'a' ranks 9 first.
  assert.deepEqual(f4.map((f) => f.id), [9, 3]);
  // Determinism: the same input always gives the same order.
  for (let i = 0; i < 5; i++) assert.deepEqual(fuseRankings([{ name: 'a', ids: [9, 3] }, { name: 'b', ids: [3, 9] }]).map((f) => f.id), [9, 3]);
});

test('boosts: title/heading share, tag and wiki link, all small next to RRF', () => {
  const terms = queryTerms('How do closures capture their environment?');
  assert.deepEqual(terms, ['closure', 'capture', 'environment']);
  const b = computeBoosts(terms, { title: 'Closures', heading: 'Capturing the Environment', tags: 'functional closures', linkTargets: ['Iterators'] });
  // All three are in title/heading, with the suffix fold ("Capturing" ~ "capture").
  assert.ok(close(b.title, TITLE_BOOST));
  const half = computeBoosts(terms, { title: 'Closures', heading: 'Environment', tags: '', linkTargets: [] });
  assert.ok(close(half.title, (TITLE_BOOST * 2) / 3));
  assert.equal(half.tag, 0);
  assert.equal(b.tag, TAG_BOOST);
  assert.equal(b.link, 0);
  const l = computeBoosts(['iterator'], { title: 'x', heading: '', tags: '', linkTargets: ['Iterators and Closures'] });
  assert.equal(l.link, LINK_BOOST);
  assert.ok(TITLE_BOOST + TAG_BOOST + LINK_BOOST < 1 / 61 - 1 / 81, 'all boosts together are worth less than twenty ranks of RRF at the top');
});

function chunk(id: number, path: string): RetrievedChunk {
  return {
    chunkId: id, chunkHash: `h${id}`, root: '/r', path, title: '', heading: '', startLine: 1, endLine: 1, text: '', snippet: '', score: 0,
    explain: { lexical: null, vector: null, rrf: 0, boosts: { title: 0, tag: 0, link: 0 }, fused: 0, termCoverage: 0, demoted: false },
  };
}

test('per-file cap: extra chunks of one file go after the other files, flagged as demoted', () => {
  const out = capPerFile([chunk(1, 'a.md'), chunk(2, 'a.md'), chunk(3, 'a.md'), chunk(4, 'b.md'), chunk(5, 'a.md'), chunk(6, 'c.md')], 2);
  assert.deepEqual(out.map((c) => c.chunkId), [1, 2, 4, 6, 3, 5]);
  assert.deepEqual(out.map((c) => c.explain.demoted), [false, false, false, false, true, true]);
});
