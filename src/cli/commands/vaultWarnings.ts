// What the reading commands (search, ask) say about a vault whose open-time check found damage:
// one warning line on stderr, and a non-zero exit after the results, so that a script notices.
import type { CliIo } from '../command';
import type { Vault } from '../../vault/vault';

/** Writes the warning when the vault is damaged; returns the exit code to end with (0 or 1). */
export function warnIfDamaged(vault: Vault, io: CliIo): number {
  const h = vault.health;
  if (h.ok) return 0;
  const more = h.problems.length > 1 ? `; ${h.problems.length - 1} more` : '';
  io.err.write(`warning: the vault ${vault.file} is damaged (${h.problems[0]}${more}): results come from what can still be read, and nothing is written to it. Run codex-vault doctor --db ${vault.file}.\n`);
  return 1;
}
