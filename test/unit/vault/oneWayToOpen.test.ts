// Every SQLite file the project opens goes through openDatabase (owner lock, crash recovery,
// health check): only the wrapper constructs node-sqlite3-wasm's Database, and only openDatabase
// and the journal recovery it runs call the wrapper's open. A new caller of either fails here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../helpers/paths';

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|mts|mjs|js)$/.test(name)) out.push(p);
  }
  return out;
}

const code = [...files(join(repoRoot, 'src')), ...files(join(repoRoot, 'bench')), ...files(join(repoRoot, 'scripts'))]
  .map((f) => ({ file: relative(repoRoot, f), text: readFileSync(f, 'utf8') }));

test('only src/vault/db/sqlite.ts uses node-sqlite3-wasm', () => {
  const users = code.filter((c) => /from ['"]node-sqlite3-wasm['"]|require\(['"]node-sqlite3-wasm['"]\)/.test(c.text)).map((c) => c.file);
  assert.deepEqual(users, ['src/vault/db/sqlite.ts']);
});

test('only openDatabase (and the journal recovery it runs) opens a database file', () => {
  const openers = code.filter((c) => /SqliteDatabase\.open\(/.test(c.text)).map((c) => c.file).sort();
  assert.deepEqual(openers, ['src/vault/db/hotJournal.ts', 'src/vault/db/openDatabase.ts']);
});
