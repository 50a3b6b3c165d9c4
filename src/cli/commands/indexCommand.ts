// `codex-vault index <folder>... --db <file>`: indexes the Markdown of the folders into the vault
// (or brings it up to date) and prints a summary. Skipped files are listed on stderr.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { intOption, parse, required, UsageError } from '../args';
import type { CliCommand, CliIo } from '../command';
import type { IndexProgress, IndexSummary } from '../../vault/vault';
import { openVaultForWriting } from './openVault';

const options = {
  db: { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'max-file-kb': { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  'follow-external-symlinks': { type: 'boolean' },
} as const;

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function formatSummary(s: IndexSummary): string {
  const parts = [
    `Indexed ${plural(s.indexed, 'file')} (${plural(s.added, 'new', 'new')}, ${plural(s.updated, 'changed', 'changed')}; ${plural(s.chunks, 'chunk')} written)`,
    `${plural(s.unchanged, 'unchanged', 'unchanged')}`,
    `${plural(s.renamed, 'renamed', 'renamed')}`,
    `${plural(s.skipped.length, 'skipped', 'skipped')}`,
    `${plural(s.removed, 'removed', 'removed')}`,
  ];
  return `${parts.join(', ')} in ${s.seconds.toFixed(2)} s. The vault holds ${plural(s.totalFiles, 'file')} and ${plural(s.totalChunks, 'chunk')}.`;
}

function progressPrinter(io: CliIo): (p: IndexProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (p.phase !== 'done' && now - last < 100) return;
    last = now;
    const text = p.phase === 'scanning' ? `scanning: ${p.done} files found` : p.phase === 'done' ? '' : `${p.phase}: ${p.done}/${p.total}`;
    io.err.write(`\r\x1b[K${text}`);
  };
}

export const indexCommand: CliCommand = {
  name: ['index'],
  summary: 'Index (or update) the Markdown notes of one or more folders into a vault file.',
  help: `Usage: codex-vault index <folder>... --db <file> [options]

Indexes the Markdown files under each folder (honouring .gitignore) into the vault database,
creating it if needed. Run it again to update: unchanged files are skipped, edited, renamed and
deleted ones are updated. Prints a summary; skipped files are listed on stderr.

Options:
  --db <file>          The vault database file (required).
  --include <glob>     Files to index, relative to each folder (repeatable; default **/*.md, **/*.markdown).
  --exclude <glob>     Files or folders to leave out (repeatable; e.g. "drafts/**").
  --max-file-kb <n>    Skip files larger than this (default 2048).
  --follow-external-symlinks
                       Also follow symbolic links that lead outside the folders given (by default
                       they are skipped and listed: a link such as notes.md -> /etc/passwd is never read).
  --json               Print the summary as JSON.
  -q, --quiet          Do not list skipped files.

Example:
  codex-vault index ~/notes --db ~/notes.vault`,

  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, options);
    const db = required(values.db, 'db');
    if (positionals.length === 0) throw new UsageError('Give at least one folder to index.');
    const folders = positionals.map((p) => resolve(p));
    for (const f of folders) {
      let isDir = false;
      try {
        isDir = statSync(f).isDirectory();
      } catch {
        throw new UsageError(`The folder ${f} does not exist.`);
      }
      if (!isDir) throw new UsageError(`${f} is not a folder.`);
    }
    const maxKb = intOption(values['max-file-kb'], 'max-file-kb', 2048, 1, 1024 * 1024);
    const vault = openVaultForWriting(db, io);
    try {
      const summary = await vault.indexRoots(folders, {
        include: values.include,
        exclude: values.exclude,
        maxFileBytes: maxKb * 1024,
        followExternalSymlinks: values['follow-external-symlinks'] ?? false,
        signal: io.signal,
        onProgress: io.isTTY && !values.json ? progressPrinter(io) : undefined,
      });
      if (io.isTTY && !values.json) io.err.write('\r\x1b[K');
      if (!values.quiet) {
        for (const s of summary.skipped) io.err.write(`skipped ${s.path}: ${s.reason} (${s.detail})\n`);
      }
      io.out.write(values.json ? JSON.stringify({ ...summary, seconds: Math.round(summary.seconds * 1000) / 1000 }) + '\n' : formatSummary(summary) + '\n');
      return 0;
    } finally {
      vault.close();
    }
  },
};
