// Child process for the crash tests: indexes a folder in small batches and reports progress
// on stdout, so the parent can kill -9 it in the middle of the work.
// argv: <db> <folder> <batchSize>
import { Vault } from '../../../../src/vault/vault';

void (async () => {
  const [db, folder, batch] = process.argv.slice(2);
  const vault = Vault.open(db!);
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
