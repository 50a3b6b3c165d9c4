// "Codex Vault: Search Vault": results as you type (debounced, earlier requests cancelled), each with
// heading path, file:lines and snippet; Enter opens the note with the chunk's lines selected; a title
// button toggles full-text / hybrid for this session (searchMode.ts); the last query is remembered
// per workspace.
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { Log } from '../../services/log';
import type { Settings } from '../../services/settings';
import type { VaultService } from '../../services/vaultService';
import { VaultWorkerError } from '../../worker/vaultWorkerClient';
import type { SearchMode, SearchResultItem } from '../../worker/protocol';
import { openAtLines } from '../common/openLocation';
import { groupByNote } from './searchItems';
import { SessionSearchMode } from './searchMode';

export const SEARCH_COMMAND = 'codexVault.search';
const LAST_QUERY_KEY = 'codexVault.search.lastQuery';
/** Where an earlier version kept the toggled mode for good (over the setting): cleared. */
const OLD_MODE_KEY = 'codexVault.search.mode';
const DEBOUNCE_MS = 120;
const LIMIT = 50;
/** Chunks of a note shown under it before other notes (the vault's own cap, NOTE_CAP). */
const GROUP_CAP = 3;

interface ResultItem extends vscode.QuickPickItem {
  hit?: SearchResultItem;
}

/** Extra per-result actions other features contribute (e.g. "Bookmark this result"). */
export interface SearchResultAction {
  button: vscode.QuickInputButton;
  /** `query` is what the user had typed, so an action can keep it (e.g. a search-result bookmark). */
  run(hit: SearchResultItem, query: string): unknown;
}

export class SearchQuickPick extends Disposable {
  private readonly actions: SearchResultAction[] = [];
  private readonly mode: SessionSearchMode;

  constructor(private readonly vault: VaultService, settings: Settings, private readonly state: vscode.Memento, private readonly log: Log) {
    super();
    this.mode = new SessionSearchMode(() => settings.current.searchMode);
    this._register(settings.onDidChange((e) => {
      if (e.affects('search.mode')) this.mode.settingChanged();
    }));
    if (state.get(OLD_MODE_KEY) !== undefined) void state.update(OLD_MODE_KEY, undefined);
    this._register(vscode.commands.registerCommand(SEARCH_COMMAND, (query?: unknown) => this.show(typeof query === 'string' ? query : undefined)));
  }

  addResultAction(action: SearchResultAction): void {
    this.actions.push(action);
  }

  async show(initial?: string): Promise<void> {
    const qp = vscode.window.createQuickPick<ResultItem>();
    let mode: SearchMode = this.mode.current;
    const modeButton = (): vscode.QuickInputButton => mode === 'lexical'
      ? { iconPath: new vscode.ThemeIcon('whole-word'), tooltip: 'Full-text search (click for hybrid: words + meaning)' }
      : { iconPath: new vscode.ThemeIcon('sparkle'), tooltip: 'Hybrid search (click for full text only)' };
    const setTitle = (note?: string): void => {
      qp.title = `Search Vault — ${mode === 'lexical' ? 'full text' : 'hybrid'}${note ? ` (${note})` : ''}`;
    };
    qp.placeholder = 'Search the Markdown in this workspace';
    qp.matchOnDescription = false;
    qp.matchOnDetail = true;
    qp.keepScrollPosition = false;
    qp.buttons = [modeButton()];
    setTitle();

    let abort: AbortController | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let seq = 0;
    let lastStateKey = '';
    const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    const rootName = (root: string): string => vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root))?.name ?? basename(root);

    const runSearch = async (query: string): Promise<void> => {
      abort?.abort();
      const mine = ++seq;
      if (!query.trim()) {
        qp.items = [];
        qp.busy = false;
        return;
      }
      abort = new AbortController();
      qp.busy = true;
      try {
        const res = await this.vault.search(query, mode, LIMIT, abort.signal);
        if (mine !== seq) return;
        setTitle(res.fallbackReason ? 'hybrid unavailable: full text shown' : `${res.items.length} results`);
        // People look for a note, then a place in it: each note heads its chunks.
        qp.items = res.items.length > 0
          ? groupByNote(res.items, GROUP_CAP, multiRoot, rootName).flatMap((g): ResultItem[] => [
            { label: g.label, kind: vscode.QuickPickItemKind.Separator },
            ...g.rows.map((row) => ({ ...row, alwaysShow: true, buttons: this.actions.map((a) => a.button) })),
          ])
          : [{ label: 'No matches', description: this.vault.state.phase === 'indexing' ? 'indexing is still running' : '', alwaysShow: true }];
      } catch (err) {
        if (err instanceof VaultWorkerError && err.code === 'cancelled') return;
        if (mine !== seq) return;
        this.log.error('search failed', err);
        qp.items = [{ label: '$(error) Search failed', detail: err instanceof Error ? err.message : String(err), alwaysShow: true }];
      } finally {
        if (mine === seq) qp.busy = false;
      }
    };

    const subs: vscode.Disposable[] = [
      qp.onDidChangeValue((value) => {
        void this.state.update(LAST_QUERY_KEY, value);
        clearTimeout(timer);
        timer = setTimeout(() => void runSearch(value), DEBOUNCE_MS);
      }),
      qp.onDidTriggerButton(() => {
        mode = this.mode.toggle();
        qp.buttons = [modeButton()];
        setTitle();
        void runSearch(qp.value);
      }),
      qp.onDidTriggerItemButton((e) => {
        const action = this.actions.find((a) => a.button === e.button);
        if (action && e.item.hit) void Promise.resolve(action.run(e.item.hit, qp.value)).catch((err: unknown) => this.log.error('search action failed', err));
      }),
      qp.onDidAccept(() => {
        const hit = qp.selectedItems[0]?.hit ?? qp.activeItems[0]?.hit;
        if (!hit) return;
        qp.hide();
        void openAtLines(vscode.Uri.file(join(hit.root, hit.path)), hit.startLine, hit.endLine)
          .catch((err: unknown) => void vscode.window.showErrorMessage(`Codex Vault: could not open ${hit.path}: ${err instanceof Error ? err.message : String(err)}`));
      }),
      // Results follow the vault: when indexing or a live update changes it, the query runs again.
      this.vault.onDidChangeState((st) => {
        const key = `${st.phase}:${st.stats?.files}:${st.stats?.chunks}:${st.lastIndex?.ms}`;
        if (key === lastStateKey) return;
        lastStateKey = key;
        if (st.phase !== 'indexing' && qp.value.trim()) {
          clearTimeout(timer);
          timer = setTimeout(() => void runSearch(qp.value), DEBOUNCE_MS);
        }
      }),
      qp.onDidHide(() => {
        clearTimeout(timer);
        abort?.abort();
        for (const s of subs) s.dispose();
        qp.dispose();
      }),
    ];

    const query = initial ?? this.state.get<string>(LAST_QUERY_KEY) ?? '';
    qp.value = query;
    qp.show();
    // Start the worker now, so the first keystroke does not wait for it.
    void this.vault.ready().catch((err: unknown) => {
      qp.items = [{ label: '$(error) The vault could not start', detail: err instanceof Error ? err.message : String(err), alwaysShow: true }];
    });
    if (query) void runSearch(query);
  }
}
