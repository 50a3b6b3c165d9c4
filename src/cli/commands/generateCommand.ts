// `codex-vault generate "<prompt>" --model <file>`: runs the model on a prompt through the engine
// process and streams the text to stdout as it is produced. With --json, stdout gets one object
// {text, tokens, tokensPerSecond, stopReason} at the end instead. Ctrl+C stops generation and
// keeps the text so far (exit 130).
import { terminalJson, terminalText } from '../../common/untrustedText';
import { UsageError, intOption, numberOption, parse, required } from '../args';
import type { CliCommand, CliIo } from '../command';
import type { GenerateOptions } from '../../engine/client/engineClient';
import { addModelFromFlag, engineOptionHelp, engineOptionSpec, openEngineSession } from './engineCommon';

const options = {
  ...engineOptionSpec,
  'max-tokens': { type: 'string' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  'min-p': { type: 'string' },
  'repeat-penalty': { type: 'string' },
  'frequency-penalty': { type: 'string' },
  'presence-penalty': { type: 'string' },
  seed: { type: 'string' },
  stop: { type: 'string', multiple: true },
  chat: { type: 'boolean' },
  system: { type: 'string' },
} as const;

export const generateCommand: CliCommand = {
  name: ['generate'],
  summary: 'Generate text from a prompt with a local GGUF model (streamed).',
  help: `Usage: codex-vault generate "<prompt>" --model <file.gguf> [options]

Streams the model's continuation of the prompt to stdout. With --chat the prompt is sent as a
user message through the model's chat template (node-llama-cpp picks a fallback when the file
has none). Statistics go to stderr.

Options:
${engineOptionHelp}
  --max-tokens <n>   Stop after n tokens (default 256).
  --temperature <t>  Sampling temperature, 0 = greedy (default 0.8).
  --top-k <k>        Keep the k most likely tokens.
  --top-p <p>        Nucleus sampling threshold (0..1).
  --min-p <p>        Drop tokens under p x the top token's probability (0..1).
  --repeat-penalty <r>, --frequency-penalty <f>, --presence-penalty <p>
                     Penalties against repetition (off by default).
  --seed <n>         Random seed: the same seed, prompt and options give the same text.
  --stop <text>      Stop before this text (repeatable).
  --chat             Use the chat template; --system <text> adds a system message.
  --json             Print one JSON object {text, tokens, tokensPerSecond, stopReason} at the end.

Examples:
  codex-vault generate "Once upon a time" --model stories260K.gguf --max-tokens 40 --seed 42
  codex-vault generate "Hello" --model model.gguf --stop "\\n" --json`,

  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, options);
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'Give a prompt, e.g. codex-vault generate "Once upon a time" --model model.gguf.' : `Give the prompt as one argument (quote it); got ${positionals.length}.`);
    const prompt = positionals[0];
    const modelFile = required(values.model, 'model');
    const gen: GenerateOptions = {
      maxTokens: intOption(values['max-tokens'], 'max-tokens', 256, 1, 1_000_000),
      temperature: numberOption(values.temperature, 'temperature', 0.8, 0, 100),
      topK: values['top-k'] === undefined ? undefined : intOption(values['top-k'], 'top-k', 0, 0, 1_000_000),
      topP: numberOption(values['top-p'], 'top-p', undefined, 0, 1),
      minP: numberOption(values['min-p'], 'min-p', undefined, 0, 1),
      repeatPenalty: numberOption(values['repeat-penalty'], 'repeat-penalty', undefined, 0, 100),
      frequencyPenalty: numberOption(values['frequency-penalty'], 'frequency-penalty', undefined, -100, 100),
      presencePenalty: numberOption(values['presence-penalty'], 'presence-penalty', undefined, -100, 100),
      seed: values.seed === undefined ? undefined : intOption(values.seed, 'seed', 0, 0, 2 ** 32 - 1),
      stop: values.stop,
      signal: io.signal,
    };
    const contextSize = values.context === undefined ? undefined : intOption(values.context, 'context', 0, 16, 10_000_000);
    if (values.system !== undefined && !values.chat) throw new UsageError('--system needs --chat.');

    const session = openEngineSession(values, io);
    try {
      const file = await addModelFromFlag(session, modelFile, io.signal);
      const model = await session.engine.loadModel(file, { contextSize });
      // The text is made of the model file's vocabulary: nothing in it may drive the terminal.
      if (!values.json) gen.onText = (t) => io.out.write(terminalText(t));
      const stream = values.chat
        ? session.engine.chat(model, [...(values.system ? [{ role: 'system' as const, content: values.system }] : []), { role: 'user', content: prompt }], gen)
        : session.engine.generate(model, prompt, gen);
      const r = await stream.result;
      if (values.json) {
        io.out.write(terminalJson({ text: r.text, tokens: r.tokens, tokensPerSecond: round(r.tokensPerSecond), stopReason: r.stopReason }) + '\n');
      } else {
        io.out.write('\n');
      }
      if (r.truncated) io.err.write(`note: ${r.truncated.message}\n`);
      io.err.write(`${r.tokens} tokens, ${round(r.tokensPerSecond)} tokens/s, first token after ${r.timeToFirstTokenMs === null ? '-' : Math.round(r.timeToFirstTokenMs)} ms, stop: ${r.stopReason}\n`);
      return r.stopReason === 'cancelled' && io.signal.aborted ? 130 : 0;
    } finally {
      await session.close();
    }
  },
};

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
