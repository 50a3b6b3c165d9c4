// A file attached to a question is read by the host, confined to the workspace folders, as the
// editor holds it (unsaved text), and bounded: the chat page can no longer make anything read a
// file outside the workspace. Real files and symbolic links in a temporary folder.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MAX_FILE_CONTEXT_BYTES, MAX_FILE_CONTEXT_CHARS, withContextText } from '../../../src/views/chat/contextText';
import { LocationError } from '../../../src/views/chat/locationCheck';
import { tempDir } from '../../helpers/paths';

const t = tempDir('cv-context-');
after(() => t.cleanup());
const ws = join(t.dir, 'workspace');
const outside = join(t.dir, 'secrets');
mkdirSync(join(ws, 'notes'), { recursive: true });
mkdirSync(outside, { recursive: true });
writeFileSync(join(ws, 'notes', 'a.md'), '# A\n\nsaved text\n');
writeFileSync(join(outside, 'key.txt'), 'SECRET');
symlinkSync(join(outside, 'key.txt'), join(ws, 'notes', 'link.md'));
writeFileSync(join(ws, 'big.md'), Buffer.alloc(MAX_FILE_CONTEXT_BYTES + 1, 0x61));
writeFileSync(join(ws, 'long.md'), 'x'.repeat(MAX_FILE_CONTEXT_CHARS + 500));

const closed = { folders: [ws], openText: () => undefined };
const file = (root: string, path: string) => ({ kind: 'file' as const, root, path, label: path });

test('a path outside the workspace is refused, however it is named', async () => {
  const refused: [ReturnType<typeof file>, RegExp][] = [
    [file(outside, 'key.txt'), /not a folder of this workspace/],
    [file('/', 'etc/passwd'), /not a folder of this workspace/],
    [file(ws, '../secrets/key.txt'), /not a path inside/],
    [file(ws, join(outside, 'key.txt')), /not a path inside/],
    [file(ws, 'notes/link.md'), /leads outside/],
  ];
  for (const [item, re] of refused) {
    await assert.rejects(withContextText([item], closed), (e: unknown) => e instanceof LocationError && re.test(e.message), JSON.stringify(item));
  }
});

test('a file inside is read as the editor holds it, unsaved text included, and bounded', async () => {
  const [saved] = await withContextText([file(ws, 'notes/a.md')], closed);
  assert.equal(saved?.text, '# A\n\nsaved text\n');
  assert.equal(saved?.startLine, 1);
  assert.equal(saved?.endLine, 4);
  const open = { folders: [ws], openText: (f: string) => (f === join(ws, 'notes', 'a.md') ? '# A\n\nunsaved edit' : undefined) };
  const [edited] = await withContextText([file(ws, 'notes/a.md')], open);
  assert.equal(edited?.text, '# A\n\nunsaved edit');
  const [long] = await withContextText([file(ws, 'long.md')], closed);
  assert.equal(long?.text?.length, MAX_FILE_CONTEXT_CHARS);
  await assert.rejects(withContextText([file(ws, 'big.md')], closed), /too large/);
  await assert.rejects(withContextText([file(ws, 'notes')], closed), /not a file/);
  await assert.rejects(withContextText([file(ws, 'gone.md')], closed), /does not exist/);
  // A selection is the text the host took from the editor: passed on, nothing read.
  const sel = { kind: 'selection' as const, root: ws, path: 'notes/a.md', startLine: 3, endLine: 3, text: 'saved text', label: 'a.md:3' };
  assert.deepEqual(await withContextText([sel], closed), [sel]);
});
