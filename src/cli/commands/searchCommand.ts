// `codex-vault search "<query>" --db <file>`: full-text search of a vault. With --json, stdout
// is exactly one JSON array of {path, startLine, endLine, heading, score, snippet}, best first.
import { intOption, parse, required, UsageError } from '../args';
import type { CliCommand, CliIo } from '../command';
import { Vault } from '../../vault/vault';
import { warnIfDamaged } from './vaultWarnings';
import { searchWithRetrieval, retrievalOptionHelp, retrievalOptionSpec, type SearchJsonHit, wantsRetrieval } from './searchRetrieval';

const options = {
  db: { type: 'string' },
  limit: { type: 'string', short: 'n' },
  json: { type: 'boolean' },
  'path-prefix': { type: 'string' },
  tag: { type: 'string' },
  prefix: { type: 'boolean' },
  ...retrievalOptionSpec,
} as const;

export const searchCommand: CliCommand = {
  name: ['search'],
  summary: 'Search a vault: full text (plain words or questions, "phrases", prefix*, a OR b), semantic or hybrid.',
  // Ctrl+C ends a search at once, even in the middle of a query (see cli/signals.ts).
  signals: 'default',
  help: `Usage: codex-vault search "<query>" --db <file> [options]

Searches the vault's notes, best match first, at most 3 chunks of a note before the next notes.
Plain words: function and question words ("how", "do", "the", "什么", "どう") are left out
unless nothing else is left. Chunks holding every remaining word come first: a word in a
note's title, aliases or file name counts most, then headings and tags, then the text. When
they do not fill the list, chunks holding some of the words follow, more of the words first.
Chinese, Japanese and Thai are split into words; a Korean word also matches with another
particle (파일을 finds 파일이). A word also matches another word for the same thing when
the vault uses that one more (folder finds directory, colour finds color, 文件夹 finds 目录);
two words also match the word they make together where the vault writes it so (time zone
finds timezone), and three to five words the acronym a note defines for them ("cross
origin resource sharing" finds CORS); a word with a slip that no note holds and no English
dictionary lists also matches the vault's nearest word (pasword finds password); a "quoted"
word means that word alone. The same ranking serves --mode lexical and the chat.
Syntax: "quoted words" match as a phrase; word* matches a prefix; a OR b matches either;
AND requires every word (no partial matches). Any other punctuation is plain text.
Options may come before or after the query; "--" ends the options, so
  codex-vault search --db notes.vault -- "-draft notes"
searches for text that starts with a dash.

Options:
  --db <file>            The vault database file (required).
  -n, --limit <n>        Most results (default 10, at most 500).
  --json                 Print one JSON array of {path, startLine, endLine, heading, score, snippet}.
  --path-prefix <p>      Only notes whose path (relative to their folder) starts with p.
  --tag <tag>            Only notes with this tag (front matter tags or #tags).
  --prefix               Match the last word as a prefix too (as when typing).
${retrievalOptionHelp}

Exit status: 0, or 1 after the results when the vault was found damaged (see codex-vault doctor).`,

  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, options);
    const db = required(values.db, 'db');
    const query = positionals.join(' ');
    if (query.trim() === '') throw new UsageError('Give a query, e.g. codex-vault search "ownership" --db notes.vault.');
    const limit = intOption(values.limit, 'limit', 10, 1, 500);
    // Searching never writes: read-only also works while another process indexes the vault.
    const vault = Vault.open(db, { readOnly: true });
    try {
      const damaged = warnIfDamaged(vault, io);
      // --mode / --embedding-model / --explain: hybrid retrieval; otherwise plain full text below.
      if (wantsRetrieval(values)) return Math.max(damaged, await searchWithRetrieval(vault, query, { limit, pathPrefix: values['path-prefix'], tag: values.tag, json: values.json ?? false }, values, io));
      const hits = vault.searchLexical(query, { limit, pathPrefix: values['path-prefix'], tag: values.tag, prefixLast: values.prefix ?? false });
      if (values.json) {
        const out: SearchJsonHit[] = hits.map((h) => ({ path: h.path, startLine: h.startLine, endLine: h.endLine, heading: h.heading, score: Math.round(h.score * 10000) / 10000, snippet: h.snippet }));
        io.out.write(JSON.stringify(out) + '\n');
        return damaged;
      }
      if (hits.length === 0) {
        io.err.write('No matches.\n');
        return damaged;
      }
      const lines: string[] = [];
      for (const h of hits) {
        lines.push(`${h.path}:${h.startLine}-${h.endLine}${h.heading ? `  ${h.heading}` : ''}  (${h.score.toFixed(2)})`);
        lines.push(`    ${h.snippet}`);
      }
      io.out.write(lines.join('\n') + '\n');
      return damaged;
    } finally {
      vault.close();
    }
  },
};
