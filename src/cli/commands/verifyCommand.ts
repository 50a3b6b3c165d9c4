// `codex-vault verify <file>`: re-hashes a model file (or reuses the hash remembered for its path,
// size and mtime) and compares it with --sha256, else with the manifest entry naming the file,
// else with its record. Exit 0 only on a match; a mismatch is recorded, making the model unusable.
import { dirname } from 'node:path';
import { parse, UsageError } from '../args';
import type { CliCommand, CliIo } from '../command';
import { mergeManifests } from '../../engine/models/manifestSources';
import { isSha256Hex } from '../../engine/checksum';
import { verifyFile } from '../../engine/models/verifyModel';
import { openRecords, ProgressPrinter } from './modelsShared';

const options = {
  sha256: { type: 'string' },
  manifest: { type: 'string' },
  db: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const verifyCommand: CliCommand = {
  name: ['verify'],
  summary: 'Check a model file against its SHA-256 (exit 0 only on a match).',
  help: `Usage: codex-vault verify <file> [--sha256 <hex>] [--json]

Hashes the file and compares it with, in this order: --sha256; the manifest entry with the same
file name (default manifest and --manifest); the hash recorded when it was downloaded or added.
The result is remembered by (path, size, mtime), so an unchanged file is not hashed again unless
--force is given. A mismatch is recorded: the engine will then refuse to load the file.
Exit status: 0 match, 1 mismatch or nothing to compare with, 2 usage error.

Options:
  --sha256 <hex>     The expected SHA-256.
  --manifest <file>  Also look the file name up in this manifest.
  --db <file>        Where hashes are remembered (default <file's folder>/codex-vault-models.sqlite).
  --force            Hash again even if the remembered hash is still fresh.
  --json             Print one JSON object {path, size, sha256, expectedSha256, expectedFrom, match, cached, manifestId, detail}.`,

  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, options);
    if (positionals.length !== 1) throw new UsageError('Give exactly one file, e.g. codex-vault verify ~/models/model.gguf.');
    const file = positionals[0]!;
    if (values.sha256 !== undefined && !isSha256Hex(values.sha256)) throw new UsageError(`--sha256 must be 64 hexadecimal characters, got "${values.sha256}".`);
    const merged = await mergeManifests({ manifestFile: values.manifest });
    for (const p of merged.problems) io.err.write(`warning: ${p}\n`);
    const records = openRecords(values.db, dirname(file));
    const printer = new ProgressPrinter(io, 'verify', 'hashing');
    try {
      const r = await verifyFile(file, {
        expectedSha256: values.sha256,
        models: merged.models,
        store: records.store,
        force: values.force ?? false,
        signal: io.signal,
        onProgress: (p) => printer.update({ bytes: p.bytes, total: p.total, bytesPerSecond: 0, etaSeconds: undefined, phase: 'hashing' }),
      });
      printer.done();
      if (values.json) io.out.write(JSON.stringify(r) + '\n');
      else if (r.match === true) io.out.write(`match: ${r.path}\n  sha256 ${r.sha256}${r.cached ? ' (remembered; unchanged since it was hashed)' : ''}${r.manifestId ? `\n  manifest entry ${r.manifestId}` : ''}\n`);
      else if (r.match === false) io.out.write(`MISMATCH: ${r.path}\n  ${r.detail}\n  The file is marked unusable; download it again.\n`);
      else io.out.write(`${r.path}\n  sha256 ${r.sha256}\n  Nothing to compare with: pass --sha256 <hex>, or use a file named as in the manifest.\n`);
      return r.match === true ? 0 : 1;
    } finally {
      printer.done();
      records.close();
    }
  },
};
