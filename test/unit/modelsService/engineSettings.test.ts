// Engine settings reach the engine whoever uses it first, and their changes reach it while it
// runs: read back from the engine's own report over the real engine child process and the tiny
// model, in the object graph the vault worker builds. A chat question that comes before anything
// else gets an engine with the user's settings (not defaults); idle unload and the memory watermark
// change at once; a new context size loads the chat model again; a new thread count restarts the
// engine, each with a notice.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ModelsConfig } from '../../../src/app/models/modelsTypes';
import { EngineClient } from '../../../src/engine/client/engineClient';
import { Vault } from '../../../src/vault/vault';
import { composeTestApp, testModelsConfig, type TestApp } from '../../helpers/appGraph';
import { tempDir, tinyModel } from '../../helpers/paths';

const tmp = tempDir('cv-engine-settings-');
let vault: Vault;
let app: TestApp;
let engine: EngineClient;
let config: ModelsConfig;

before(async () => {
  const notes = join(tmp.dir, 'notes');
  mkdirSync(notes);
  writeFileSync(join(notes, 'zorblax.md'), '# Zorblax rules\n\nThe zorblax checker enforces that every zorblax value has exactly one owner.\n');
  vault = Vault.open(join(tmp.dir, 'vault.db'));
  await vault.indexRoots([notes]);
  // The engine as the worker's composition root builds it: with no settings of its own.
  app = composeTestApp(vault.db, { engine: (records) => (engine = new EngineClient({ records })) });
  config = testModelsConfig(join(tmp.dir, 'models'), { contextSize: 512, idleUnloadMs: 123_000, lowMemoryWatermarkBytes: 4096, chatModel: tinyModel });
});

after(async () => {
  await app.dispose();
  vault.close();
  tmp.cleanup();
});

test('a chat question first: the engine it starts runs with the settings, not defaults', { timeout: 60_000 }, async () => {
  assert.deepEqual(await app.services.models.configure(config), { notices: [] });
  await app.services.models.addLocal(tinyModel, 'chat');
  const answer = await app.services.chat.ask({
    conversationId: null, question: 'What does the zorblax checker enforce?', context: [], vaultOnly: true,
    model: { path: tinyModel, contextSize: 512, threads: 1 }, maxAnswerTokens: 8, temperature: 0,
  }, { signal: new AbortController().signal, emit: () => undefined });
  assert.equal(answer.status, 'complete');
  const report = await engine.memory();
  assert.equal(report.engine.settings.idleUnloadMs, 123_000);
  assert.equal(report.engine.settings.lowMemoryWatermarkBytes, 4096);
  assert.equal(report.engine.settings.threads, 1);
  assert.equal(report.engine.settings.gpu, 'cpu');
  assert.deepEqual(report.models.map((m) => m.contextSize), [512]);
});

test('changes reach the running engine: at once, by reloading the model, or by a restart, each said', { timeout: 120_000 }, async () => {
  const models = app.services.models;
  // Idle unload and watermark: at once, nothing to tell.
  config = { ...config, idleUnloadMs: 7 * 60_000, lowMemoryWatermarkBytes: 8192 };
  assert.deepEqual(await models.configure(config), { notices: [] });
  let report = await engine.memory();
  assert.equal(report.engine.settings.idleUnloadMs, 7 * 60_000);
  assert.equal(report.engine.settings.lowMemoryWatermarkBytes, 8192);
  // A new context size: the loaded chat model is loaded again with it.
  config = { ...config, contextSize: 768 };
  const ctx = await models.configure(config);
  assert.match(ctx.notices.join('\n'), /stories260K\.gguf was loaded again with a 768-token context/);
  report = await engine.memory();
  assert.deepEqual(report.models.map((m) => m.contextSize), [768]);
  // A new thread count: the engine restarts; the model comes back with it on its next use.
  const pid = engine.pid;
  config = { ...config, threads: 2 };
  const thr = await models.configure(config);
  assert.match(thr.notices.join('\n'), /engine restarted to use 2 thread/);
  await engine.countTokens(await models.handle(tinyModel, 'generate'), ['Once']);
  assert.notEqual(engine.pid, pid);
  report = await engine.memory();
  assert.equal(report.engine.settings.threads, 2);
  assert.deepEqual(report.models.map((m) => [m.threads, m.contextSize]), [[2, 768]]);
  assert.equal(report.engine.settings.idleUnloadMs, 7 * 60_000, 'the runtime settings survive the restart');
  // Nothing changed: nothing restarts or reloads.
  assert.deepEqual(await models.configure(config), { notices: [] });
  assert.equal(engine.pid, report.process.pid);
});
