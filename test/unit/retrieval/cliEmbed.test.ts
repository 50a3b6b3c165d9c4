// The CLI as a user runs it: index, embed-index with the tiny model (progress on stderr, JSON
// summary, resumable), then search with --mode hybrid --json (ranks added) and --explain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tinyModel } from '../../helpers/paths';
import { cliVault, runCli } from '../../helpers/runCli';

const cli = runCli;

test('embed-index, then search --mode hybrid --json and --explain', { timeout: 300_000 }, async () => {
  const { db, env, cleanup } = await cliVault();
  try {

    const e = await cli(['embed-index', '--db', db, '--embedding-model', tinyModel, '--json'], env);
    assert.equal(e.code, 0, e.err);
    const summary = JSON.parse(e.out) as { state: string; embedded: number; coverage: { embedded: number; total: number; ratio: number }; dimension: number };
    assert.equal(summary.state, 'done');
    assert.equal(summary.dimension, 64);
    assert.equal(summary.coverage.ratio, 1);
    assert.match(e.err, /embedding: \d+\/\d+ chunks/, 'progress on stderr');

    const s = await cli(['search', 'owner scope', '--db', db, '--mode', 'hybrid', '--embedding-model', tinyModel, '--json'], env);
    assert.equal(s.code, 0, s.err);
    const hits = JSON.parse(s.out) as { path: string; startLine: number; snippet: string; lexicalRank: number | null; vectorRank: number | null; similarity: number | null; fused: number }[];
    assert.equal(hits[0]!.path, 'ownership.md');
    assert.equal(hits[0]!.lexicalRank, 1);
    assert.ok(hits[0]!.vectorRank !== null && hits[0]!.similarity !== null);
    assert.ok(hits.every((h) => typeof h.fused === 'number' && typeof h.snippet === 'string'));
    const x = await cli(['search', 'dough', '--db', db, '--explain'], env);
    assert.match(x.out, /lexical #1 \(bm25 [\d.]+\) · vector - · rrf 0\.01639/);
    const bad = await cli(['search', 'dough', '--db', db, '--mode', 'fuzzy'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--mode must be one of lexical, semantic, hybrid/);

  } finally {
    cleanup();
  }
});
