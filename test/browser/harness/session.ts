// One real host for a test file: code-server on a workspace + one Chromium page on its workbench.
// Start it once per file (before), run every case against it, stop it once (after): they are heavy.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCodeServer, type CodeServer, type CodeServerOptions } from './codeServer';
import { buildHostSuite } from './hostSuite';
import { Workbench } from './workbench';

export interface HostOptions extends CodeServerOptions {
  /**
   * Run the in-host mocha suite (test/host/suite) in this host; files whose name matches the regex.
   * Its results file is `session.hostResultsFile`.
   */
  hostSuite?: { filter?: string };
}

export interface HostSession {
  server: CodeServer;
  wb: Workbench;
  /** Where the in-host suite writes its results (only with hostSuite). */
  hostResultsFile?: string;
  stop(): Promise<void>;
}

export async function startHost(opts: HostOptions): Promise<HostSession> {
  const env: Record<string, string> = { ...opts.env };
  let hostResultsFile: string | undefined;
  if (opts.hostSuite) {
    env.CODEX_VAULT_TEST_SUITE = await buildHostSuite();
    hostResultsFile = join(mkdtempSync(join(tmpdir(), 'cv-host-results-')), 'results.json');
    env.CODEX_VAULT_TEST_RESULTS = hostResultsFile;
    if (opts.hostSuite.filter) env.CODEX_VAULT_TEST_FILTER = opts.hostSuite.filter;
  }
  const server = await startCodeServer({ ...opts, env });
  let wb: Workbench;
  try {
    wb = await Workbench.open(server);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    server, wb, hostResultsFile,
    stop: async () => {
      await wb.close();
      await server.stop();
    },
  };
}
