// `codex-vault models list`: every model of the default manifest (plus settings-style entries from
// a manifest file), with its status in the models folder and whether it fits this machine.
import { intOption, parse } from '../args';
import type { CliCommand, CliIo } from '../command';
import { formatBytes } from '../../engine/download/diskSpace';
import { detectHardware } from '../../engine/fit/hardware';
import { defaultContextSize, judgeHardwareFit, type FitReport } from '../../engine/fit/hardwareFit';
import { modelShape } from '../../engine/fit/modelShape';
import { ProxyResolver } from '../../engine/download/proxy';
import { buildCatalog, type CatalogEntry, type ManifestEntry } from '../../engine/models/catalog';
import { mergeManifests } from '../../engine/models/manifestSources';
import { defaultModelsDir, openRecordsIfPresent } from './modelsShared';

const options = {
  dir: { type: 'string' },
  manifest: { type: 'string' },
  db: { type: 'string' },
  json: { type: 'boolean' },
  'no-default': { type: 'boolean' },
  context: { type: 'string' },
  remote: { type: 'boolean' },
} as const;

export interface ModelsListJsonManifest {
  kind: 'manifest';
  id: string;
  name: string;
  role: string;
  origin: string;
  status: string;
  quantization: string;
  contextLength: number;
  embeddingDimension: number | null;
  license: string;
  description: string;
  sizeBytes: number;
  bytesPresent: number;
  path: string;
  files: Array<{ name: string; status: string; size: number; bytesPresent: number; sha256: string; detail: string | null }>;
  fit: FitReport;
}

export const modelsListCommand: CliCommand = {
  name: ['models', 'list'],
  summary: 'List downloadable and local models with their status (available/partial/verified/mismatch) and fit.',
  help: `Usage: codex-vault models list [--dir <models folder>] [--manifest <file>] [--json]

Lists the models of the default manifest (and of --manifest), their status in the models folder
and whether each fits this machine (RAM, and GPU memory when nvidia-smi reports it):
  available   nothing downloaded yet            partial     a download was started (resumable)
  verified    every file matches its SHA-256    mismatch    a file is not what the manifest says
  unverified  files present but not hashed since they changed (run codex-vault verify)
Local GGUF files added by the user (hashed and recorded) are listed too.

Options:
  --dir <folder>       The models folder (default $CODEX_VAULT_MODELS or ~/.codex-vault/models).
  --manifest <file>    A manifest of your own (same format; its ids override the default ones).
  --no-default         Leave out the default manifest.
  --db <file>          Where verified hashes are remembered (default <dir>/codex-vault-models.sqlite).
  --context <n>        Context size for the fit check (default: 4096, or the model's own if smaller).
  --remote             Read each model's GGUF header from the server (a ranged read, a few MB)
                       for exact layer and tensor figures; otherwise the manifest's sizes are used.
  --json               Print one JSON array (manifest entries, then local ones).`,

  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parse(argv, options);
    const dir = values.dir ?? defaultModelsDir();
    const context = values.context === undefined ? undefined : intOption(values.context, 'context', 4096, 16, 1 << 21);
    const merged = await mergeManifests({ includeDefault: !values['no-default'], manifestFile: values.manifest });
    for (const p of merged.problems) io.err.write(`warning: ${p}\n`);
    // Listing changes nothing on disk: without a records database every present file is 'unverified'.
    const records = openRecordsIfPresent(values.db, dir);
    const resolver = new ProxyResolver();
    try {
      const catalog = await buildCatalog(dir, merged.models, records?.store);
      const hw = await detectHardware();
      const fits = new Map<string, FitReport>();
      for (const e of catalog) {
        if (e.kind !== 'manifest') continue;
        io.signal.throwIfAborted();
        const local = e.files[0]!.status === 'verified' || e.files[0]!.status === 'unverified' ? e.files[0]!.path : undefined;
        const shape = await modelShape(e.model, { localFile: local, remote: values.remote ?? false, dispatcherFor: resolver.dispatcherFor, signal: io.signal });
        fits.set(e.id, judgeHardwareFit(shape, hw, context ?? defaultContextSize(e.model)));
      }
      if (values.json) {
        io.out.write(JSON.stringify(catalog.map((e) => toJson(e, fits))) + '\n');
      } else {
        printTable(io, catalog, fits, dir);
      }
      return merged.problems.length > 0 && values.manifest ? 1 : 0;
    } finally {
      records?.close();
      await resolver.close();
    }
  },
};

function toJson(e: CatalogEntry, fits: Map<string, FitReport>): ModelsListJsonManifest | CatalogEntry {
  if (e.kind === 'local') return e;
  const m = e.model;
  return {
    kind: 'manifest',
    id: e.id,
    name: m.name,
    role: m.role,
    origin: e.origin,
    status: e.status,
    quantization: m.quantization,
    contextLength: m.contextLength,
    embeddingDimension: m.embeddingDimension ?? null,
    license: m.license,
    description: m.description,
    sizeBytes: e.totalBytes,
    bytesPresent: e.bytesPresent,
    path: e.path,
    files: e.files.map((f, i) => ({ name: f.name, status: f.status, size: f.expectedSize, bytesPresent: f.bytesPresent, sha256: m.files[i]!.sha256, detail: f.detail ?? null })),
    fit: fits.get(e.id)!,
  };
}

function printTable(io: CliIo, catalog: CatalogEntry[], fits: Map<string, FitReport>, dir: string): void {
  const manifest = catalog.filter((e): e is ManifestEntry => e.kind === 'manifest');
  const rows = manifest.map((e) => {
    const fit = fits.get(e.id)!;
    const status = e.status === 'partial' ? `partial ${Math.floor((e.bytesPresent / e.totalBytes) * 100)}%` : e.status;
    const fitText = `${fit.level === 'wont-fit' ? "won't fit" : fit.level} (needs ~${formatBytes(fit.neededBytes)}${fit.device === 'gpu' ? ' GPU' : ''})`;
    return [e.id, e.model.role, formatBytes(e.totalBytes), status, fitText];
  });
  const header = ['ID', 'ROLE', 'SIZE', 'STATUS', 'FIT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  io.out.write(`Models folder: ${dir}\n${line(header)}\n${rows.map(line).join('\n')}\n`);
  const local = catalog.filter((e) => e.kind === 'local');
  if (local.length > 0) {
    io.out.write('\nLocal models:\n');
    for (const l of local) io.out.write(`  ${l.path}  ${l.role ?? '-'}  ${formatBytes(l.size)}  ${l.status}\n`);
  }
}
