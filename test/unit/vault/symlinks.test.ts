// Symbolic links out of the indexed folders are not followed: a note `outside.md -> <a secret file>`
// is never read, searchable or given to a model, in a full index, a live update or the CLI; links
// within the indexed folders (another indexed folder included) are followed; a flag allows more.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Vault } from '../../../src/vault/vault';
import { repoRoot, tempDir } from '../../helpers/paths';

function layout(dir: string): { a: string; b: string; secret: string } {
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const secret = join(dir, 'private');
  mkdirSync(join(a, 'sub'), { recursive: true });
  mkdirSync(b, { recursive: true });
  mkdirSync(join(secret, 'keys'), { recursive: true });
  writeFileSync(join(a, 'note.md'), '# Note\n\nA plain note about lighthouses.\n');
  writeFileSync(join(a, 'sub', 'real.md'), '# Real\n\nThe real note about harbours.\n');
  writeFileSync(join(b, 'other.md'), '# Other\n\nA note of the second folder about ferries.\n');
  writeFileSync(join(secret, 'passwd.md'), '# Secret\n\nzanzibarpassword root:x:0:0\n');
  writeFileSync(join(secret, 'keys', 'id.md'), '# Key\n\nzanzibarkey BEGIN PRIVATE KEY\n');
  symlinkSync(join(secret, 'passwd.md'), join(a, 'outside.md'));
  symlinkSync(join(secret, 'keys'), join(a, 'keys'));
  symlinkSync(join(a, 'sub', 'real.md'), join(a, 'inner-link.md'));
  symlinkSync(join(a, 'sub'), join(a, 'sub-link'));
  symlinkSync(b, join(a, 'to-b'));
  return { a, b, secret };
}

test('a full index follows links within the indexed folders only, and lists the others as skipped with the reason', async () => {
  const t = tempDir();
  try {
    const { a, b } = layout(t.dir);
    const v = Vault.open(join(t.dir, 'v.db'));
    try {
      const s = await v.indexRoots([a, b]);
      const skipped = s.skipped.filter((x) => x.reason === 'external-symlink').map((x) => x.path).sort();
      assert.deepEqual(skipped, ['keys', 'outside.md']);
      assert.deepEqual(v.searchLexical('zanzibarpassword'), [], 'the linked secret file was not read');
      assert.deepEqual(v.searchLexical('zanzibarkey'), [], 'nor the linked secret folder');
      // Links that stay inside: within the folder, and into the other indexed folder.
      const paths = v.searchLexical('harbours').map((h) => h.path).sort();
      assert.deepEqual(paths, ['inner-link.md', 'sub-link/real.md', 'sub/real.md']);
      assert.ok(v.searchLexical('ferries').some((h) => h.path === 'to-b/other.md'));
      assert.ok(v.skippedFiles().some((f) => f.path === 'outside.md' && f.reason === 'external-symlink' && /outside the indexed folders/.test(f.detail)));

      // A live update (the file watcher) applies the same rule to a link and to a file under a linked folder.
      assert.equal(v.updateFile(a, 'outside.md'), 'skipped');
      assert.equal(v.updateFile(a, 'keys/id.md'), 'skipped');
      assert.deepEqual(v.searchLexical('zanzibarpassword'), []);
      assert.deepEqual(v.searchLexical('zanzibarkey'), []);
      assert.equal(v.updateFile(a, 'note.md'), 'unchanged');
    } finally {
      v.close();
    }
    // Indexing only `a`: the link into `b` now leads out of the indexed folders.
    const only = Vault.open(join(t.dir, 'only-a.db'));
    try {
      const s = await only.indexRoots([a]);
      assert.ok(s.skipped.some((x) => x.path === 'to-b' && x.reason === 'external-symlink'));
    } finally {
      only.close();
    }
  } finally {
    t.cleanup();
  }
});

test('followExternalSymlinks indexes them; the CLI says why it skipped them and --follow-external-symlinks allows them', async () => {
  const t = tempDir();
  try {
    const { a } = layout(t.dir);
    const v = Vault.open(join(t.dir, 'v.db'));
    try {
      await v.indexRoots([a], { followExternalSymlinks: true });
      assert.equal(v.searchLexical('zanzibarpassword')[0]?.path, 'outside.md');
      assert.equal(v.updateFile(a, 'keys/id.md'), 'unchanged');
    } finally {
      v.close();
    }
    const cli = join(repoRoot, 'dist', 'cli.js');
    const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 });
    const db = join(t.dir, 'cli.db');
    const plain = run('index', a, '--db', db);
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stderr, /skipped outside\.md: external-symlink \(the symbolic link outside\.md leads to .*passwd\.md, outside the indexed folders; not followed/);
    assert.equal(run('search', 'zanzibarpassword', '--db', db, '--json').stdout.trim(), '[]');
    const allowed = run('index', a, '--db', db, '--follow-external-symlinks');
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.match(run('search', 'zanzibarpassword', '--db', db, '--json').stdout, /"path":"outside\.md"/);
  } finally {
    t.cleanup();
  }
});
