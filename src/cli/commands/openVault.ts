// Opening a vault for writing from the CLI: a schema upgrade that re-indexes the notes (e.g.
// migration 0004) reports its progress on stderr, redrawn in place on a terminal.
import type { CliIo } from '../command';
import { Vault, type MigrationProgress } from '../../vault/vault';

/** `create: false`: a missing vault is an error (only `index` creates one). */
export function openVaultForWriting(db: string, io: CliIo, opts: { create?: boolean } = {}): Vault {
  let shown = -1;
  let upgraded = false;
  const onUpgradeProgress = (p: MigrationProgress): void => {
    upgraded = true;
    const what = `Upgrading the vault (migration ${String(p.version).padStart(4, '0')}, ${p.name}): ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} chunks`;
    if (io.isTTY) return void io.err.write(`\r\x1b[K${what}`);
    // Without a terminal: a line at the start and one per tenth.
    const tenth = p.total > 0 ? Math.floor((p.done / p.total) * 10) : 10;
    if (tenth !== shown) {
      shown = tenth;
      io.err.write(`${what}\n`);
    }
  };
  const vault = Vault.open(db, { create: opts.create, onUpgradeProgress });
  if (upgraded && io.isTTY) io.err.write('\n');
  return vault;
}
