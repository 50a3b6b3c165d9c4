// `npm run bench engine`: generation through the engine process against node-llama-cpp called
// directly in this process (same model, context, prompt, seeds, sampling and threads), then a
// thread-count sweep that justifies the engine's default thread count.
//
// Fairness: both sides are timed the same way, from the call to the final result, with
// time-to-first-token at the first text chunk the caller sees; runs alternate (direct, engine,
// direct, ...) so machine load drifts over both alike; the same seeds give the same texts, so
// both sides generate the same tokens. Prints figures; never fails on them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LlamaContext } from 'node-llama-cpp';
import { EngineClient, type ModelHandle } from '../src/engine/client/engineClient';
import { defaultThreads } from '../src/engine/host/threads';
import { addLocalModel } from '../src/engine/verify/verifyModelFile';
import { SharedModelRecords } from '../src/app/models/sharedModelRecords';

const root = resolve(__dirname, '..');
const MODEL = resolve(root, '..', 'shared', 'models', 'stories260K.gguf');
const PROMPT = 'Once upon a time';
const CONTEXT = 2048;
const MAX_TOKENS = Number(process.env.BENCH_TOKENS ?? 600);
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const SAMPLING = { temperature: 0.8, topK: 40, topP: 0.95 };

interface Run {
  tokens: number;
  ms: number;
  ttftMs: number;
  text: string;
  /** CPU time spent on the run: this process for direct; engine process + this process for the engine. */
  cpuMs: number;
  /** Of cpuMs, the part spent in the calling process (all of it for direct). */
  clientCpuMs: number;
}

const cpuMsNow = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const rate = (r: Run): number => (r.tokens / r.ms) * 1000;
const fmt = (n: number, d = 0): string => n.toFixed(d).padStart(8);

async function directRunner(threads: number): Promise<{ run(seed: number): Promise<Run>; close(): Promise<void> }> {
  const nlc = await import('node-llama-cpp');
  const llama = await nlc.getLlama({ gpu: false, build: 'never', logLevel: nlc.LlamaLogLevel.error, maxThreads: threads });
  const model = await llama.loadModel({ modelPath: MODEL, gpuLayers: 0 });
  const context: LlamaContext = await model.createContext({ contextSize: CONTEXT, threads });
  return {
    async run(seed: number): Promise<Run> {
      const seq = context.getSequence();
      const completion = new nlc.LlamaCompletion({ contextSequence: seq });
      let tokens = 0;
      let first = 0;
      const c0 = cpuMsNow();
      const t0 = performance.now();
      const r = await completion.generateCompletionWithMeta(PROMPT, {
        ...SAMPLING,
        seed,
        maxTokens: MAX_TOKENS,
        onToken: (t) => (tokens += t.length),
        onTextChunk: () => {
          if (first === 0) first = performance.now();
        },
      });
      const ms = performance.now() - t0;
      completion.dispose({ disposeSequence: false });
      seq.dispose();
      const cpu = cpuMsNow() - c0;
      return { tokens, ms, ttftMs: first - t0, text: r.response, cpuMs: cpu, clientCpuMs: cpu };
    },
    async close() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

async function engineRunner(threads: number, dbDir: string): Promise<{ engine: EngineClient; run(seed: number): Promise<Run>; close(): Promise<void> }> {
  const records = new SharedModelRecords(join(dbDir, 'bench.db'), { create: true });
  await addLocalModel(records, MODEL);
  const bundle = join(root, 'dist', 'engine-host.mjs');
  const entry = existsSync(bundle) ? { file: bundle, execArgv: [] } : { file: join(root, 'src/engine/host/engineMain.ts'), execArgv: ['--import', 'tsx'] };
  const engine = new EngineClient({ records, entry, settings: { threads, gpu: 'cpu', memoryEventIntervalMs: 0, idleUnloadMs: 0, lowMemoryWatermarkBytes: 0 } });
  const model: ModelHandle = await engine.loadModel(MODEL, { contextSize: CONTEXT });
  return {
    engine,
    async run(seed: number): Promise<Run> {
      const engineCpu = async (): Promise<number> => {
        const p = (await engine.memory()).process;
        return p.cpuUserMs + p.cpuSystemMs;
      };
      const e0 = await engineCpu();
      let first = 0;
      const c0 = cpuMsNow();
      const t0 = performance.now();
      const r = await engine.generate(model, PROMPT, {
        ...SAMPLING,
        seed,
        maxTokens: MAX_TOKENS,
        onText: () => {
          if (first === 0) first = performance.now();
        },
      }).result;
      const ms = performance.now() - t0;
      const client = cpuMsNow() - c0;
      return { tokens: r.tokens, ms, ttftMs: first - t0, text: r.text, cpuMs: client + (await engineCpu()) - e0, clientCpuMs: client };
    },
    async close() {
      await engine.dispose();
    },
  };
}

/** One sweep point, in a child process of its own (a fresh Llama with exactly these threads). */
async function sweepChild(setting: string): Promise<void> {
  const nlc = await import('node-llama-cpp');
  const threads = setting === 'default' ? undefined : Number(setting);
  const llama = await nlc.getLlama({ gpu: false, build: 'never', logLevel: nlc.LlamaLogLevel.error, ...(threads === undefined ? {} : { maxThreads: threads }) });
  const model = await llama.loadModel({ modelPath: MODEL, gpuLayers: 0 });
  const context = await model.createContext({ contextSize: CONTEXT, ...(threads === undefined ? {} : { threads }) });
  const completion = new nlc.LlamaCompletion({ contextSequence: context.getSequence() });
  // A slow setting is cut off after 20 s: its rate is what it managed by then.
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 20_000);
  let tokens = 0;
  let first = 0;
  const t0 = performance.now();
  await completion.generateCompletionWithMeta(PROMPT, {
    ...SAMPLING,
    seed: 1,
    maxTokens: 300,
    signal: ac.signal,
    stopOnAbortSignal: true,
    onToken: (t) => (tokens += t.length),
    onTextChunk: () => {
      if (first === 0) first = performance.now();
    },
  });
  const ms = performance.now() - t0;
  clearTimeout(timer);
  process.stdout.write(JSON.stringify({ maxThreads: llama.maxThreads, contextThreads: context.currentThreads, tokens, ms, ttftMs: first ? first - t0 : null, cutOff: ac.signal.aborted }) + '\n');
  await context.dispose();
  await model.dispose();
  await llama.dispose();
}

async function main(): Promise<void> {
  const ap = availableParallelism();
  const threads = defaultThreads(ap, 292_800);
  console.log(`engine vs direct: stories260K.gguf, context ${CONTEXT}, ${MAX_TOKENS} max tokens, ${RUNS} runs each (alternating), threads ${threads}, CPU`);
  const dir = mkdtempSync(join(tmpdir(), 'cv-bench-engine-'));
  const direct = await directRunner(threads);
  const engine = await engineRunner(threads, dir);
  try {
    // Warm-up (first evaluation allocates buffers on both sides).
    await direct.run(999);
    await engine.run(999);
    const d: Run[] = [];
    const e: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      d.push(await direct.run(i + 1));
      e.push(await engine.run(i + 1));
    }
    const same = d.every((r, i) => r.text === e[i].text);
    const best = (rs: Run[]): number => Math.max(...rs.map(rate));
    console.log('                   tokens/s median    tokens/s best   ttft ms median  tokens/run');
    console.log(`direct in-process  ${fmt(median(d.map(rate)))}         ${fmt(best(d))}         ${fmt(median(d.map((r) => r.ttftMs)), 1)}    ${fmt(median(d.map((r) => r.tokens)))}`);
    console.log(`engine process     ${fmt(median(e.map(rate)))}         ${fmt(best(e))}         ${fmt(median(e.map((r) => r.ttftMs)), 1)}    ${fmt(median(e.map((r) => r.tokens)))}`);
    const ratio = median(e.map(rate)) / median(d.map(rate));
    // The best runs are the ones least disturbed by other processes on a shared machine.
    console.log(`ratio engine/direct: median ${ratio.toFixed(3)}, best ${(best(e) / best(d)).toFixed(3)} (target >= 0.95)`);
    console.log(`per-run ratios (noise gauge): ${d.map((r, i) => (rate(e[i]) / rate(r)).toFixed(2)).join(' ')}`);
    // CPU time per token is far less disturbed by other processes than wall time: it shows the
    // engine's own cost (IPC, batching, the second process) directly.
    const cpuPerKTok = (rs: Run[]): number => (rs.reduce((a, r) => a + r.cpuMs, 0) / rs.reduce((a, r) => a + r.tokens, 0)) * 1000;
    const cd = cpuPerKTok(d);
    const ce = cpuPerKTok(e);
    const clientPerKTok = (e.reduce((a, r) => a + r.clientCpuMs, 0) / e.reduce((a, r) => a + r.tokens, 0)) * 1000;
    console.log(`CPU ms per 1000 tokens: direct ${cd.toFixed(0)}, engine ${ce.toFixed(0)} (engine process ${(ce - clientPerKTok).toFixed(0)} + client ${clientPerKTok.toFixed(0)}); CPU-bound ratio ${(cd / ce).toFixed(3)}`);
    console.log(`same texts on both sides for the same seeds: ${same ? 'yes' : 'NO'}`);
  } finally {
    await engine.close();
    await direct.close();
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(`\nthread sweep (direct node-llama-cpp, one process per setting, 300 tokens or 20 s); availableParallelism = ${ap}`);
  const settings = [...new Set(['1', '2', String(ap)]), 'default'];
  console.log('setting      maxThreads  ctx threads  tokens/s   ttft ms');
  for (const s of settings) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--sweep-child', s], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      const j = JSON.parse(line) as { maxThreads: number; contextThreads: number; tokens: number; ms: number; ttftMs: number | null; cutOff: boolean };
      const label = s === 'default' ? 'nlc default' : s === String(ap) && s !== '2' ? `${s} (=cores)` : s;
      console.log(`${label.padEnd(12)} ${String(j.maxThreads).padStart(10)}  ${String(j.contextThreads).padStart(11)}  ${fmt((j.tokens / j.ms) * 1000, 1)}  ${j.ttftMs === null ? '       -' : fmt(j.ttftMs, 1)}${j.cutOff ? `  (cut off at 20 s after ${j.tokens} tokens)` : ''}`);
    } catch {
      console.log(`${s.padEnd(12)} failed: ${r.error?.message ?? r.stderr.trim().split('\n').pop() ?? 'no output'}`);
    }
  }
  console.log(`engine default for this model: ${threads} thread(s) (defaultThreads: 1 under 50M parameters, else availableParallelism - 1 = ${Math.max(1, ap - 1)})`);
}

if (process.argv.includes('--sweep-child')) {
  void sweepChild(process.argv[process.argv.indexOf('--sweep-child') + 1]);
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
