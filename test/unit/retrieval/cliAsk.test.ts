// The CLI as a user runs it: ask --json with the tiny chat model, and the "not in the vault"
// path (which never loads the chat model).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tinyModel } from '../../helpers/paths';
import { cliVault, runCli } from '../../helpers/runCli';

const cli = runCli;

test('ask --json answers with numbered sources; an unrelated question is not in the vault', { timeout: 300_000 }, async () => {
  const { db, env, cleanup } = await cliVault();
  try {

    const a = await cli(['ask', 'What happens when the owner goes out of scope?', '--db', db, '--model', tinyModel, '--json', '--max-tokens', '24', '--temperature', '0', '--context-size', '1024'], env);
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
    cleanup();
  }
});
