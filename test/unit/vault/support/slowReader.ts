// Child process for the reader-lock tests: a reader inside a read transaction, i.e. holding
// SQLite's `<db>.lock` directory.
// argv: <db> hang | hold <ms>
//   hang: prints "holding" once its read transaction holds the lock, then runs a query that takes
//     minutes, to be killed in the middle of it.
//   hold <ms>: prints "holding", then for <ms> keeps reading in the same transaction, printing
//     `lock <inode>:<ctime ns>` of `<db>.lock` (or `lock gone`) every 100 ms; then ends the
//     transaction, prints "released", closes and exits.
import { statSync } from 'node:fs';
import { sleepSync } from '../../../../src/vault/lock/sleep';
import { retryWhileLocked } from '../../../../src/vault/store/busy';
import { Vault } from '../../../../src/vault/vault';

const [db, mode, ms] = process.argv.slice(2) as [string, string, string | undefined];
const vault = Vault.open(db, { readOnly: true });

function lockId(): string {
  try {
    const s = statSync(`${db}.lock`, { bigint: true });
    return `${s.ino}:${s.ctimeNs}`;
  } catch {
    return 'gone';
  }
}

// The first read of a transaction takes the lock, held until the transaction ends. The writer
// takes it for a moment every 100 ms: wait those out.
const n = retryWhileLocked(() => {
  vault.db.exec('BEGIN');
  try {
    return vault.db.get<{ n: number }>('SELECT count(*) AS n FROM documents')!.n;
  } catch (err) {
    vault.db.exec('ROLLBACK');
    throw err;
  }
});
process.stdout.write(`holding ${n}\n`);
if (mode === 'hang') {
  vault.db.get('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000000) SELECT count(*) AS n FROM c');
}
const until = Date.now() + Number(ms);
while (Date.now() < until) {
  vault.db.get('SELECT count(*) AS n FROM chunks');
  process.stdout.write(`lock ${lockId()}\n`);
  sleepSync(100);
}
vault.db.exec('COMMIT');
process.stdout.write('released\n');
vault.close();
process.stdout.write('closed\n');
