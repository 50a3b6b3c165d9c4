// `codex-vault related <path> --db <file>`: the notes closest to one note, best first, and why.
// With --json, stdout is exactly one JSON array of {path, score, reasons}.
import { intOption, parse, required, UsageError } from '../args';
import type { CliCommand, CliIo } from '../command';
import { Vault } from '../../vault/vault';
import { RelatedNotes } from '../../vault/related/relatedNotes';
import type { RelatedReason } from '../../vault/related/types';
import { VectorIndexCache } from '../../vault/vectors/vectorIndex';
import { warnIfDamaged } from './vaultWarnings';

const options = {
  db: { type: 'string' },
  limit: { type: 'string', short: 'n' },
  json: { type: 'boolean' },
} as const;

function describe(r: RelatedReason): string {
  switch (r.kind) {
    case 'passage':
      return r.by === 'vectors'
        ? `close passage ${r.startLine}-${r.endLine}${r.heading ? ` (${r.heading})` : ''}, similarity ${r.similarity?.toFixed(2)}`
        : `shares ${r.words?.length ? r.words.join(', ') : 'words'} at ${r.startLine}-${r.endLine}${r.heading ? ` (${r.heading})` : ''}`;
    case 'tags':
      return `tags ${r.tags.map((t) => `#${t}`).join(' ')}`;
    case 'link':
      return r.direction === 'out' ? `linked from this note (line ${r.line})` : r.direction === 'in' ? `links here (line ${r.line})` : 'linked both ways';
  }
}

export const relatedCommand: CliCommand = {
  name: ['related'],
  summary: 'The notes closest to one note (by vectors, or by its distinctive words), with links and shared tags.',
  signals: 'default',
  help: `Usage: codex-vault related <path> --db <file> [--json] [--limit n]

Lists the notes closest to the note at <path>, best first, never the note itself. Closeness is
measured by the vault's active embedding model when it has vectors for the note (the mean of the
note's chunk vectors against every chunk; no model file is needed, the vectors are in the vault),
otherwise by the note's most distinctive words (tf-idf), searched with the same ranking as
codex-vault search. Links between the notes (either way) and tags they share count too.
<path> is absolute, or relative to its vault folder as search prints it.

Options:
  --db <file>            The vault database file (required).
  -n, --limit <n>        Most notes (default 10, at most 100).
  --json                 Print one JSON array of {path, score, reasons}, best first. Reasons:
                         {kind: "passage", by: "vectors"|"words", startLine, endLine, heading,
                         similarity | words}, {kind: "tags", tags}, {kind: "link", direction:
                         "out"|"in"|"both", line}.

Exit status: 0; 1 when <path> is not a note of the vault, or after the results when the vault
was found damaged (see codex-vault doctor); 2 for bad arguments.`,

  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, options);
    const db = required(values.db, 'db');
    if (positionals.length !== 1 || positionals[0]!.trim() === '') throw new UsageError('Give the path of one note, e.g. codex-vault related notes/ownership.md --db notes.vault.');
    const limit = intOption(values.limit, 'limit', 10, 1, 100);
    // Reading only: works while another process indexes the vault.
    const vault = Vault.open(db, { readOnly: true });
    try {
      const damaged = warnIfDamaged(vault, io);
      const r = new RelatedNotes(vault.db, new VectorIndexCache(vault.db)).find(positionals[0]!, { limit });
      if (values.json) {
        io.out.write(JSON.stringify(r.notes.map((n) => ({ path: n.path, score: n.score, reasons: n.reasons }))) + '\n');
        return damaged;
      }
      io.err.write(r.by === 'vectors' ? `Related to ${r.path}, by the embedding model's vectors:\n` : `Related to ${r.path}, by its words ${r.words.join(', ') || '(none distinctive)'}:\n`);
      if (r.notes.length === 0) {
        io.err.write('No related notes.\n');
        return damaged;
      }
      const lines: string[] = [];
      for (const n of r.notes) {
        lines.push(`${n.path}:${n.startLine}-${n.endLine}  ${n.title}  (${n.score.toFixed(2)})`);
        for (const reason of n.reasons) lines.push(`    ${describe(reason)}`);
      }
      io.out.write(lines.join('\n') + '\n');
      return damaged;
    } finally {
      vault.close();
    }
  },
};
