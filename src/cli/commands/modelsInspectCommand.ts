// `codex-vault models inspect <file>`: what a GGUF file is (read with bounded memory, before any
// load) and what it would take to run: node-llama-cpp's insights and the memory estimate for a
// context size, with whether it fits this machine.
import { terminalJson, untrusted } from '../../common/untrustedText';
import { UsageError, intOption, parse } from '../args';
import type { CliCommand, CliIo } from '../command';
import { readGgufHeader } from '../../engine/gguf/ggufHeader';
import { formatBytes } from '../../engine/memory/fit';
import type { ModelInspection } from '../../engine/protocol';
import { engineOptionSpec, gpuOption, openEngineSession } from './engineCommon';

export const modelsInspectCommand: CliCommand = {
  name: ['models', 'inspect'],
  summary: 'Show a GGUF file\'s metadata and the memory it needs for a context size.',
  help: `Usage: codex-vault models inspect <file.gguf> [--context N] [--json]

Reads the file's GGUF header (refusing files that are not GGUF, truncated or malformed, or that
llama.cpp would refuse: tensor types, shapes and offsets, and the hyperparameters its loader needs,
each with the reason) and prints architecture, parameters, quantization, context and embedding length,
layers, heads, chat template presence, and the memory estimate (weights + KV cache) for the
context size, with whether it fits in free memory. Nothing is loaded.

Options:
  --context <n>      Context size for the estimate (default: the model's, at most 4096).
  --gpu auto|cpu     Estimate for the GPU when present (default auto) or the CPU.
  --json             Print the whole inspection as one JSON object.
  --verbose          Also print llama.cpp's own log lines (on stderr).`,

  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, { context: engineOptionSpec.context, json: engineOptionSpec.json, gpu: engineOptionSpec.gpu, db: engineOptionSpec.db, verbose: engineOptionSpec.verbose });
    if (positionals.length !== 1) throw new UsageError('Give one model file, e.g. codex-vault models inspect model.gguf.');
    gpuOption(values.gpu);
    const contextSize = values.context === undefined ? undefined : intOption(values.context, 'context', 0, 16, 100_000_000);
    // A bad file is refused here, from its header alone, before an engine is started for it.
    readGgufHeader(positionals[0]);
    const session = openEngineSession({ gpu: values.gpu, db: values.db, verbose: values.verbose }, io);
    try {
      const r = await session.engine.inspect(positionals[0], { contextSize });
      io.out.write(values.json ? terminalJson(r) + '\n' : describe(r));
      return 0;
    } finally {
      await session.close();
    }
  },
};

function describe(r: ModelInspection): string {
  const g = r.gguf;
  // Names and warnings come from the file's metadata: shown escaped and cut short.
  const u = (s: string | null, max = 120): string => (s === null ? '-' : untrusted(s, max));
  const rows: Array<[string, string]> = [
    ['file', r.file],
    ['size', `${formatBytes(g.fileSize)} (${g.fileSize} bytes)`],
    ['format', `GGUF v${g.version}, ${g.tensorCount} tensors, ${g.metadataKeyCount} metadata keys`],
    ['name', u(g.name)],
    ['architecture', u(g.architecture, 60)],
    ['parameters', g.parameterCount.toLocaleString('en-US')],
    ['quantization', `${u(g.fileType)}${g.dominantTensorType && g.dominantTensorType !== g.fileType ? ` (mostly ${g.dominantTensorType} tensors)` : ''}`],
    ['context length', g.contextLength === null ? '-' : String(g.contextLength)],
    ['embedding length', g.embeddingLength === null ? '-' : String(g.embeddingLength)],
    ['layers', g.layers === null ? '-' : String(g.layers)],
    ['heads', g.heads === null ? '-' : `${g.heads}${g.headsKv !== null && g.headsKv !== g.heads ? ` (${g.headsKv} KV)` : ''}`],
    ['vocabulary', g.vocabularySize === null ? '-' : `${g.vocabularySize} tokens${g.tokenizerModel ? ` (${u(g.tokenizerModel, 60)})` : ''}`],
    ['chat template', g.hasChatTemplate ? 'yes' : 'none (a generic template is used)'],
    ['supported', r.insights.supportedByLlamaCpp ? 'yes' : 'no: this llama.cpp does not know the architecture'],
    [`memory @ ${r.estimate.contextSize} ctx`, `${formatBytes(r.estimate.totalBytes)} = weights ${formatBytes(r.estimate.modelBytes)} + context/KV cache ${formatBytes(r.estimate.contextBytes)}${r.estimate.gpuVramBytes > 0 ? ` (${formatBytes(r.estimate.gpuVramBytes)} on the GPU)` : ''}`],
    ['fits', r.fit.fits ? `yes (${formatBytes(r.fit.availableBytes)} available)` : `no: ${r.fit.message ?? ''}`],
  ];
  for (const w of r.insights.warnings) rows.push(['warning', u(w, 500)]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}
