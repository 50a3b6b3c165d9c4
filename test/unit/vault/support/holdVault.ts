// Child process for the lock tests: opens a vault for writing and holds it.
// argv: <db> [folder to index first]. Prints "ready" once it owns the vault; then on stdin
// "close" closes the vault and exits, "exit" exits without closing (the exit hook must release).
import { createInterface } from 'node:readline';
import { Vault } from '../../../../src/vault/vault';

void (async () => {
  const [db, folder] = process.argv.slice(2);
  let vault: Vault;
  try {
    vault = Vault.open(db!);
  } catch (err) {
    process.stdout.write(`error ${(err as Error).message}\n`);
    process.exit(3);
  }
  if (folder) await vault.indexRoots([folder]);
  process.stdout.write(`ready ${process.pid}\n`);
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'close') {
      vault.close();
      process.stdout.write('closed\n');
      process.exit(0);
    }
    if (line === 'exit') process.exit(0);
  });
})();
