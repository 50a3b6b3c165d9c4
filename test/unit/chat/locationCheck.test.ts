// Locations from webview messages and command: URIs may only name files inside a workspace folder.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { LocationError, resolveLocation } from '../../../src/views/chat/locationCheck';

const root = join('/', 'work', 'notes');
const other = join('/', 'work', 'other');

test('a path inside a workspace folder resolves to the file', () => {
  assert.equal(resolveLocation({ root, path: 'a/b.md', startLine: 1, endLine: 2 }, [other, root]), join(root, 'a', 'b.md'));
  assert.equal(resolveLocation({ root: root + '/', path: 'b.md', startLine: 3, endLine: 3 }, [root]), join(root, 'b.md'));
});

test('roots outside the workspace, escapes, absolute paths and reversed lines are refused', () => {
  const bad: [Parameters<typeof resolveLocation>[0], RegExp][] = [
    [{ root: '/etc', path: 'passwd', startLine: 1, endLine: 1 }, /not a folder of this workspace/],
    [{ root, path: '../other/x.md', startLine: 1, endLine: 1 }, /not a path inside/],
    [{ root, path: 'a/../../x.md', startLine: 1, endLine: 1 }, /not a path inside/],
    [{ root, path: '/etc/passwd', startLine: 1, endLine: 1 }, /not a path inside/],
    [{ root, path: '', startLine: 1, endLine: 1 }, /not a path inside/],
    [{ root, path: 'a.md', startLine: 5, endLine: 2 }, /reversed/],
  ];
  for (const [loc, re] of bad) {
    assert.throws(() => resolveLocation(loc, [root]), (e: unknown) => e instanceof LocationError && re.test(e.message), JSON.stringify(loc));
  }
});
