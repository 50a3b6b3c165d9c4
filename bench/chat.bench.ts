// Chat latency and throughput as a person sees them, in a real VS Code (code-server) through
// Chromium with the tiny model (../shared/models/stories260K.gguf):
//   - time from Enter to the first answer token painted in the chat webview;
//   - tokens per second on screen (first to last painted token) against the engine's own
//     tokens per second for the same answers (reported by node-llama-cpp in the engine process).
// Times are taken inside the webview (one clock: keydown and paints), so the test driver's own
// latency does not count. Prints figures; never fails on them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { repoRoot, rustBook, tinyModel } from '../test/helpers/paths';
import { copyToTemp, startHost } from '../test/browser/harness/index';

const RUNS = Number(process.env.CHAT_BENCH_RUNS ?? 8);
const QUESTIONS = ['What does the zorblax checker enforce?', 'Who owns a zorblax value?', 'What happens when the owner goes out of scope?', 'How are references checked?'];

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

async function main(): Promise<void> {
  const { existsSync } = await import('node:fs');
  const ws = copyToTemp(existsSync(rustBook) ? rustBook : join(repoRoot, 'sample-vault'));
  writeFileSync(join(ws, 'zorblax.md'), '# Zorblax\n\n## The zorblax checker\n\nThe zorblax checker enforces that every zorblax value has exactly one owner. When the owner goes out of scope, the value is dropped.\n');
  const scratch = mkdtempSync(join(tmpdir(), 'cv-chat-bench-'));
  const h = await startHost({
    workspace: ws,
    userSettings: { 'codexVault.threads': 1, 'codexVault.gpu': 'cpu', 'codexVault.contextSize': 2048, 'codexVault.sampling.maxTokens': 256, 'codexVault.sampling.temperature': 0.8 },
  });
  try {
    await h.wb.runCommand('Codex Vault: Index Workspace');
    const status = await h.wb.waitForVaultStatus(/files/, 180_000);
    console.log(`vault: ${status}`);
    await h.wb.runCommand('Codex Vault: Open Chat');
    const chat = h.wb.webviewFrame();
    await chat.getByRole('button', { name: /Choose a chat model/ }).click();
    await (await h.wb.waitForQuickPickRow('Add a local GGUF file')).click();
    await h.wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Add a local GGUF model' }).waitFor();
    await h.wb.acceptPathInOpenDialog(tinyModel, 'stories260K.gguf');
    await chat.locator('#question:not([disabled])').waitFor({ timeout: 120_000 });
    let frame: Frame | undefined;
    for (const f of h.wb.page.frames()) if (await f.evaluate(() => !!document.getElementById('transcript')).catch(() => false)) frame = f;
    if (!frame) throw new Error('chat webview frame not found');
    // Paint timestamps: keydown of Enter, then each change of the streaming answer's text, read
    // in a requestAnimationFrame callback (the frame the change is painted in).
    await frame.evaluate(() => {
      const w = window as unknown as { __bench: { enter: number; paints: number[] } };
      w.__bench = { enter: 0, paints: [] };
      document.getElementById('question')!.addEventListener('keydown', (e) => { if ((e as KeyboardEvent).key === 'Enter') { w.__bench.enter = performance.now(); w.__bench.paints = []; } }, true);
      let last = 0;
      new MutationObserver(() => {
        const n = document.querySelector('.msg-pair.streaming .msg.assistant .msg-body')?.textContent?.replace(/Searching the vault…/, '').length ?? 0;
        if (n > 0 && n !== last) { last = n; requestAnimationFrame(() => w.__bench.paints.push(performance.now())); }
        if (n === 0) last = 0;
      }).observe(document.getElementById('transcript')!, { childList: true, subtree: true, characterData: true });
    });
    const firstToken: number[] = [];
    const screenTps: number[] = [];
    const engineTps: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      await chat.locator('#question').fill(QUESTIONS[i % QUESTIONS.length]!);
      await chat.locator('#question').press('Enter');
      await chat.locator('.msg-pair.streaming').waitFor({ state: 'detached', timeout: 120_000 });
      const last = chat.locator('.msg.assistant').last();
      const stats = last.locator('.stats');
      const tokens = Number(await stats.getAttribute('data-tokens').catch(() => null));
      const tps = Number(await stats.getAttribute('data-tps').catch(() => null));
      const b = await frame.evaluate(() => (window as unknown as { __bench: { enter: number; paints: number[] } }).__bench);
      if (i === 0) continue; // the first ask loads the model: reported by the engine bench, not here
      if (b.paints.length === 0) { console.log(`run ${i}: no token painted (status ${await last.getAttribute('data-status')})`); continue; }
      firstToken.push(b.paints[0]! - b.enter);
      const span = (b.paints.at(-1)! - b.paints[0]!) / 1000;
      if (tokens > 1 && span > 0) screenTps.push((tokens - 1) / span);
      if (tps > 0) engineTps.push(tps);
      console.log(`run ${i}: first token painted ${(b.paints[0]! - b.enter).toFixed(0)} ms after Enter; ${tokens || '?'} tokens, ${b.paints.length} paints over ${(span * 1000).toFixed(0)} ms; engine ${tps ? tps.toFixed(0) : '?'} tokens/s`);
    }
    const s = (a: number[]) => [...a].sort((x, y) => x - y);
    const ft = s(firstToken);
    const st = s(screenTps);
    const et = s(engineTps);
    console.log('');
    if (ft.length) console.log(`chat: Enter -> first token on screen: p50 ${pct(ft, 0.5).toFixed(0)} ms, p95 ${pct(ft, 0.95).toFixed(0)} ms (${ft.length} runs)`);
    if (st.length) console.log(`chat: tokens/s on screen: p50 ${pct(st, 0.5).toFixed(0)}`);
    if (et.length) console.log(`chat: engine's own tokens/s (same answers): p50 ${pct(et, 0.5).toFixed(0)}`);
    if (st.length && et.length) console.log(`chat: on screen / engine = ${(100 * pct(st, 0.5) / pct(et, 0.5)).toFixed(0)}%`);
    if (!et.length) console.log('chat: the engine\'s tokens/s is not reported by ask() yet (AskResult.generation)');
  } finally {
    await h.stop();
    rmSync(ws, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
