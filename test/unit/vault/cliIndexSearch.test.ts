// The built CLI (dist/cli.js) as a real subprocess: `index` and `search` as other tools use them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Vault } from '../../../src/vault/vault';
import { repoRoot, tempDir } from '../../helpers/paths';
import { copyRustBook } from './support/vaultFixtures';

const t = tempDir();
const notes = join(t.dir, 'notes');
const db = join(t.dir, 'notes.vault');
const cli = join(repoRoot, 'dist', 'cli.js');

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: t.dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function oneLineError(r: { code: number | null; out: string; err: string }, pattern: RegExp): void {
  assert.notEqual(r.code, 0);
  assert.equal(r.out, '', 'nothing on stdout');
  assert.equal(r.err.trimEnd().split('\n').length, 1, `one line on stderr: ${r.err}`);
  assert.match(r.err, pattern);
}

before(() => {
  const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  copyRustBook(notes, undefined, 40);
  copyRustBook(notes, ['ch04-01-what-is-ownership.md', 'ch04-02-references-and-borrowing.md', 'ch18-03-oo-design-patterns.md']);
  writeFileSync(join(notes, 'tagged.md'), '---\ntags: [rustacean]\n---\n# Ferris\n\nFerris owns the ownership rules.\n');
  writeFileSync(join(notes, 'blob.md'), Buffer.from([0, 1, 2, 3, 0, 0, 255, 254]));
});

after(() => t.cleanup());

test('index prints a summary on stdout, skipped files on stderr; a second run re-indexes nothing', () => {
  const r = run('index', notes, '--db', db);
  assert.equal(r.code, 0, r.err);
  const m = /^Indexed (\d+) files \(\1 new, 0 changed; [\d,]+ chunks written\), 0 unchanged, 0 renamed, 1 skipped, 0 removed in \d+\.\d\d s\. The vault holds \1 files and [\d,]+ chunks\.\n$/.exec(r.out);
  assert.ok(m, r.out);
  const files = Number(m[1]);
  assert.ok(files > 40);
  assert.match(r.err, /skipped blob\.md: binary/);
  const again = run('index', '--db', db, notes, '--json');
  assert.equal(again.code, 0, again.err);
  const s = JSON.parse(again.out) as { indexed: number; unchanged: number; totalFiles: number; skipped: { path: string; reason: string }[] };
  assert.deepEqual([s.indexed, s.unchanged, s.totalFiles], [0, files, files]);
  assert.deepEqual(s.skipped.map((x) => [x.path, x.reason]), [['blob.md', 'binary']]);
});

test('search --json prints exactly one JSON array of {path, startLine, endLine, heading, score, snippet}, best first', () => {
  const r = run('search', 'ownership borrowing', '--db', db, '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  const hits = JSON.parse(r.out) as Record<string, unknown>[];
  assert.ok(Array.isArray(hits) && hits.length === 10, 'default limit 10');
  for (const h of hits) assert.deepEqual(Object.keys(h), ['path', 'startLine', 'endLine', 'heading', 'score', 'snippet']);
  assert.match(String(hits[0]!.path), /^ch04-/);
  for (let i = 1; i < hits.length; i++) assert.ok(Number(hits[i - 1]!.score) >= Number(hits[i]!.score));
  assert.equal(typeof hits[0]!.startLine, 'number');
  assert.match(String(hits[0]!.snippet), /«/);
});

test('the built CLI corrects a slip with the word list it ships (dist/word-list.txt): without it nothing would be corrected', () => {
  const r = run('search', 'borowing refrences', '--db', db, '--json', '--limit', '3');
  assert.equal(r.code, 0, r.err);
  const hits = JSON.parse(r.out) as { path: string; snippet: string }[];
  assert.equal(hits[0]?.path, 'ch04-02-references-and-borrowing.md', r.out);
  assert.match(hits[0]!.snippet, /«(borrow|referenc)\w*»/, 'a word it was corrected to is marked');
  // A quoted word means that word: no note has it.
  assert.deepEqual(JSON.parse(run('search', '"borowing"', '--db', db, '--json').out), []);
});

test('options before or after the query; -- ends options so a query may start with a dash', () => {
  const a = run('search', '--db', db, '--limit', '3', '--json', 'ownership');
  const b = run('search', 'ownership', '--json', '--db', db, '--limit', '3');
  assert.equal(a.code, 0, a.err);
  assert.equal(a.out, b.out);
  assert.equal((JSON.parse(a.out) as unknown[]).length, 3);

  const dash = run('search', '--db', db, '--json', '--', '-draft notes');
  assert.equal(dash.code, 0, dash.err);
  const hits = JSON.parse(dash.out) as { path: string }[];
  assert.ok(hits.length > 0);
  assert.equal(hits[0]!.path, 'ch18-03-oo-design-patterns.md');
  // After --, option-like words are query text too.
  const help = run('search', '--db', db, '--json', '--', '--help', '--limit');
  assert.equal(help.code, 0, help.err);
  assert.ok(Array.isArray(JSON.parse(help.out)));
});

test('filters, plain output and hostile text through the CLI', () => {
  const tag = JSON.parse(run('search', 'ownership', '--db', db, '--json', '--tag', 'rustacean').out) as { path: string }[];
  assert.deepEqual(tag.map((h) => h.path), ['tagged.md']);
  const pre = JSON.parse(run('search', 'memory', '--db', db, '--json', '--path-prefix', 'ch04', '--limit', '50').out) as { path: string }[];
  assert.ok(pre.length > 0 && pre.every((h) => h.path.startsWith('ch04')));
  const hostile = run('search', '--db', db, '--json', '--', '"( AND OR NOT * title:x ^y \'; DROP TABLE chunks; -- NEAR(');
  assert.equal(hostile.code, 0, hostile.err);
  assert.ok(Array.isArray(JSON.parse(hostile.out)));
  const plain = run('search', 'ownership rules', '--db', db, '-n', '2');
  assert.equal(plain.code, 0);
  assert.match(plain.out, /^ch04-01-what-is-ownership\.md:\d+-\d+ /);
  assert.equal(plain.out.trimEnd().split('\n').length, 4, 'two hits, each a location line and a snippet line');
});

test('errors are one line on stderr with a non-zero exit', () => {
  oneLineError(run('search', 'x'), /--db is required/);
  oneLineError(run('search', '--db', db), /Give a query/);
  oneLineError(run('search', 'x', '--db', join(t.dir, 'nope.vault')), /There is no vault at/);
  oneLineError(run('search', 'x', '--db', db, '--limit', 'ten'), /--limit must be an integer/);
  oneLineError(run('search', 'x', '--db', db, '--bogus'), /Unknown option '--bogus'/);
  oneLineError(run('index', join(t.dir, 'missing'), '--db', db), /does not exist/);
  const junk = join(t.dir, 'junk.vault');
  writeFileSync(junk, 'not a database at all, just text\n'.repeat(100));
  oneLineError(run('index', notes, '--db', junk), /is not an SQLite database/);
});

test('while another process writes the vault, search reads it and index is refused with the holder\'s PID', () => {
  const writer = Vault.open(db);
  try {
    const s = run('search', 'ownership', '--db', db, '--json', '--limit', '2');
    assert.equal(s.code, 0, s.err);
    assert.equal((JSON.parse(s.out) as unknown[]).length, 2);
    oneLineError(run('index', notes, '--db', db), new RegExp(`being written by process ${process.pid}`));
  } finally {
    writer.close();
  }
});

test('search --help says what plain words, questions and the syntax do; a question through the CLI finds its chapter', () => {
  const help = run('search', '--help');
  assert.equal(help.code, 0, help.err);
  for (const said of ['question words', 'are left out', 'title, aliases or file name', 'more of the words first', '"quoted words" match as a phrase', 'word* matches a prefix', 'a OR b', 'AND requires every word', 'Chinese, Japanese and Thai', 'folder finds directory', 'two words also match the word they make together', 'pasword finds password', 'the acronym a note defines']) {
    assert.ok(help.out.includes(said), `help says: ${said}`);
  }
  // "how", "can", "I", "a", "of", "it" are left out; the words left lead to the chapter that holds them.
  const r = run('search', 'How can I use a value without taking ownership of it?', '--db', db, '--json', '--limit', '5');
  assert.equal(r.code, 0, r.err);
  const hits = JSON.parse(r.out) as { path: string }[];
  assert.equal(hits[0]?.path, 'ch04-02-references-and-borrowing.md');
  for (const h of hits) assert.deepEqual(Object.keys(h), ['path', 'startLine', 'endLine', 'heading', 'score', 'snippet']);
});
