// Shared set-up for the engine tests: a real vault database in a temp folder (the verification
// gate's record store), the real tiny model, and an EngineClient running the engine from its
// TypeScript source with one thread (see the thread-count trap in shared/models/README.md).
import { join, resolve } from 'node:path';
import { EngineClient, type EngineClientOptions } from '../../../src/engine/client/engineClient';
import type { EngineSettings } from '../../../src/engine/protocol';
import { addLocalModel } from '../../../src/engine/verify/verifyModelFile';
import { migrate } from '../../../src/vault/db/migrations';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { ModelRecords } from '../../../src/app/models/modelRecords';
import { repoRoot, tempDir, tinyModel } from '../../helpers/paths';

export const sourceEntry = { file: resolve(repoRoot, 'src/engine/host/engineMain.ts'), execArgv: ['--import', 'tsx'] };

export interface Fixture {
  dir: string;
  db: SqliteDatabase;
  records: ModelRecords;
  engine: EngineClient;
  close(): Promise<void>;
}

export async function openFixture(settings: Partial<EngineSettings> = {}, extra: Partial<EngineClientOptions> = {}, addTiny = true): Promise<Fixture> {
  const t = tempDir('cv-engine-');
  const db = SqliteDatabase.open(join(t.dir, 'vault.db'));
  migrate(db);
  const records = new ModelRecords(db);
  if (addTiny) await addLocalModel(records, tinyModel);
  const engine = new EngineClient({ records, entry: sourceEntry, settings: { threads: 1, gpu: 'cpu', memoryEventIntervalMs: 0, ...settings }, ...extra });
  return {
    dir: t.dir,
    db,
    records,
    engine,
    async close() {
      await engine.dispose();
      db.close();
      t.cleanup();
    },
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
