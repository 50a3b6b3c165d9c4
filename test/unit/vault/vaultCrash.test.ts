// kill -9 at any moment of indexing: a real child process indexes the Rust book in small
// batches and is killed mid-run (during the scan, and at several points of the indexing). The
// next open must clear the dead writer's locks, pass integrity_check, and the next run must
// finish the job, ending with exactly what an uninterrupted index holds.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Vault } from '../../../src/vault/vault';
import { tempDir } from '../../helpers/paths';
import { spawnChild, type Child } from './support/child';
import { copyRustBook } from './support/vaultFixtures';

/** A rollback journal with content: the interrupted transaction, to be rolled back. */
function hotJournal(db: string): boolean {
  return existsSync(`${db}-journal`) && statSync(`${db}-journal`).size > 0;
}

/** Everything the index holds, independent of row ids. */
function contents(v: Vault): string[] {
  return v.db
    .all<{ k: string }>("SELECT d.path || '#' || c.ord || ':' || c.start_line || '-' || c.end_line || ':' || c.hash || ':' || c.headings AS k FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY d.path, c.ord")
    .map((r) => r.k);
}

/** Only whole files: every note present has exactly the chunks an uninterrupted index gives it. */
function onlyWholeFiles(v: Vault, expected: string[]): void {
  const got = contents(v);
  const paths = new Set(got.map((k) => k.slice(0, k.indexOf('#'))));
  assert.deepEqual(got, expected.filter((k) => paths.has(k.slice(0, k.indexOf('#')))));
  const docs = v.db.get<{ n: number }>('SELECT count(*) AS n FROM documents')!.n;
  assert.equal(paths.size, docs, 'no note without chunks');
}

test('kill -9 mid-index (4 trials): stale locks cleared, integrity ok, the next run completes the vault', async (t) => {
  const dir = tempDir();
  const children: Child[] = [];
  try {
    // 40 chapters of the Rust book: enough for ~20 transactions of 3 files, quick to redo 4 times.
    const notes = join(dir.dir, 'notes');
    copyRustBook(notes, undefined, 40);
    const reference = Vault.open(join(dir.dir, 'reference.db'));
    await reference.indexRoots([notes]);
    const expected = contents(reference);
    const expectedFiles = reference.stats().files;
    reference.close();

    // Kill points: right after opening (during the scan); inside a write transaction for certain
    // (the child stops at its 120th / 300th chunk insert); and at a moment given only by progress.
    // The children run side by side so the test stays quick on a loaded machine.
    const plans: { label: string; args: string[]; ready: (line: string) => boolean; midTransaction: boolean }[] = [
      { label: 'during the scan', args: [], ready: (l) => l === 'opened', midTransaction: false },
      { label: 'inside the 120th chunk insert', args: ['120'], ready: (l) => l === 'in-transaction', midTransaction: true },
      { label: 'inside the 300th chunk insert, pages already spilled to the file', args: ['300', 'spill'], ready: (l) => l === 'in-transaction', midTransaction: true },
      { label: 'after 20 files were reported', args: [], ready: (l) => l.startsWith('progress ') && Number(l.split(' ')[1]) >= 20, midTransaction: false },
    ];
    const trials = plans.map(async (plan, i) => {
      const db = join(dir.dir, `trial${i}.db`);
      const child = spawnChild('indexChild.ts', [db, notes, '3', ...plan.args]);
      children.push(child);
      await child.waitFor(plan.ready, 120_000);
      // A little jitter so the progress-timed kill lands at different points of a batch.
      if (!plan.midTransaction) await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 15)));
      child.proc.kill('SIGKILL');
      const { signal } = await child.exited;
      assert.equal(signal, 'SIGKILL', 'the child was killed, not finished');
      return { db, i };
    });
    for (const { db, i } of await Promise.all(trials)) {
      assert.ok(existsSync(`${db}.owner`), `trial ${i}: the killed writer's owner file is still there`);
      const leftovers = [existsSync(`${db}.lock`) ? 'lock directory' : '', hotJournal(db) ? 'hot journal' : ''].filter(Boolean);
      if (plans[i]!.midTransaction) {
        assert.deepEqual(leftovers, ['lock directory', 'hot journal'], `trial ${i}: killed inside a transaction`);
        // A reader arriving first (e.g. `codex-vault search`) recovers too: a read-only connection
        // cannot roll back a hot journal itself.
        const reader = Vault.open(db, { readOnly: true });
        try {
          assert.equal(reader.integrityCheck(), 'ok');
          assert.ok(reader.stats().files > 0);
          onlyWholeFiles(reader, expected);
        } finally {
          reader.close();
        }
        assert.deepEqual([existsSync(`${db}.owner`), existsSync(`${db}.lock`), hotJournal(db)], [false, false, false], `trial ${i}: the reader's recovery left no owner file, lock directory or hot journal`);
      }
      const v = Vault.open(db);
      try {
        assert.equal(v.integrityCheck(), 'ok', `trial ${i}: integrity after the crash`);
        onlyWholeFiles(v, expected);
        const partial = v.stats().files;
        assert.ok(partial < expectedFiles, `trial ${i}: the run was interrupted (${partial} files)`);
        t.diagnostic(`trial ${i}: killed ${plans[i]!.label}; ${partial} files committed; left ${leftovers.join(' and ') || 'no SQLite lock or journal'}`);
        const s = await v.indexRoots([notes]);
        assert.equal(s.unchanged, partial, `trial ${i}: committed files are not redone`);
        assert.equal(s.totalFiles, expectedFiles);
        assert.deepEqual(contents(v), expected, `trial ${i}: same contents as an uninterrupted index`);
        assert.equal(v.integrityCheck(), 'ok');
        assert.match(v.searchLexical('ownership borrowing', { limit: 1 })[0]?.path ?? '', /^ch04-/);
      } finally {
        v.close();
      }
      assert.ok(!existsSync(`${db}.owner`) && !existsSync(`${db}.lock`) && !hotJournal(db));
    }
  } finally {
    // On a failure, stop every child before removing the folder they write into.
    for (const c of children) c.proc.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    dir.cleanup();
  }
});
