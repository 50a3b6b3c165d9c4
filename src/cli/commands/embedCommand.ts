// `codex-vault embed "<text>" --model <file>`: the text's embedding vector (L2-normalized) from
// the model's embedding context. With --json, stdout gets {dimension, vector}.
import { UsageError, intOption, parse, required } from '../args';
import type { CliCommand, CliIo } from '../command';
import { addModelFromFlag, engineOptionHelp, engineOptionSpec, openEngineSession } from './engineCommon';

export const embedCommand: CliCommand = {
  name: ['embed'],
  summary: 'Embed a text with a local GGUF model (normalized vector).',
  help: `Usage: codex-vault embed "<text>" --model <file.gguf> [--json] [options]

Prints the text's embedding: L2-normalized, so a dot product of two vectors is their cosine.
A text longer than the model's context is cut to fit (a note on stderr says so).

Options:
${engineOptionHelp}
  --json             Print {"dimension": n, "vector": [...]} instead of one number per line.

Example:
  codex-vault embed "ownership and borrowing" --model embedder.gguf --json`,

  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, engineOptionSpec);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'Give a text, e.g. codex-vault embed "hello" --model model.gguf --json.' : `Give the text as one argument (quote it); got ${positionals.length}.`);
    const modelFile = required(values.model, 'model');
    const contextSize = values.context === undefined ? undefined : intOption(values.context, 'context', 0, 16, 10_000_000);
    const session = openEngineSession(values, io);
    try {
      const file = await addModelFromFlag(session, modelFile, io.signal);
      const model = await session.engine.loadModel(file, { purpose: 'embed', contextSize });
      const r = await session.engine.embed(model, [positionals[0]]);
      const vector = r.vectors[0];
      if (r.truncated[0]) io.err.write(`note: the text was cut to the model's context (${r.tokens[0]} tokens embedded).\n`);
      if (values.json) io.out.write(JSON.stringify({ dimension: r.dimension, vector }) + '\n');
      else io.out.write(vector.map((x) => String(x)).join('\n') + '\n');
      return 0;
    } finally {
      await session.close();
    }
  },
};
