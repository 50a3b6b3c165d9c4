// Helpers for in-host tests: the extension's API and waiting for a condition (a bounded wait, not a
// timing assertion: the test fails only if the condition never holds).
import * as vscode from 'vscode';
import type { CodexVaultApi } from '../../../src/extension';
import { Settings, type CodexVaultSettings } from '../../../src/services/settings';

export const EXTENSION_ID = 'codex-vault.codex-vault';

export async function api(): Promise<CodexVaultApi> {
  const ext = vscode.extensions.getExtension<CodexVaultApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this host`);
  return ext.isActive ? ext.exports : ext.activate();
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function workspaceRoot(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('the in-host suite needs a workspace folder');
  return f.uri.fsPath;
}

/** Indexes the workspace and waits until `query` finds something (the notes a suite relies on are in). */
export async function indexedFor(query: string): Promise<CodexVaultApi> {
  const a = await api();
  await a.index();
  await waitFor(`search results for "${query}"`, async () => ((await a.search(query)).items.length > 0 ? true : undefined), 60_000);
  return a;
}

/** The settings as the extension's one reader reads them. */
export function readSettings(): CodexVaultSettings {
  const s = new Settings();
  try {
    return s.current;
  } finally {
    s.dispose();
  }
}
