// `codex-vault doctor --db <file> [--salvage <new file>]`: the full check of a vault (SQLite's
// integrity_check and the full-text index's own check), what the damage touches, what a rebuild
// keeps, and the commands that rebuild it. Exit 0 when the vault is whole (or the salvage was
// written), 1 when it is damaged.
import { parse, required } from '../args';
import type { CliCommand, CliIo } from '../command';
import { diagnose, type DoctorReport } from '../../vault/doctor/doctor';
import { salvage, type SalvageReport } from '../../vault/doctor/salvage';

const options = {
  db: { type: 'string' },
  salvage: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const quote = (s: string): string => (/^[\w./:@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function keptLine(r: DoctorReport): string {
  const k = r.kept;
  const n = (v: number | null, one: string, many = `${one}s`): string => (v === null ? `${many} (unreadable)` : `${v} ${v === 1 ? one : many}`);
  return `${n(k.bookmarks, 'bookmark')}, ${n(k.conversations, 'conversation')} (${n(k.messages, 'message')}), ${n(k.settings, 'setting')}, ${n(k.models, 'model record')}`;
}

function report(r: DoctorReport, io: CliIo): void {
  const lines = [`Checked ${r.file}: ${r.checked.join(', ')} (${(r.ms / 1000).toFixed(1)} s).`];
  if (r.readOnlyCheck) lines.push('Another process writes this vault: it was checked read-only, without the full-text index check.');
  if (r.ok) {
    lines.push('No damage found.');
  } else {
    lines.push('DAMAGED:');
    for (const p of r.problems.slice(0, 12)) lines.push(`  ${p}`);
    if (r.problems.length > 12) lines.push(`  ... and ${r.problems.length - 12} more`);
    if (r.affected.length > 0) lines.push(`Damaged tables and indexes: ${r.affected.join(', ')}.`);
    lines.push(
      r.indexOnly
        ? 'The damage is in the index of the notes only, which is built again from the notes.'
        : 'Part of the damage may be in data that only the vault holds: a rebuild keeps what can still be read.',
      `A rebuild keeps ${keptLine(r)}; the index of the notes (files, chunks, full text) and the vectors are built again from the notes.`,
      'Codex Vault does not write to a damaged vault. To rebuild it:',
      `  codex-vault doctor --db ${quote(r.file)} --salvage ${quote(`${r.file}.rebuilt`)}`,
      `  codex-vault index ${r.roots.length > 0 ? r.roots.map(quote).join(' ') : '<folders>'} --db ${quote(`${r.file}.rebuilt`)}`,
      `  then move ${quote(`${r.file}.rebuilt`)} in place of ${quote(r.file)} (keep the old file until you are satisfied).`,
    );
  }
  io.out.write(lines.join('\n') + '\n');
}

function salvageReport(s: SalvageReport, io: CliIo): void {
  const parts = Object.entries(s.copied).map(([t, n]) => `${n} ${t}${s.lost[t as keyof typeof s.lost] ? ` (${s.lost[t as keyof typeof s.lost]}+ unreadable)` : ''}`);
  const lines = [`Salvaged into ${s.target}: ${parts.join(', ')}.`];
  if (s.orphans.bookmarks) lines.push(`${s.orphans.bookmarks} bookmark(s) whose folder was lost are now at the top level.`);
  if (s.orphans.messages) lines.push(`${s.orphans.messages} message(s) whose conversation was lost were dropped.`);
  lines.push(`Now index the notes into it: codex-vault index ${s.roots.length > 0 ? s.roots.map(quote).join(' ') : '<folders>'} --db ${quote(s.target)}`);
  io.out.write(lines.join('\n') + '\n');
}

export const doctorCommand: CliCommand = {
  name: ['doctor'],
  summary: 'Check a vault in full; say what is damaged, what a rebuild keeps, and salvage it.',
  help: `Usage: codex-vault doctor --db <file> [--salvage <new file>] [--json]

Runs SQLite's full integrity check and the full-text index's own check on the vault, and says
what is damaged. The index of the notes (files, chunks, full text, vectors) can always be built
again from the notes; bookmarks, conversations, settings and model records exist only in the
vault, so a rebuild copies them: --salvage writes them, as far as they can be read, into a new
vault, which \`codex-vault index\` then fills. Every command refuses to write to a vault found
damaged (search and ask still read it, with a warning).

Options:
  --db <file>          The vault database file (required).
  --salvage <file>     Copy bookmarks, conversations, settings and model records into this new vault.
  --json               Print {check: {...}, salvage?: {...}} as one JSON object.

Exit status: 0 when no damage is found (or the salvage was written), 1 when the vault is damaged.`,

  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parse(argv, options);
    const db = required(values.db, 'db');
    const check = diagnose(db);
    const saved = values.salvage !== undefined ? salvage(db, values.salvage) : undefined;
    if (values.json) {
      io.out.write(JSON.stringify({ check, ...(saved ? { salvage: saved } : {}) }) + '\n');
    } else {
      report(check, io);
      if (saved) salvageReport(saved, io);
    }
    return check.ok || saved ? 0 : 1;
  },
};
