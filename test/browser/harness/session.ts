// One real host for a test file: code-server on a workspace + one Chromium page on its workbench.
// Start it once per file (before), run every case against it, stop it once (after): they are heavy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
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

/** A file's host, and the workspace it was started on. */
export interface HostFixture extends HostSession {
  readonly workspace: string;
}

export interface HostFixtureOptions {
  /** The before hook's limit (starting code-server and the workbench). Default 240 s. */
  timeoutMs?: number;
  /**
   * Start once more when the first start fails (logged): on a shared 2-core machine the first page
   * load can time out under load. For files whose start is heaviest.
   */
  retryStart?: boolean;
}

/**
 * One host per test file: started before the file's tests on the workspace `prepare` makes (it
 * returns the host's options), stopped after them, and the workspace removed. The fixture reads as
 * the session once started.
 */
export function hostForFile(prepare: () => HostOptions | Promise<HostOptions>, opts: HostFixtureOptions = {}): HostFixture {
  let session: HostSession | undefined;
  let workspace: string | undefined;
  before(async () => {
    const o = await prepare();
    workspace = o.workspace;
    try {
      session = await startHost(o);
    } catch (e) {
      if (!opts.retryStart) throw e;
      console.error(`host start failed once, retrying: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      session = await startHost(o);
    }
  }, { timeout: opts.timeoutMs ?? 240_000 });
  after(async () => {
    await session?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });
  const started = (): HostSession => {
    if (!session) throw new Error('The host has not started (its before hook failed).');
    return session;
  };
  return {
    get server() {
      return started().server;
    },
    get wb() {
      return started().wb;
    },
    get hostResultsFile() {
      return started().hostResultsFile;
    },
    stop: () => started().stop(),
    get workspace() {
      if (!workspace) throw new Error('The host\'s workspace was not made (its before hook failed).');
      return workspace;
    },
  };
}
