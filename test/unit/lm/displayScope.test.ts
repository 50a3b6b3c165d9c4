// A path prefix in the form the editor's language-model tools show paths, mapped to the roots and
// stored-path prefix the vault filters on (src/lm/displayScope.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { vaultScopeOf } from '../../../src/lm/displayScope';

const two = [{ name: 'notes-a', root: '/ws/a' }, { name: 'notes-b', root: '/ws/b' }];

test('one folder (or none): paths are shown as stored, so the prefix goes as it is, normalized as the vault does', () => {
  assert.deepEqual(vaultScopeOf('projects/', [{ name: 'ws', root: '/ws' }]), { pathPrefix: 'projects/' });
  assert.deepEqual(vaultScopeOf('./projects\\sub', []), { pathPrefix: 'projects/sub' });
  assert.deepEqual(vaultScopeOf('  ', two), {});
});

test('multi-root: the folder name picks the root, the rest is the prefix of the stored path', () => {
  assert.deepEqual(vaultScopeOf('notes-b/projects/', two), { roots: ['/ws/b'], pathPrefix: 'projects/' });
  assert.deepEqual(vaultScopeOf('notes-a/', two), { roots: ['/ws/a'] });
  assert.deepEqual(vaultScopeOf('notes-a', two), { roots: ['/ws/a'] });
  // A prefix of folder names: every folder whose displayed paths start with it.
  assert.deepEqual(vaultScopeOf('notes', two), { roots: ['/ws/a', '/ws/b'] });
});

test('multi-root: a prefix no displayed path can start with (no folder name) is null, not "every note"', () => {
  assert.equal(vaultScopeOf('projects/', two), null);
  assert.equal(vaultScopeOf('notes-c/x', two), null);
});

test('multi-root: nested folder names take the longest; duplicate names take both', () => {
  const nested = [{ name: 'a', root: '/r1' }, { name: 'a/b', root: '/r2' }];
  assert.deepEqual(vaultScopeOf('a/b/x', nested), { roots: ['/r2'], pathPrefix: 'x' });
  assert.deepEqual(vaultScopeOf('a/', nested), { roots: ['/r1', '/r2'] });
  const dup = [{ name: 'n', root: '/r1' }, { name: 'n', root: '/r2' }];
  assert.deepEqual(vaultScopeOf('n/p', dup), { roots: ['/r1', '/r2'], pathPrefix: 'p' });
});
