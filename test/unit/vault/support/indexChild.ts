// Child process for the crash tests: indexes a folder in small batches and reports progress
// on stdout, so the parent can kill -9 it in the middle of the work.
// argv: <db> <folder> <batchSize> [pauseAtChunkInsert] [spill]
// With pauseAtChunkInsert = N, the child prints "in-transaction" when it is about to insert its
// Nth chunk (inside a batch's write transaction, after earlier inserts of that batch) and waits
// there, so the parent's kill lands mid-transaction for certain. With "spill", the page cache is
// tiny, so SQLite writes uncommitted pages into the database file before the commit (as a large
// transaction or a commit in progress does): only a journal rollback can undo them.
import { sleepSync } from '../../../../src/vault/lock/sleep';
import { Vault } from '../../../../src/vault/vault';

void (async () => {
  const [db, folder, batch, pauseAt, spill] = process.argv.slice(2);
  const vault = Vault.open(db!);
  if (spill === 'spill') vault.db.exec('PRAGMA cache_size = 4');
  if (pauseAt) {
    const run = vault.db.run.bind(vault.db);
    let inserts = 0;
    vault.db.run = (sql, params) => {
      if (sql.startsWith('INSERT INTO chunks') && ++inserts === Number(pauseAt)) {
        if (!vault.db.inTransaction) throw new Error('expected to be inside a transaction');
        // stdout is a pipe: synchronous on Linux, so the parent sees this before we block.
        process.stdout.write('in-transaction\n');
        sleepSync(30_000);
      }
      return run(sql, params);
    };
  }
  process.stdout.write('opened\n');
  await vault.indexRoots([folder!], {
    batchSize: Number(batch ?? 5),
    onProgress: (p) => {
      if (p.phase === 'indexing') process.stdout.write(`progress ${p.done} ${p.total}\n`);
    },
  });
  vault.close();
  process.stdout.write('done\n');
})();
