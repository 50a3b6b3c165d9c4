// `npm run bench citations`: the cost of strict citations. The same grounded prompt (the system
// instruction and eight numbered sources, as ask() builds it) is answered by the tiny model through
// the engine with the citation grammar (strict) and without it (prompt, the baseline), runs
// alternating so machine load drifts over both alike, the same seeds on both sides. Reports the
// engine's decode tokens/s (first token to last) and the wall time per answer, medians; and how
// many answers carried a citation. Prints figures; never fails on them.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EngineClient } from '../src/engine/client/engineClient';
import { addLocalModel } from '../src/engine/verify/verifyModelFile';
import { SharedModelRecords } from '../src/app/models/sharedModelRecords';
import { SYSTEM_INSTRUCTION, userMessage, type PromptSource } from '../src/app/ask/prompt';
import { citationGrammar } from '../src/app/ask/strictCitations';
import { citedNumbers } from '../src/app/ask/citationGrammar';

const root = resolve(__dirname, '..');
const MODEL = resolve(root, '..', 'shared', 'models', 'stories260K.gguf');
const RUNS = Number(process.env.BENCH_RUNS ?? 12);
const MAX_TOKENS = Number(process.env.BENCH_TOKENS ?? 256);
const SOURCES = 8;
const SAMPLING = { temperature: 0.8, topK: 40, topP: 0.95 };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cv-cite-bench-'));
  const records = new SharedModelRecords(join(dir, 'bench.db'), { create: true });
  await addLocalModel(records, MODEL);
  const bundle = join(root, 'dist', 'engine-host.mjs');
  const entry = existsSync(bundle) ? { file: bundle, execArgv: [] } : { file: join(root, 'src/engine/host/engineMain.ts'), execArgv: ['--import', 'tsx'] };
  const engine = new EngineClient({ records, entry, settings: { threads: 1, gpu: 'cpu', memoryEventIntervalMs: 0, idleUnloadMs: 0, lowMemoryWatermarkBytes: 0 } });
  try {
    const model = await engine.loadModel(MODEL, { contextSize: 2048 });
    const sources: PromptSource[] = Array.from({ length: SOURCES }, (_, i) => ({
      n: i + 1, root: '/notes', path: `story${i + 1}.md`, startLine: 1, endLine: 3, title: '', heading: `Story ${i + 1}`, cut: false,
      text: `Once upon a time there was a little ${['cat', 'dog', 'bird', 'girl', 'boy', 'fox', 'bear', 'frog'][i]} who liked to play in the park with a red ball.`,
    }));
    const messages = [{ role: 'system' as const, content: SYSTEM_INSTRUCTION }, { role: 'user' as const, content: userMessage(sources, 'What did the animals like to play with?', null) }];
    const grammar = citationGrammar(SOURCES);
    const figures = { prompt: { tps: [] as number[], ms: [] as number[], cited: 0 }, strict: { tps: [] as number[], ms: [] as number[], cited: 0 } };
    // One warm-up of each (grammar compiled and cached in the engine, caches warm).
    await engine.chat(model, messages, { maxTokens: 16, seed: 0, ...SAMPLING }).result;
    await engine.chat(model, messages, { maxTokens: 16, seed: 0, ...SAMPLING, grammar }).result;
    for (let i = 0; i < RUNS; i++) {
      for (const mode of i % 2 === 0 ? (['prompt', 'strict'] as const) : (['strict', 'prompt'] as const)) {
        const t0 = performance.now();
        const r = await engine.chat(model, messages, { maxTokens: MAX_TOKENS, seed: i + 1, ...SAMPLING, ...(mode === 'strict' ? { grammar } : {}) }).result;
        const f = figures[mode];
        f.ms.push(performance.now() - t0);
        f.tps.push(r.tokensPerSecond);
        if (citedNumbers(r.text).length > 0) f.cited++;
      }
    }
    const p = figures.prompt;
    const s = figures.strict;
    console.log(`citations bench: stories260K, 1 thread, ${SOURCES} sources, ${MAX_TOKENS} tokens, ${RUNS} runs each, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`  prompt (baseline): ${median(p.tps).toFixed(0).padStart(6)} tokens/s  ${median(p.ms).toFixed(0).padStart(6)} ms/answer  cited ${p.cited}/${RUNS}`);
    console.log(`  strict (grammar):  ${median(s.tps).toFixed(0).padStart(6)} tokens/s  ${median(s.ms).toFixed(0).padStart(6)} ms/answer  cited ${s.cited}/${RUNS}`);
    console.log(`  strict / prompt:   ${(median(s.tps) / median(p.tps)).toFixed(2)} x tokens/s`);
  } finally {
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
