// The ChatBackend over the vault worker: conversations and asks go to worker service 'chat'
// (src/app/chat/chatService.ts), whose answers stream back as 'answer' events; models come from
// the host's one model state. This file only forwards, maps plain data, and asks the user (quick
// picks, file dialog, progress): the decisions live in the worker-side services.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { ModelsState } from '../../services/modelsState';
import type { Settings } from '../../services/settings';
import type { VaultService } from '../../services/vaultService';
import type { ChatAskRequest, ChatMessageData } from '../../app/chat/chatTypes';
import { availableModels, chooseModel, offeredModels, verifiedOnFirstUse, type Role } from '../../app/models/chooseModel';
import type { ModelItem } from '../../app/models/modelsTypes';
import type { ChatMessage, ModelRole, ModelState, RoleState } from '../protocol/chatProtocol';
import type { AnswerToBookmark, AskObserver, AskRequest, ChatBackend, Conversation, Unsubscribe } from './chatBackend';
import { withContextText } from './contextText';
import { verifyNamedModel } from '../common/verifyNamedModel';

/** What this backend needs from the vault service: its typed worker calls, events and state. */
export type ChatVaultPort = Pick<VaultService, 'call' | 'onEvent' | 'onDidChangeState'>;

/**
 * An answer that reports nothing for this long is given up. Loading a model (up to the engine's
 * 10 min limit) happens between an answer's start and its sources, so this only catches a worker
 * that stopped answering altogether; the engine's own limits say more, sooner.
 */
const ANSWER_SILENCE_MS = 12 * 60_000;

/** This window's folders, and the text of open editor documents (unsaved changes included). */
function editorContextReader(): { folders: string[]; openText(file: string): string | undefined } {
  return {
    folders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    openText: (file) => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file)?.getText(),
  };
}

function fitOf(m: ModelItem): { fit: RoleState['offers'][number]['fit']; fitDetail: string } {
  if (!m.fit) return { fit: 'unknown', fitDetail: 'fit not known yet' };
  return { fit: m.fit.level === 'wont-fit' ? 'too-large' : m.fit.level, fitDetail: m.fit.message };
}

export class VaultChatBackend extends Disposable implements ChatBackend {
  private readonly listeners = new Set<(s: ModelState) => void>();
  private lastSent = '';

  constructor(private readonly vault: ChatVaultPort, private readonly models: ModelsState, private readonly settings: Settings, private readonly log: (msg: string) => void) {
    super();
    this._register(settings.onDidChange((e) => {
      if (e.affects('chatModel') || e.affects('embeddingModel')) void this.notify();
    }));
    // Every change of model state the worker reports (a download, a load, a verify, from any view).
    this._register(models.onDidChange(() => void this.notify()));
    this._register({ dispose: () => this.listeners.clear() });
  }

  private async notify(): Promise<void> {
    if (this.listeners.size === 0) return;
    try {
      const s = await this.modelState();
      // Memory figures change every few seconds; the chat shows only what is chosen and usable.
      const key = JSON.stringify(s);
      if (key === this.lastSent) return;
      this.lastSent = key;
      for (const l of this.listeners) l(s);
    } catch (e) {
      this.log(`chat: model state failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async ask(answerId: string, req: AskRequest, observer: AskObserver, signal: AbortSignal): Promise<ChatMessage> {
    const s = this.settings.current;
    // Files attached as context are read here, confined to the workspace, as the editor has them.
    const context = await withContextText(req.context, editorContextReader());
    let models = (await this.models.snapshot()).models;
    let chosen = chooseModel(models, 'chat', s.chatModel);
    // The last snapshot may be older than a change of the settings: list once more before giving up.
    if (!chosen) chosen = chooseModel((models = (await this.models.refresh()).models), 'chat', s.chatModel);
    if (!chosen) {
      const again = await verifyNamedModel(this.models, models, 'chat', s.chatModel);
      if (again) chosen = chooseModel(again, 'chat', s.chatModel);
    }
    if (!chosen) throw new Error('No chat model is ready: choose one in the chat panel or the Models view.');
    await this.models.ensureConfigured();
    return this.streamAsk(answerId, {
      conversationId: req.conversationId,
      question: req.question,
      context,
      vaultOnly: req.vaultOnly,
      model: { path: chosen.path, contextSize: s.contextSize, ...(s.threads > 0 ? { threads: s.threads } : {}) },
      maxAnswerTokens: s.sampling.maxTokens,
      temperature: s.sampling.temperature,
      topP: s.sampling.topP,
      topK: s.sampling.topK,
      repeatPenalty: s.sampling.repeatPenalty,
      citations: s.citations,
    }, observer, signal);
  }

  /**
   * Starts an answer in the worker and follows its 'answer' events. Aborting `signal` cancels it;
   * its stored partial answer still comes back as the result.
   */
  private streamAsk(answerId: string, req: ChatAskRequest, observer: AskObserver, signal: AbortSignal): Promise<ChatMessageData> {
    return new Promise<ChatMessageData>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const subs: vscode.Disposable[] = [];
      const cancel = (): void => void this.vault.call('chat', 'cancelAsk', answerId).catch(() => undefined);
      const end = (): void => {
        clearTimeout(timer);
        for (const d of subs) d.dispose();
        signal.removeEventListener('abort', cancel);
      };
      const fail = (err: Error): void => { end(); reject(err); };
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          cancel();
          fail(new Error(`The answer stopped: nothing came for ${ANSWER_SILENCE_MS / 60_000} minutes. Try again; if it keeps happening, see the log.`));
        }, ANSWER_SILENCE_MS);
      };
      subs.push(this.vault.onEvent('answer', ({ answerId: id, event: e }) => {
        if (id !== answerId) return;
        arm();
        switch (e.type) {
          case 'start': observer.onStart({ conversationId: e.conversationId, title: e.title, userMessage: e.userMessage, answerMessageId: e.answerMessageId }); break;
          case 'sources': observer.onSources(e.sources); break;
          case 'token': observer.onToken(e.text); break;
          case 'done': end(); resolve(e.message); break;
          case 'error': fail(new Error(e.error)); break;
        }
      }));
      subs.push(this.vault.onDidChangeState((st) => {
        if (st.phase === 'error') fail(new Error(`The vault worker stopped while answering${st.message ? ` (${st.message})` : ''}. Ask again.`));
      }));
      signal.addEventListener('abort', cancel, { once: true });
      arm();
      this.vault.call('chat', 'startAsk', answerId, req).then(() => { if (signal.aborted) cancel(); }, (err: unknown) => fail(err instanceof Error ? err : new Error(String(err))));
    });
  }

  async listConversations() {
    return this.vault.call('chat', 'listConversations');
  }

  async getConversation(id: number): Promise<Conversation | null> {
    return this.vault.call('chat', 'getConversation', id);
  }

  async answerToBookmark(conversationId: number, messageId: number): Promise<AnswerToBookmark> {
    return this.vault.call('chat', 'answerToBookmark', conversationId, messageId);
  }

  async renameConversation(id: number, title: string): Promise<void> {
    await this.vault.call('chat', 'renameConversation', id, title);
  }

  async deleteConversation(id: number): Promise<void> {
    await this.vault.call('chat', 'deleteConversation', id);
  }

  async modelState(): Promise<ModelState> {
    const s = this.settings.current;
    const models = (await this.models.snapshot()).models;
    return { chat: roleState(models, 'chat', s.chatModel), embedding: roleState(models, 'embedding', s.embeddingModel) };
  }

  onModelStateChanged(listener: (state: ModelState) => void): Unsubscribe {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async selectModel(role: ModelRole, modelId: string): Promise<void> {
    const models = (await this.models.snapshot()).models;
    const m = models.find((x) => x.id === modelId);
    if (!m || !availableModels(models, role).includes(m)) throw new Error(`${modelId} is not a usable ${role} model.`);
    await this.settings.setModel(role, m.source === 'local' ? m.path : m.id);
  }

  async pickModel(role: ModelRole): Promise<void> {
    const models = (await this.models.snapshot()).models;
    type Pick = vscode.QuickPickItem & { model?: ModelItem; local?: true };
    const items: Pick[] = [
      ...availableModels(models, role).map((m) => ({ label: `$(check) ${m.name}`, description: 'ready', detail: m.path, model: m })),
      ...offeredModels(models, role).map((m) => ({
        label: `$(cloud-download) ${m.name}`,
        description: `${(m.sizeBytes / 1024 / 1024).toFixed(0)} MB · ${fitOf(m).fit === 'unknown' ? 'fit unknown' : fitOf(m).fit}`,
        detail: [m.fit?.message, m.description].filter(Boolean).join(' — '),
        model: m,
      })),
      { label: '$(file-add) Add a local GGUF file…', description: role === 'embedding' ? 'an embedding model' : 'a chat model', local: true },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: role === 'chat' ? 'Codex Vault: Choose a Chat Model' : 'Codex Vault: Choose an Embedding Model',
      placeHolder: role === 'embedding' ? 'Without one, search is full-text (lexical), which works without an embedding model' : 'Download a model from the manifest (its fit for this machine is shown) or add a file',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) return;
    let chosen: ModelItem | undefined = picked.model;
    if (picked.local) {
      const uris = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Add Model', filters: { 'GGUF models': ['gguf'] }, title: 'Add a local GGUF model' });
      if (!uris?.[0]) return;
      chosen = await this.models.call('addLocal', uris[0].fsPath, role);
    } else if (chosen && chosen.state !== 'verified' && chosen.state !== 'loaded') {
      const item = chosen;
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Downloading ${item.name}`, cancellable: true }, async (_p, token) => {
        const sub = token.onCancellationRequested(() => void this.models.call('cancelDownload', item.id));
        try {
          await this.models.call('download', item.id);
        } finally {
          sub.dispose();
        }
      });
      chosen = (await this.models.refresh()).models.find((m) => m.id === item.id);
    }
    if (!chosen) return;
    await this.settings.setModel(role, chosen.source === 'local' ? chosen.path : chosen.id);
    void vscode.window.showInformationMessage(`Codex Vault: ${basename(chosen.path)} is the ${role} model.`);
    await this.notify();
  }

}

function roleState(models: readonly ModelItem[], role: Role, setting: string): RoleState {
  // A file named in settings and not verified yet is the current model too: it is verified when first used.
  const current = chooseModel(models, role, setting) ?? verifiedOnFirstUse(models, role, setting);
  const choice = (m: ModelItem) => ({ id: m.id, label: m.name, sizeBytes: m.sizeBytes || null });
  const downloading = models.find((m) => m.role === role && m.download);
  return {
    current: current ? choice(current) : null,
    loaded: current?.state === 'loaded',
    available: availableModels(models, role).map(choice),
    offers: offeredModels(models, role).map((m) => ({ manifestId: m.id, label: m.name, sizeBytes: m.sizeBytes, ...fitOf(m) })),
    downloading: downloading?.download ? { manifestId: downloading.id, fraction: downloading.download.total ? downloading.download.bytes / downloading.download.total : 0 } : null,
  };
}
