// The CLI commands end to end as a user runs them: index, embed-index (tiny model), search with
// --mode/--explain/--json, and ask --json (tiny chat model) including the "not in the vault" path.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot, tempDir, tinyModel } from '../../helpers/paths';

const run = promisify(execFile);
const built = join(repoRoot, 'dist', 'cli.js');

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const argv = existsSync(built) ? [built, ...args] : ['--import', 'tsx', join(repoRoot, 'src', 'cli.ts'), ...args];
  try {
    const r = await run(process.execPath, argv, { cwd: repoRoot, env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

test('embed-index, search --mode/--explain/--json and ask --json from the command line', { timeout: 150_000 }, async () => {
  const t = tempDir('cv-cli-');
  try {
    const notes = join(t.dir, 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'ownership.md'), '# Ownership\n\nEach value has an owner.\nWhen the owner goes out of scope, the value is dropped.\n');
    writeFileSync(join(notes, 'bread.md'), '# Bread\n\nKnead the dough and let it rise.\n');
    const db = join(t.dir, 'vault.db');
    const env = { CODEX_VAULT_HOME: join(t.dir, 'home') };
    assert.equal((await cli(['index', notes, '--db', db], env)).code, 0);

    const e = await cli(['embed-index', '--db', db, '--embedding-model', tinyModel, '--json'], env);
    assert.equal(e.code, 0, e.err);
    const summary = JSON.parse(e.out) as { state: string; embedded: number; coverage: { embedded: number; total: number; ratio: number }; dimension: number };
    assert.equal(summary.state, 'done');
    assert.equal(summary.dimension, 64);
    assert.equal(summary.coverage.ratio, 1);
    assert.match(e.err, /embedding: \d+\/\d+ chunks/, 'progress on stderr');
    // Run again: nothing left to do.
    const again = JSON.parse((await cli(['embed-index', '--db', db, '--embedding-model', tinyModel, '--json'], env)).out) as { embedded: number };
    assert.equal(again.embedded, 0);

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

    const a = await cli(['ask', 'What happens when the owner goes out of scope?', '--db', db, '--model', tinyModel, '--embedding-model', tinyModel, '--json', '--max-tokens', '24', '--temperature', '0', '--context-size', '1024'], env);
    assert.equal(a.code, 0, a.err);
    const ans = JSON.parse(a.out) as { answer: string; citations: { n: number }[]; sources: { n: number; path: string; startLine: number; endLine: number }[]; notFound: boolean };
    assert.equal(ans.notFound, false);
    assert.equal(ans.sources[0]!.path, 'ownership.md');
    assert.ok(ans.answer.length > 0);
    assert.ok(ans.citations.every((c) => ans.sources.some((s2) => s2.n === c.n)));

    const nf = await cli(['ask', 'What is the capital of France?', '--db', db, '--model', tinyModel], env);
    assert.equal(nf.code, 0, nf.err);
    assert.match(nf.out, /does not seem to contain the answer/);
  } finally {
    t.cleanup();
  }
});
