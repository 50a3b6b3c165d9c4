// Child process for the reader-lock tests: a long-running writer, as an editor's vault worker is.
// argv: <db> <notes folder>. Opens the vault for writing, then every 100 ms rewrites
// <notes>/live.md with a new token `tick<n>` and re-indexes it (Vault.updateFile, which waits out
// a held lock for up to 5 s), printing `ok <n>` or `fail <n> <message>`. On stdin "close" it
// closes the vault and exits.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Vault } from '../../../../src/vault/vault';

const [db, notes] = process.argv.slice(2) as [string, string];
const vault = Vault.open(db);
process.stdout.write(`ready ${process.pid}\n`);
let n = 0;
let stopped = false;

function tick(): void {
  if (stopped) return;
  n++;
  writeFileSync(join(notes, 'live.md'), `# Live note\n\nWritten by the live writer: tick${n}\n`);
  try {
    vault.updateFile(notes, 'live.md');
    process.stdout.write(`ok ${n}\n`);
  } catch (err) {
    process.stdout.write(`fail ${n} ${(err as Error).message.replace(/\s+/g, ' ')}\n`);
  }
  setTimeout(tick, 100);
}
tick();

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'close') {
    stopped = true;
    vault.close();
    process.stdout.write(`closed ${n}\n`);
    process.exit(0);
  }
});
