// `codex-vault download-model <id|url> --dir <folder>`: downloads a manifest model (every part of
// a split one) or a single GGUF URL with a known SHA-256, resuming any earlier attempt, and exits
// 0 only when every file is verified and in place. Says first whether the model fits this machine.
import { basename } from 'node:path';
import { safeLine } from '../../common/untrustedText';
import { intOption, parse, required, UsageError } from '../args';
import type { CliCommand, CliIo } from '../command';
import { isSha256Hex } from '../../engine/checksum';
import { formatBytes } from '../../engine/download/diskSpace';
import { DownloadError } from '../../engine/download/errors';
import { ProxyResolver } from '../../engine/download/proxy';
import { detectHardware } from '../../engine/fit/hardware';
import { defaultContextSize, judgeHardwareFit, type FitReport } from '../../engine/fit/hardwareFit';
import { modelShape } from '../../engine/fit/modelShape';
import { fileNameProblem, modelPath, partPath } from '../../engine/models/fileNames';
import { mergeManifests } from '../../engine/models/manifestSources';
import { validateManifest } from '../../engine/models/manifestValidate';
import type { ManifestModel } from '../../engine/models/manifestTypes';
import { downloadModel } from '../../engine/models/modelDownloader';
import { openRecords, ProgressPrinter } from './modelsShared';

const options = {
  dir: { type: 'string' },
  sha256: { type: 'string' },
  size: { type: 'string' },
  name: { type: 'string' },
  role: { type: 'string' },
  manifest: { type: 'string' },
  db: { type: 'string' },
  context: { type: 'string' },
  json: { type: 'boolean' },
  'no-fit': { type: 'boolean' },
  retries: { type: 'string' },
  'stall-timeout': { type: 'string' },
} as const;

export const downloadModelCommand: CliCommand = {
  name: ['download-model'],
  summary: 'Download a model from the manifest (or a GGUF URL with its SHA-256); resumes, verifies.',
  help: `Usage: codex-vault download-model <id|url> --dir <models folder> [options]

Downloads a model into the models folder. The download streams into <file>.part and resumes
from there after an interruption (run the same command again); the file appears under its own
name only once its size and SHA-256 match. Exit status 0 only when every file is verified.
Before downloading it says whether the model fits this machine (RAM, GPU memory, KV cache),
reading the GGUF header from the server when it allows ranged reads.
If the disk fills up, it says how much was written and, when known, how much more is needed;
the partial download is kept when the server can resume (it serves byte ranges), so the same
command continues once there is space, and deleted when it cannot (a new try starts from zero).
Proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured.

  codex-vault download-model qwen2.5-0.5b-instruct-q4_k_m --dir ~/models
  codex-vault download-model https://host/x.gguf --sha256 <64 hex> --size 1234 --dir ~/models

Options:
  --dir <folder>         The models folder (required).
  --sha256 <hex>         Expected SHA-256 (required with a URL: unverifiable files are never installed).
  --size <bytes>         Expected size (with a URL; checked before downloading).
  --name <file.gguf>     File name for a URL (default: the URL's last path segment).
  --role chat|embedding  Role recorded for a URL download (default chat).
  --manifest <file>      Also look ids up in this manifest.
  --db <file>            Where verified hashes are remembered (default <dir>/codex-vault-models.sqlite,
                         created once a file is verified).
  --context <n>          Context size for the fit check.
  --no-fit               Skip the fit check (no header read).
  --retries <n>          Attempts without progress before giving up (default 5).
  --stall-timeout <s>    Seconds without data before an attempt counts as stalled (default 30); a
                         server that stays silent is given up on after two stalled attempts in a
                         row, and while it is silent the progress line says so.
  --json                 Print one JSON object with the result on stdout.`,

  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, options);
    if (positionals.length !== 1) throw new UsageError('Give exactly one model id or URL, e.g. codex-vault download-model qwen2.5-0.5b-instruct-q4_k_m --dir ~/models.');
    const target = positionals[0]!;
    const dir = required(values.dir, 'dir');
    const retries = intOption(values.retries, 'retries', 5, 0, 100);
    const stall = intOption(values['stall-timeout'], 'stall-timeout', 30, 1, 3600);
    const model = await resolveModel(target, values, io);
    const resolver = new ProxyResolver();
    const records = openRecords(values.db, dir);
    const printer = new ProgressPrinter(io, model.id);
    try {
      let fit: FitReport | null = null;
      if (!values['no-fit']) {
        const ctx = values.context === undefined ? defaultContextSize(model) : intOption(values.context, 'context', 4096, 16, 1 << 21);
        const shape = await modelShape(model, { remote: true, dispatcherFor: resolver.dispatcherFor, signal: io.signal, onNote: (n) => io.err.write(`note: ${n}; estimating from the manifest.\n`) });
        const bytes = model.files.reduce((n, f) => n + f.size, 0);
        if (shape.weightsBytes > 0) {
          fit = judgeHardwareFit(shape, await detectHardware(), ctx);
          io.err.write(`${model.name} (${bytes > 0 ? formatBytes(bytes) : 'size not given'}${model.files.length > 1 ? `, ${model.files.length} files` : ''}): ${fit.message}\n`);
        } else {
          io.err.write(`${model.name}: fit unknown (no --size, and the GGUF header could not be read).\n`);
        }
      }
      const result = await downloadModel(model, {
        dir,
        store: records.store,
        signal: io.signal,
        dispatcherFor: resolver.dispatcherFor,
        retries,
        stallTimeoutMs: stall * 1000,
        onProgress: (p) => printer.update(p),
        onRetry: (err, delay) => {
          printer.done();
          io.err.write(delay > 0 ? `retrying in ${(delay / 1000).toFixed(1)} s: ${err.message}\n` : `trying the next mirror: ${err.message}\n`);
        },
      });
      printer.done();
      if (values.json) {
        io.out.write(JSON.stringify({ id: model.id, verified: true, path: result.path, files: result.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, alreadyPresent: f.alreadyPresent, resumedFrom: f.resumedFrom })), fit }) + '\n');
      } else {
        const already = result.files.every((f) => f.alreadyPresent);
        io.out.write(`${already ? 'Already downloaded and verified' : 'Downloaded and verified'}: ${result.path}\n`);
      }
      return 0;
    } catch (err) {
      printer.done();
      if (io.signal.aborted) {
        const kept = model.files.map((f) => partPath(modelPath(dir, f.name)));
        io.err.write(`Cancelled. The partial download is kept (${kept.map((k) => basename(k)).join(', ')}); run the same command again to resume.\n`);
        return 130;
      }
      if (err instanceof DownloadError) {
        // Messages may quote a server's answer: escaped, one line.
        io.err.write(`codex-vault download-model: ${safeLine(err.message, 2000)}\n`);
        if (values.json) io.out.write(JSON.stringify({ id: model.id, verified: false, error: { kind: err.kind, status: err.status ?? null, message: err.message } }) + '\n');
        return 1;
      }
      throw err;
    } finally {
      records.close();
      await resolver.close();
    }
  },
};

type Values = ReturnType<typeof parse<typeof options>>['values'];

async function resolveModel(target: string, values: Values, io: CliIo): Promise<ManifestModel> {
  if (/^https?:\/\//i.test(target)) {
    if (!values.sha256) throw new UsageError('--sha256 is required when downloading by URL: a file that cannot be verified is never installed.');
    if (!isSha256Hex(values.sha256)) throw new UsageError(`--sha256 must be 64 hexadecimal characters, got "${values.sha256}".`);
    const size = values.size === undefined ? undefined : intOption(values.size, 'size', 0, 1);
    let name = values.name;
    if (!name) {
      try {
        name = decodeURIComponent(new URL(target).pathname.split('/').pop() ?? '');
      } catch {
        throw new UsageError(`Not a valid URL: ${target}`);
      }
    }
    const problem = fileNameProblem(name);
    if (problem) throw new UsageError(`The file name ${JSON.stringify(name)} ${problem}; pass --name <file.gguf>.`);
    const role = values.role ?? 'chat';
    if (role !== 'chat' && role !== 'embedding') throw new UsageError(`--role must be chat or embedding, got "${role}".`);
    // A one-off manifest entry goes through the same validation as any other.
    const m = validateManifest(
      {
        version: 1,
        models: [{ id: name.toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 80) || 'model', name, role, quantization: 'unknown', contextLength: 4096, ...(role === 'embedding' ? { embeddingDimension: 1 } : {}), license: 'unknown', description: `Downloaded from ${new URL(target).host}`, files: [{ name, size: size ?? 1, sha256: values.sha256, urls: [target] }] }],
      },
      'command line',
    ).models[0]!;
    // Without --size the server's length is trusted for progress, and the SHA-256 decides.
    if (size === undefined) return { ...m, files: [{ ...m.files[0]!, size: 0 }] };
    return m;
  }
  if (values.sha256 || values.size || values.name) throw new UsageError('--sha256, --size and --name are for URL downloads; a manifest id brings its own.');
  const merged = await mergeManifests({ manifestFile: values.manifest });
  for (const p of merged.problems) io.err.write(`warning: ${p}\n`);
  const found = merged.models.find((s) => s.model.id === target);
  if (!found) throw new UsageError(`No model "${target}" in the manifest. Known ids: ${merged.models.map((s) => s.model.id).join(', ')}.`);
  return found.model;
}
