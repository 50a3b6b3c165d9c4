// readNoteLines: what the MCP server's read_note and the editor's readNote tool return -- the file's
// own line numbers, bounded reads, and only the vault's notes (real vault, real files).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { MAX_READ_CHARS, MAX_READ_LINES, NoteReadError, readNoteLines } from '../../../src/vault/notes/readNote';
import { Vault } from '../../../src/vault/vault';
import { tempDir } from '../../helpers/paths';

let t: { dir: string; cleanup: () => void };
let vault: Vault;
let a: string;
let b: string;

before(async () => {
  t = tempDir('cv-read-');
  a = join(t.dir, 'a');
  b = join(t.dir, 'b');
  mkdirSync(a);
  mkdirSync(b);
  writeFileSync(join(a, 'long.md'), Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
  writeFileSync(join(a, 'wide.md'), `# Wide\n\n${'x'.repeat(MAX_READ_CHARS * 2)}\n\nafter\n`);
  writeFileSync(join(a, 'crlf.md'), '# One\r\n\r\nthree\r\nfour\r\n');
  writeFileSync(join(a, 'same.md'), '# In a\n');
  writeFileSync(join(b, 'same.md'), '# In b\n');
  writeFileSync(join(a, 'notes.txt'), 'not a note\n');
  vault = Vault.open(join(t.dir, 'vault.db'));
  await vault.indexRoots([a, b]);
});

after(() => {
  vault?.close();
  t?.cleanup();
});

test('a read without a range stops at the line bound and says where the note goes on', async () => {
  const first = await readNoteLines(vault.db, 'long.md');
  assert.deepEqual([first.startLine, first.endLine, first.totalLines, first.truncated], [1, MAX_READ_LINES, 1000, true]);
  assert.equal(first.text.split('\n')[0], 'line 1');
  const next = await readNoteLines(vault.db, 'long.md', { startLine: first.endLine + 1, endLine: 1000 });
  assert.equal(next.startLine, MAX_READ_LINES + 1);
  assert.equal(next.text.split('\n')[0], `line ${MAX_READ_LINES + 1}`);
  const tail = await readNoteLines(vault.db, 'long.md', { startLine: 990 });
  assert.deepEqual([tail.startLine, tail.endLine, tail.truncated], [990, 1000, false]);
});

test('one line longer than the character bound is cut, not left out', async () => {
  const r = await readNoteLines(vault.db, 'wide.md');
  assert.equal(r.startLine, 1);
  assert.ok(r.text.length <= MAX_READ_CHARS + 1, `${r.text.length} characters`);
  assert.equal(r.truncated, true);
  assert.ok(r.endLine < r.totalLines);
});

test('line numbers are the file\'s, whatever its line endings', async () => {
  const r = await readNoteLines(vault.db, 'crlf.md', { startLine: 3, endLine: 4 });
  assert.equal(r.text, 'three\nfour');
  assert.equal(r.totalLines, 4);
});

test('a name in two vault folders must be given absolutely; files the vault did not index are refused', async () => {
  await assert.rejects(readNoteLines(vault.db, 'same.md'), (e: unknown) => e instanceof NoteReadError && /more than one vault folder/.test(e.message));
  assert.equal((await readNoteLines(vault.db, join(b, 'same.md'))).text, '# In b');
  await assert.rejects(readNoteLines(vault.db, 'notes.txt'), /not a note of this vault/);
  await assert.rejects(readNoteLines(vault.db, join(a, 'notes.txt')), /not a note of this vault/);
  await assert.rejects(readNoteLines(vault.db, ''), /Give the path/);
  await assert.rejects(readNoteLines(vault.db, 'long.md', { startLine: 1.5 }), /whole number/);
});
