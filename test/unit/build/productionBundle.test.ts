// The VSIX's bundles carry no test hooks: the production build (what `npm run package` ships)
// compiles out the code that runs an in-host test suite named by an environment variable, which
// the development build (what the real-host tests load) keeps.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, tempDir } from '../../helpers/paths';

function build(production: boolean): string {
  const t = tempDir('cv-bundle-');
  try {
    const r = spawnSync(process.execPath, ['esbuild.mjs', '--outdir', t.dir, ...(production ? ['--production'] : [])], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(join(t.dir, 'extension.js'), 'utf8');
  } finally {
    t.cleanup();
  }
}

test('the production extension bundle has no in-host test hook; the development one does', { timeout: 120_000 }, () => {
  assert.match(build(false), /CODEX_VAULT_TEST_SUITE/, 'the hook is where the development build runs the in-host suite');
  const production = build(true);
  assert.doesNotMatch(production, /CODEX_VAULT_TEST_SUITE|in-host test suite/);
  assert.doesNotMatch(production, /CODEX_VAULT_TEST_HOOKS/, 'the flag itself was replaced');
});
