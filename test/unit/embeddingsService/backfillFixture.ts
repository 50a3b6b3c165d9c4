// Shared set-up of the embedding backfill tests: a small vault of real notes indexed by the real
// vault worker thread (dist/vault-worker.js, built by `node esbuild.mjs`), a real SQLite file, the
// real tiny model (and a renamed copy as a second model) added as local models — the gate — in a
// real engine process with threads 1 / cpu (the thread trap on small machines).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir, tinyModel } from '../../helpers/paths';
import { VaultWorkerClient } from '../../../src/worker/vaultWorkerClient';
import type { EmbeddingsStatus } from '../../../src/app/embeddings/embeddingsTypes';

const workerFile = join(repoRoot, 'dist', 'vault-worker.js');
const indexSettings = { include: ['**/*.md'], exclude: [], maxFileBytes: 2 * 1024 * 1024 };

export class BackfillFixture {
  readonly tmp = tempDir('cv-embed-');
  readonly notes = join(this.tmp.dir, 'notes');
  readonly dbFile = join(this.tmp.dir, 'vault.db');
  /** A second embedding model: the real model with general.name "llama" -> "llamb", so its file and sha256 differ. */
  readonly variant = join(this.tmp.dir, 'stories-variant.gguf');
  client!: VaultWorkerClient;
  /** The newest status the worker reported ('embeddings' events and call results). */
  latest: EmbeddingsStatus | undefined;
  private readonly waiters = new Set<() => void>();

  static async create(): Promise<BackfillFixture> {
    assert.ok(existsSync(workerFile), `${workerFile} is missing: run node esbuild.mjs first`);
    const f = new BackfillFixture();
    mkdirSync(f.notes, { recursive: true });
    f.writeNotes();
    copyFileSync(tinyModel, f.variant);
    const bytes = readFileSync(f.variant);
    const at = bytes.indexOf('general.name') + 'general.name'.length + 4 + 8; // key, then u32 type, u64 length
    assert.equal(bytes.subarray(at, at + 5).toString(), 'llama');
    bytes.write('llamb', at);
    writeFileSync(f.variant, bytes);
    await f.openWorker();
    await f.client.request({ kind: 'index' });
    await f.client.call('models', 'addLocal', tinyModel, 'embedding');
    await f.client.call('models', 'addLocal', f.variant, 'embedding');
    return f;
  }

  /** Distinct texts: the backfill embeds each distinct chunk text once, so counts compare 1:1 with chunks. */
  private writeNotes(): void {
    const topics = ['tomatoes', 'lighthouses', 'bicycles', 'volcanoes', 'libraries', 'glaciers', 'orchards', 'harbours', 'comets', 'violins'];
    topics.forEach((t, i) => {
      writeFileSync(join(this.notes, `${t}.md`), [
        `# ${t}`, '', `## Basics of ${t}`, '', `Note ${i}: the basics of ${t}, written for the test.`, '',
        `## History of ${t}`, '', `Note ${i}: a short history of ${t}.`, '',
        `## Care of ${t}`, '', `Note ${i}: how ${t} are looked after.`, '',
      ].join('\n'));
    });
  }

  /** A vault worker on the fixture's database, as the extension starts one: open, roots, models settings. */
  async openWorker(): Promise<void> {
    this.client = new VaultWorkerClient(workerFile);
    this.latest = undefined; // a new worker numbers its statuses from the start
    this.client.subscribe(['embeddings'], (e) => { if (e.topic === 'embeddings') this.note(e.status); });
    const opened = await this.client.request({ kind: 'open', dbFile: this.dbFile });
    assert.equal(opened.readOnly, false);
    await this.client.request({ kind: 'configure', roots: [this.notes], settings: indexSettings });
    await this.client.call('models', 'configure', {
      modelsDir: join(this.tmp.dir, 'models'), contextSize: 256, threads: 1, gpu: 'cpu', idleUnloadMs: 0, lowMemoryWatermarkBytes: 0,
    });
  }

  /** Stops the engine process and the worker thread (what a window closing does). */
  async stopWorker(): Promise<void> {
    await this.client.dispose();
  }

  private note(s: EmbeddingsStatus): EmbeddingsStatus {
    if (!this.latest || s.version >= this.latest.version) this.latest = s;
    for (const w of [...this.waiters]) w();
    return this.latest;
  }

  /** The next event, or `ms` without one. */
  private nextEvent(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiters.delete(w); resolve(false); }, ms);
      const w = (): void => { clearTimeout(timer); this.waiters.delete(w); resolve(true); };
      this.waiters.add(w);
    });
  }

  /** Follows the 'embeddings' events until `done(status)`; an error state fails the test with the service's message. */
  async waitFor(done: (s: EmbeddingsStatus) => boolean, timeoutMs = 180_000): Promise<EmbeddingsStatus> {
    let s = this.note(await this.client.call('embeddings', 'status'));
    const deadline = Date.now() + timeoutMs;
    while (!done(s) && Date.now() < deadline) {
      if (s.state === 'error') assert.fail(`backfill failed: ${s.error}`);
      await this.nextEvent(1000);
      s = this.latest!;
    }
    assert.ok(done(s), `gave up waiting; last status ${JSON.stringify(s)}`);
    return s;
  }

  /** Waits until no 'embeddings' event has come for `ms`; the newest status then. */
  async quiet(ms: number): Promise<EmbeddingsStatus> {
    this.note(await this.client.call('embeddings', 'status'));
    while (await this.nextEvent(ms));
    return this.latest!;
  }

  async chunkCount(): Promise<number> {
    return (await this.client.request({ kind: 'stats' })).chunks;
  }

  async close(): Promise<void> {
    if (this.client) await this.stopWorker();
    this.tmp.cleanup();
  }
}
