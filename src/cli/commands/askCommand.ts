// `codex-vault ask "<question>" --db <file> --model <file>`: answers from the vault's notes with
// numbered sources, streaming the answer and then listing the sources it was given; or says the
// vault does not contain the answer (with the closest notes) without asking the model at all.
import { terminalJson, terminalText } from '../../common/untrustedText';
import { intOption, numberOption, parse, required, UsageError } from '../args';
import type { CliCommand, CliIo } from '../command';
import { addLocalModel } from '../../engine/verify/verifyModelFile';
import { EmbeddingStore } from '../../vault/embeddings/embeddingStore';
import type { Embedder } from '../../vault/embeddings/embedder';
import { ask, type AskResult } from '../../app/ask/ask';
import { CITATION_MODES, DEFAULT_CITATION_MODE, isCitationMode } from '../../app/ask/strictCitations';
import type { AnswerModel } from '../../app/ask/answerModel';
import { engineAnswerModel } from '../../app/engine/engineAdapters';
import { Retriever } from '../../vault/retrieval/retriever';
import { Vault } from '../../vault/vault';
import { warnIfDamaged } from './vaultWarnings';
import { VectorIndexCache } from '../../vault/vectors/vectorIndex';
import { loadEmbedder, modeOption, startEngine } from './retrievalShared';

const options = {
  db: { type: 'string' },
  model: { type: 'string' },
  'embedding-model': { type: 'string' },
  mode: { type: 'string' },
  json: { type: 'boolean' },
  'max-tokens': { type: 'string' },
  'context-size': { type: 'string' },
  'max-sources': { type: 'string' },
  temperature: { type: 'string' },
  seed: { type: 'string' },
  citations: { type: 'string' },
} as const;

/** The --json shape: these keys first (the contract), then details. */
export function askJson(r: AskResult): Record<string, unknown> {
  return {
    answer: r.answer,
    citations: r.citations,
    sources: r.sources.map((s) => ({ n: s.n, path: s.path, startLine: s.startLine, endLine: s.endLine, heading: s.heading })),
    notFound: r.notFound,
    closest: r.notFound ? r.closest : [],
    invalidCitations: r.invalidCitations,
    uncited: r.uncited,
    citationMode: r.citationMode,
    uncitedTail: r.uncitedTail,
    mode: r.retrieval.mode,
    coverage: r.retrieval.coverage,
    fallbackReason: r.retrieval.fallbackReason,
    promptTokens: r.promptTokens,
    budget: r.budget,
    stopReason: r.stopReason,
  };
}

export const askCommand: CliCommand = {
  name: ['ask'],
  summary: 'Answer a question from the vault with numbered, cited sources (local model).',
  help: `Usage: codex-vault ask "<question>" --db <file> --model <file.gguf> [options]

Retrieves the notes that match the question, gives the best of them to the chat model as
numbered sources (as many as fit its context, counted with its own tokenizer) and streams the
answer, then lists the sources as path:startLine-endLine. Citations to sources that were not
given are removed and reported. When the vault has nothing relevant, it says so and lists the
closest notes instead of letting the model answer from its own knowledge.

Options:
  --db <file>                The vault database file (required).
  --model <file>             The chat model, a GGUF file (required).
  --embedding-model <file>   Embedding model for semantic/hybrid retrieval (run embed-index first).
  --mode <m>                 lexical | semantic | hybrid (default: hybrid when vectors exist).
  --json                     Print {answer, citations:[{n,path,startLine,endLine,support}], sources, notFound, ...};
                             support: {score, similarity, supported, sentence} (see below).
  --citations <m>            strict | prompt (default ${DEFAULT_CITATION_MODE}). strict generates under a grammar:
                             every paragraph ends with citations of given sources. prompt only asks.
  --max-tokens <n>           Most answer tokens (default 256).
  --context-size <n>         Context size to load the chat model with (default: the model's, up to 4096).
  --max-sources <n>          Sources offered before the token budget trims them (default 8).
  --temperature <t>          Sampling temperature (default: the engine's).
  --seed <n>                 Sampling seed, for repeatable answers.

Each cited sentence is checked against the lines it cites: score is the share of its content words
found there (similarity: the cosine of their vectors, with --embedding-model). A citation whose
source does not seem to say it (score under 0.5 and no close vectors) is marked "?" in the
sources list and has supported: false in --json.

The vault is only read (never created or written). Exit status: 0, or 1 after the answer when the
vault was found damaged (see codex-vault doctor).`,

  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(argv, options);
    const db = required(values.db, 'db');
    const modelFile = required(values.model, 'model');
    const question = positionals.join(' ').trim();
    if (!question) throw new UsageError('Give a question, e.g. codex-vault ask "How do I read a file?" --db notes.vault --model model.gguf.');
    const mode = modeOption(values.mode);
    const maxAnswerTokens = intOption(values['max-tokens'], 'max-tokens', 256, 1, 32768);
    const contextSize = values['context-size'] === undefined ? undefined : intOption(values['context-size'], 'context-size', 0, 64, 1 << 20);
    const maxSources = intOption(values['max-sources'], 'max-sources', 8, 1, 50);
    const temperature = numberOption(values.temperature, 'temperature', undefined, 0, 10);
    const seed = values.seed === undefined ? undefined : intOption(values.seed, 'seed', 0);
    const citations = values.citations ?? DEFAULT_CITATION_MODE;
    if (!isCitationMode(citations)) throw new UsageError(`--citations must be ${CITATION_MODES.join(' or ')}, not "${citations}".`);
    if (mode && mode !== 'lexical' && !values['embedding-model']) throw new UsageError(`--mode ${mode} needs --embedding-model.`);

    // Answering reads the vault only: it must exist (a mistyped path is an error, not a new empty
    // vault), and reading works while another process indexes it.
    const vault = Vault.open(db, { readOnly: true });
    const e = startEngine();
    try {
      const damaged = warnIfDamaged(vault, io);
      await addLocalModel(e.records, modelFile, { role: 'chat', signal: io.signal });
      let embedder: Embedder | undefined;
      if (values['embedding-model']) embedder = await loadEmbedder(e, values['embedding-model'], io.signal);
      // Loaded only when retrieval found something to answer from ("not in the vault" needs no model).
      const loadChat = async (): Promise<AnswerModel> => engineAnswerModel(e.engine, await e.engine.loadModel(modelFile, contextSize ? { contextSize } : {}));
      const store = new EmbeddingStore(vault.db);
      const retriever = new Retriever(vault.db, vault, new VectorIndexCache(vault.db), store);
      const streaming = !values.json;
      const r = await ask({ retriever, model: loadChat, embedder }, question, {
        mode,
        maxAnswerTokens,
        maxSources,
        temperature,
        seed,
        citations,
        signal: io.signal,
        // The answer is made of the model file's vocabulary: nothing in it may drive the terminal.
        onText: streaming ? (t) => io.out.write(terminalText(t)) : undefined,
      });
      if (values.json) {
        io.out.write(terminalJson(askJson(r)) + '\n');
        return damaged;
      }
      if (r.retrieval.fallbackReason) io.err.write(`${r.retrieval.fallbackReason}\n`);
      if (r.retrieval.partial && r.retrieval.coverage) io.err.write(`Semantic coverage is partial: ${r.retrieval.coverage.embedded}/${r.retrieval.coverage.total} chunks have vectors (run embed-index).\n`);
      if (r.notFound) {
        const lines = ['The vault does not seem to contain the answer to this question.'];
        if (r.closest.length > 0) lines.push('', 'Closest notes:', ...r.closest.map((c) => `  ${c.path}:${c.startLine}-${c.endLine}${c.heading ? `  ${c.heading}` : ''}`));
        io.out.write(lines.join('\n') + '\n');
        return damaged;
      }
      const lines = ['', ''];
      if (r.cancelled) lines.push('(stopped)');
      if (r.uncited) lines.push('Note: this answer cites none of the sources; check it against them.');
      if (r.invalidCitations.length > 0) lines.push(`Removed citations of sources that were not given: ${r.invalidCitations.map((n) => `[${n}]`).join(' ')}`);
      if (r.stopReason === 'maxTokens' && r.uncitedTail) lines.push('Note: the answer was cut at --max-tokens; its last part cites nothing.');
      const cited = new Map(r.citations.map((c) => [c.n, c]));
      lines.push('Sources:');
      for (const s of r.sources) {
        const c = cited.get(s.n);
        const mark = !c ? ' ' : c.support.supported ? '*' : '?';
        const score = c && c.support.score !== null ? `  (support ${c.support.score.toFixed(2)})` : '';
        lines.push(`  [${s.n}]${mark} ${s.path}:${s.startLine}-${s.endLine}${s.heading ? `  ${terminalText(s.heading)}` : ''}${score}`);
      }
      if (cited.size > 0) lines.push('  (* cited in the answer; ? cited, but the source does not seem to say what cites it)');
      io.out.write(lines.join('\n') + '\n');
      return damaged;
    } finally {
      await e.dispose();
      vault.close();
    }
  },
};
