// Language-model tools (VS Code 1.95+): `codexVault_search` and `codexVault_readNote`, so that an agent
// (Copilot's agent mode, or any participant that calls vscode.lm tools) can search and read the
// workspace's vault. They go through the same vault worker as Search Vault -- one index, one
// ranking -- and their results name every passage as path:start-end. Registered only where the API
// exists. Read-only and inside the workspace's own notes, so they run in untrusted workspaces too,
// where (as everywhere in the extension) only model settings are restricted, and these use none.
import * as vscode from 'vscode';
import { citation, noteLinesText, searchResultsText, type CiteableHit } from '../agentTools/citeable';
import { scopeInput } from '../agentTools/searchScope';
import { Disposable } from '../services/disposable';
import type { Log } from '../services/log';
import type { Settings } from '../services/settings';
import type { VaultService } from '../services/vaultService';
import type { SearchMode } from '../worker/protocol';
import { displayedFolderHeads, displayPath, notePathForVault, vaultScopeForDisplayPrefix } from './notePaths';

export const SEARCH_TOOL = 'codexVault_search';
export const READ_NOTE_TOOL = 'codexVault_readNote';

export interface SearchToolInput {
  query: string;
  limit?: number;
  mode?: SearchMode;
  /** Only notes whose path, as these tools show it, starts with this. */
  pathPrefix?: string;
  /** Only notes with this tag (front matter tags or #tags). */
  tag?: string;
}

export interface ReadNoteToolInput {
  path: string;
  startLine?: number;
  endLine?: number;
}

/** What the tools need of the vault: the Search Vault search and the worker's note reader. */
export type VaultToolsPort = Pick<VaultService, 'search' | 'call'>;

function signalOf(token: vscode.CancellationToken): AbortSignal {
  const abort = new AbortController();
  if (token.isCancellationRequested) abort.abort();
  else token.onCancellationRequested(() => abort.abort());
  return abort.signal;
}

function textResult(text: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
}

function intIn(v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}.`);
  return v;
}

export class SearchTool implements vscode.LanguageModelTool<SearchToolInput> {
  constructor(private readonly vault: VaultToolsPort, private readonly settings: Pick<Settings, 'current'>) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<SearchToolInput>): vscode.PreparedToolInvocation {
    const { pathPrefix, tag } = options.input ?? ({} as SearchToolInput);
    const under = typeof pathPrefix === 'string' && pathPrefix.trim() ? ` under ${pathPrefix.trim().slice(0, 80)}` : '';
    const tagged = typeof tag === 'string' && tag.trim() ? ` tagged ${tag.trim().slice(0, 40)}` : '';
    return { invocationMessage: `Searching the vault for "${String(options.input?.query ?? '').slice(0, 80)}"${under}${tagged}` };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<SearchToolInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const query = typeof options.input?.query === 'string' ? options.input.query.trim() : '';
    if (!query) throw new Error('Give a query: keywords or a question about the notes.');
    const limit = intIn(options.input.limit, 'limit', 1, 50) ?? 10;
    const mode = options.input.mode ?? this.settings.current.searchMode;
    if (mode !== 'lexical' && mode !== 'hybrid') throw new Error(`mode must be "lexical" or "hybrid", got ${JSON.stringify(mode)}.`);
    const pathPrefix = scopeInput('pathPrefix', options.input.pathPrefix);
    const tag = scopeInput('tag', options.input.tag);
    // The prefix is of the paths as shown (a model passes back part of one it was given).
    const scope = pathPrefix ? vaultScopeForDisplayPrefix(pathPrefix) : {};
    if (!scope) {
      return textResult(`No note's path starts with "${pathPrefix}": in this workspace every path starts with its folder's name, one of ${displayedFolderHeads().map((h) => JSON.stringify(h)).join(', ')}.`);
    }
    const res = await this.vault.search(query, mode, limit, signalOf(token), { ...scope, ...(tag ? { tag } : {}) });
    const hits: CiteableHit[] = res.items.map((h) => ({
      path: displayPath(h.root, h.path), startLine: h.startLine, endLine: h.endLine, heading: h.heading, title: h.title, snippet: h.snippet, score: h.score,
    }));
    return textResult(searchResultsText(query, hits, { mode: res.mode, note: res.fallbackReason }));
  }
}

export class ReadNoteTool implements vscode.LanguageModelTool<ReadNoteToolInput> {
  constructor(private readonly vault: VaultToolsPort) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<ReadNoteToolInput>): vscode.PreparedToolInvocation {
    const { path, startLine, endLine } = options.input ?? ({} as ReadNoteToolInput);
    const where = typeof startLine === 'number' ? citation(String(path), startLine, typeof endLine === 'number' ? endLine : startLine) : String(path);
    return { invocationMessage: `Reading ${where} from the vault` };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<ReadNoteToolInput>): Promise<vscode.LanguageModelToolResult> {
    const path = typeof options.input?.path === 'string' ? options.input.path.trim() : '';
    if (!path) throw new Error('Give the path of a note, as codexVault_search returns it.');
    const startLine = intIn(options.input.startLine, 'startLine', 1, Number.MAX_SAFE_INTEGER);
    const endLine = intIn(options.input.endLine, 'endLine', 1, Number.MAX_SAFE_INTEGER);
    const n = await this.vault.call('notes', 'read', notePathForVault(path), { startLine, endLine });
    return textResult(noteLinesText({ ...n, path: displayPath(n.root, n.path) }));
  }
}

/** Registers both tools where vscode.lm.registerTool exists (contributed in package.json: languageModelTools). */
export class VaultLanguageModelTools extends Disposable {
  readonly registered: boolean;

  constructor(vault: VaultToolsPort, settings: Pick<Settings, 'current'>, log: Log) {
    super();
    const lm = (vscode as { lm?: Partial<typeof vscode.lm> }).lm;
    if (!lm || typeof lm.registerTool !== 'function') {
      log.info('language-model tools not registered: this VS Code has no vscode.lm.registerTool (1.95+)');
      this.registered = false;
      return;
    }
    try {
      this._register(lm.registerTool(SEARCH_TOOL, new SearchTool(vault, settings)));
      this._register(lm.registerTool(READ_NOTE_TOOL, new ReadNoteTool(vault)));
      this.registered = true;
    } catch (err) {
      // An optional surface never stops activation.
      log.warn(`language-model tools not registered: ${err instanceof Error ? err.message : String(err)}`);
      this.registered = false;
    }
  }
}
