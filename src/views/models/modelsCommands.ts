// The Models commands: each asks what it must (which model, a file, a confirmation), calls the
// vault worker's 'models' service, and shows the outcome. Progress is shown in a notification and,
// for downloads, in the tree (n% with speed), both from the worker's 'models' events.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import { safeLine, safeMessage } from '../../common/untrustedText';
import type { Log } from '../../services/log';
import type { ModelsState } from '../../services/modelsState';
import type { Settings } from '../../services/settings';
import type { ModelItem, ModelState } from '../../app/models/modelsTypes';
import { formatBytes } from '../common/format';
import { stateWords, type ModelNode } from './modelItems';
import type { ModelsTree } from './modelsTree';

export const MODEL_COMMANDS = {
  download: 'codexVault.models.download',
  cancelDownload: 'codexVault.models.cancelDownload',
  verify: 'codexVault.models.verify',
  load: 'codexVault.models.load',
  unload: 'codexVault.models.unload',
  delete: 'codexVault.models.delete',
  reveal: 'codexVault.models.reveal',
  addLocal: 'codexVault.models.addLocal',
  useForChat: 'codexVault.models.useForChat',
  useForEmbedding: 'codexVault.models.useForEmbedding',
  refresh: 'codexVault.models.refresh',
} as const;

export class ModelsCommands extends Disposable {
  constructor(private readonly models: ModelsState, private readonly settings: Settings, private readonly tree: ModelsTree, private readonly log: Log) {
    super();
    const c = MODEL_COMMANDS;
    const reg = (id: string, fn: (arg?: never) => Promise<unknown>): void =>
      void this._register(vscode.commands.registerCommand(id, (arg?: never) => fn(arg).catch((err: unknown) => this.fail(err))));
    const on = (states: ModelState[], question: string, fn: (m: ModelItem) => Promise<unknown>) => async (node?: ModelNode) => {
      const m = await this.target(node, states, question);
      if (m) await fn(m);
    };
    reg(c.download, on(['not-downloaded', 'partial', 'mismatch'], 'Download which model?', (m) => this.download(m)));
    reg(c.cancelDownload, on(['downloading'], 'Cancel which download?', (m) => this.models.call('cancelDownload', m.id)));
    reg(c.verify, on(['verified', 'unverified', 'mismatch', 'loaded'], 'Verify which model?', (m) => this.verify(m)));
    reg(c.load, on(['verified'], 'Load which model?', (m) => this.load(m)));
    reg(c.unload, on(['loaded'], 'Unload which model?', (m) => this.unload(m)));
    reg(c.delete, on(['verified', 'unverified', 'mismatch', 'partial', 'missing', 'loaded'], 'Delete which model?', (m) => this.delete(m)));
    reg(c.reveal, on(['verified', 'unverified', 'mismatch', 'loaded'], 'Reveal which model file?', (m) => this.reveal(m)));
    reg(c.addLocal, (arg?: vscode.Uri | string) => this.addLocal(arg));
    reg(c.useForChat, on(['verified', 'loaded'], 'Answer with which model?', (m) => this.useFor(m, 'chatModel')));
    reg(c.useForEmbedding, on(['verified', 'loaded'], 'Embed with which model?', (m) => this.useFor(m, 'embeddingModel')));
    reg(c.refresh, async () => this.tree.refresh());
  }

  async download(m: ModelItem): Promise<void> {
    if (m.fit?.level === 'wont-fit') {
      const go = await vscode.window.showWarningMessage(`${m.name} will probably not fit on this machine.`, { modal: true, detail: m.fit.message }, 'Download Anyway');
      if (go !== 'Download Anyway') return;
    }
    const done = this.models.call('download', m.id);
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Downloading ${m.name}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => void this.models.call('cancelDownload', m.id));
        let last = 0;
        const follow = this.models.onDidChange((s) => {
          const now = s.models.find((x) => x.id === m.id);
          if (!now?.download) return;
          const pct = now.download.total > 0 ? Math.floor((now.download.bytes / now.download.total) * 100) : 0;
          progress.report({ increment: Math.max(0, pct - last), message: stateWords(now) });
          last = Math.max(last, pct);
        });
        const r = await done.then(
          (x) => ({ ok: true as const, path: x.path }),
          (err: unknown) => ({ ok: false as const, err }),
        ).finally(() => follow.dispose());
        if (r.ok) void vscode.window.showInformationMessage(`Codex Vault: ${m.name} is downloaded and verified.`);
        else if (token.isCancellationRequested) void vscode.window.showInformationMessage(`Codex Vault: download of ${m.name} cancelled; it resumes where it stopped next time.`);
        else throw r.err;
      },
    );
  }

  async verify(m: ModelItem): Promise<void> {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Verifying ${m.name} (SHA-256)…` },
      () => this.models.call('verify', m.id),
    );
    if (report.match) void vscode.window.showInformationMessage(`Codex Vault: ${m.name} verified — its checksum matches.`);
    else void vscode.window.showErrorMessage(`Codex Vault: ${m.name} does not match what it should be, and cannot be used.`, { modal: false, detail: safeMessage(report.lines.join('\n'), 2000) });
  }

  async load(m: ModelItem): Promise<void> {
    const item = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Loading ${m.name}…` },
      () => this.models.call('load', m.id),
    );
    const mem = item.loaded ? ` (${formatBytes(item.loaded.ramBytes + item.loaded.vramBytes)})` : '';
    vscode.window.setStatusBarMessage(`$(vm-running) ${m.name} loaded${mem}`, 5000);
  }

  async unload(m: ModelItem): Promise<void> {
    await this.models.call('unload', m.id);
    vscode.window.setStatusBarMessage(`$(vm) ${m.name} unloaded`, 5000);
  }

  async delete(m: ModelItem): Promise<void> {
    const local = m.source === 'local';
    const ok = await vscode.window.showWarningMessage(
      local ? `Remove ${m.name} from the list?` : `Delete ${m.name}?`,
      { modal: true, detail: local ? `The file itself stays where it is:\n${m.path}` : `Its files (${formatBytes(m.bytesPresent)}) are deleted from the models folder. It can be downloaded again.` },
      local ? 'Remove' : 'Delete',
    );
    if (ok !== (local ? 'Remove' : 'Delete')) return;
    await this.models.call('remove', m.id);
  }

  async reveal(m: ModelItem): Promise<void> {
    const uri = vscode.Uri.file(m.path);
    if (vscode.env.uiKind === vscode.UIKind.Desktop) {
      await vscode.commands.executeCommand('revealFileInOS', uri);
      return;
    }
    // A browser cannot open the server's file manager: show the path, offer to copy it or open its folder.
    const pick = await vscode.window.showInformationMessage(`${m.name}: ${m.path}`, 'Copy Path', 'Open Containing Folder');
    if (pick === 'Copy Path') await vscode.env.clipboard.writeText(m.path);
    if (pick === 'Open Containing Folder') await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.joinPath(uri, '..'), { forceNewWindow: true });
  }

  async addLocal(arg?: vscode.Uri | string): Promise<void> {
    let path = typeof arg === 'string' ? arg : arg instanceof vscode.Uri ? arg.fsPath : undefined;
    if (!path) {
      const picked = await vscode.window.showOpenDialog({
        title: 'Add a Local GGUF Model', openLabel: 'Add Model', canSelectMany: false, canSelectFiles: true, canSelectFolders: false,
        filters: { 'GGUF models': ['gguf'], 'All files': ['*'] },
      });
      path = picked?.[0]?.fsPath;
    }
    if (!path) return;
    const item = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Adding ${basename(path)} (computing its SHA-256)…` },
      () => this.models.call('addLocal', path),
    );
    void vscode.window.showInformationMessage(`Codex Vault: added ${item.name} (${formatBytes(item.sizeBytes)}, ${stateWords(item)}).`);
  }

  async useFor(m: ModelItem, key: 'chatModel' | 'embeddingModel'): Promise<void> {
    await this.settings.setModel(key === 'chatModel' ? 'chat' : 'embedding', m.source === 'manifest' ? m.id : m.path);
    vscode.window.setStatusBarMessage(`$(check) ${m.name} is now the ${key === 'chatModel' ? 'chat' : 'embedding'} model`, 5000);
  }

  /** The model a command acts on: its tree node, else one the user picks among those it applies to. */
  private async target(node: ModelNode | undefined, states: ModelState[], question: string): Promise<ModelItem | undefined> {
    if (node && typeof node === 'object' && node.type === 'model') return this.tree.model(node.model.id) ?? node.model;
    const s = await this.tree.load();
    const fitting = (s?.models ?? []).filter((m) => states.includes(m.state));
    if (fitting.length === 0) {
      void vscode.window.showInformationMessage(`Codex Vault: no model is ${states.map((x) => x.replace('-', ' ')).join(' or ')} right now.`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(fitting.map((m) => ({ label: m.name, description: stateWords(m), detail: m.fit?.message, m })), { title: question });
    return picked?.m;
  }

  private fail(err: unknown): void {
    this.log.error('model command failed', err);
    // Engine and download errors may quote a model file or a server: escaped, one short line.
    void vscode.window.showErrorMessage(`Codex Vault: ${safeLine(err instanceof Error ? err.message : String(err), 600)}`);
    this.tree.refresh();
  }
}
