// The ChatBackend over the vault worker: conversations and asks go to worker service 'chat'
// (src/app/chat/chatService.ts), models to worker service 'models'. This file only forwards,
// maps plain data, and asks the user (quick picks, file dialog, progress): the decisions live in
// the worker-side services.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { VaultService } from '../../services/vaultService';
import type { ChatAskRequest, ChatEvent, ChatMessageData } from '../../app/chat/chatTypes';
import { availableModels, chooseModel, offeredModels, type Role } from '../../app/models/chooseModel';
import type { ModelItem, ModelsConfig, ModelsSnapshot } from '../../app/models/modelsTypes';
import type { ChatMessage, ModelRole, ModelState, RoleState } from '../protocol/chatProtocol';
import type { AnswerToBookmark, AskObserver, AskRequest, ChatBackend, Conversation, Unsubscribe } from './chatBackend';

/** What this backend needs from the vault service: its typed worker service calls. */
export interface ChatVaultPort {
  call: VaultService['call'];
}

function settings(): { chatModel: string; embeddingModel: string; contextSize: number; threads: number; temperature: number; maxTokens: number } {
  const cfg = vscode.workspace.getConfiguration('codexVault');
  // Model paths are restricted settings: in an untrusted workspace only the user's own value counts.
  const restricted = (key: string): string => {
    if (vscode.workspace.isTrusted) return cfg.get<string>(key, '');
    const i = cfg.inspect<string>(key);
    return i?.globalValue ?? i?.defaultValue ?? '';
  };
  return {
    chatModel: restricted('chatModel'),
    embeddingModel: restricted('embeddingModel'),
    contextSize: cfg.get<number>('contextSize', 4096),
    threads: cfg.get<number>('threads', 0),
    temperature: cfg.get<number>('sampling.temperature', 0.2),
    maxTokens: cfg.get<number>('sampling.maxTokens', 1024),
  };
}

function isChatEvent(e: unknown): e is ChatEvent {
  const t = (e as { type?: unknown } | null)?.type;
  return t === 'start' || t === 'sources' || t === 'token';
}

function fitOf(m: ModelItem): { fit: RoleState['offers'][number]['fit']; fitDetail: string } {
  if (!m.fit) return { fit: 'unknown', fitDetail: 'fit not known yet' };
  return { fit: m.fit.level === 'wont-fit' ? 'too-large' : m.fit.level, fitDetail: m.fit.message };
}

export class VaultChatBackend implements ChatBackend {
  private readonly listeners = new Set<(s: ModelState) => void>();
  private readonly configWatch: vscode.Disposable;

  /**
   * `modelsConfig` gives the models service its settings (models folder, manifest, engine options):
   * sent before each listing, as the Models view does, since the chat may be used before that view.
   */
  constructor(private readonly vault: ChatVaultPort, private readonly modelsConfig: () => ModelsConfig, private readonly log: (msg: string) => void) {
    this.configWatch = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('codexVault.chatModel') || e.affectsConfiguration('codexVault.embeddingModel')) void this.notify();
    });
  }

  private async notify(): Promise<void> {
    if (this.listeners.size === 0) return;
    try {
      const s = await this.modelState();
      for (const l of this.listeners) l(s);
    } catch (e) {
      this.log(`chat: model state failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async snapshot(): Promise<ModelsSnapshot> {
    await this.vault.call('models', 'configure', this.modelsConfig());
    return this.vault.call('models', 'list');
  }

  async ask(req: AskRequest, observer: AskObserver, signal: AbortSignal): Promise<ChatMessage> {
    const s = settings();
    const chosen = chooseModel((await this.snapshot()).models, 'chat', s.chatModel);
    if (!chosen) throw new Error('No chat model is ready: choose one in the chat panel or the Models view.');
    const result = await this.streamAsk({
      conversationId: req.conversationId,
      question: req.question,
      context: req.context,
      vaultOnly: req.vaultOnly,
      model: { path: chosen.path, contextSize: s.contextSize, ...(s.threads > 0 ? { threads: s.threads } : {}) },
      maxAnswerTokens: s.maxTokens,
      temperature: s.temperature,
    }, signal, (e) => {
      if (!isChatEvent(e)) return;
      if (e.type === 'start') observer.onStart({ conversationId: e.conversationId, title: e.title, userMessage: e.userMessage });
      else if (e.type === 'sources') observer.onSources(e.sources);
      else observer.onToken(e.text);
    });
    void this.notify(); // the model may have been loaded by this ask
    return result;
  }

  /**
   * Runs an ask in the worker and follows it by long polling (worker calls are request/response):
   * each poll returns as soon as there are new events. Aborting `signal` cancels the run; its
   * stored partial answer still comes back as the result.
   */
  private async streamAsk(req: ChatAskRequest, signal: AbortSignal, onEvent: (e: unknown) => void): Promise<ChatMessageData> {
    const runId = await this.vault.call('chat', 'startAsk', req);
    const cancel = (): void => void this.vault.call('chat', 'cancelAsk', runId).catch(() => undefined);
    signal.addEventListener('abort', cancel, { once: true });
    if (signal.aborted) cancel();
    try {
      for (let cursor = 0; ;) {
        const p = await this.vault.call('chat', 'poll', runId, cursor, 500);
        for (const e of p.events) onEvent(e);
        cursor = p.next;
        if (!p.done) continue;
        if (p.error !== undefined) throw new Error(p.error);
        if (!p.result) throw new Error('The answer ended without a result.');
        return p.result;
      }
    } finally {
      signal.removeEventListener('abort', cancel);
    }
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
    const s = settings();
    const models = (await this.snapshot()).models;
    return { chat: roleState(models, 'chat', s.chatModel), embedding: roleState(models, 'embedding', s.embeddingModel) };
  }

  onModelStateChanged(listener: (state: ModelState) => void): Unsubscribe {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async selectModel(role: ModelRole, modelId: string): Promise<void> {
    const models = (await this.snapshot()).models;
    const m = models.find((x) => x.id === modelId);
    if (!m || !availableModels(models, role).includes(m)) throw new Error(`${modelId} is not a usable ${role} model.`);
    await vscode.workspace.getConfiguration('codexVault').update(role === 'chat' ? 'chatModel' : 'embeddingModel', m.source === 'local' ? m.path : m.id, vscode.ConfigurationTarget.Global);
  }

  async pickModel(role: ModelRole): Promise<void> {
    const models = (await this.snapshot()).models;
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
      chosen = await this.vault.call('models', 'addLocal', uris[0].fsPath, role);
    } else if (chosen && chosen.state !== 'verified' && chosen.state !== 'loaded') {
      const item = chosen;
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Downloading ${item.name}`, cancellable: true }, async (_p, token) => {
        const sub = token.onCancellationRequested(() => void this.vault.call('models', 'cancelDownload', item.id));
        try {
          await this.vault.call('models', 'download', item.id);
        } finally {
          sub.dispose();
        }
      });
      chosen = (await this.snapshot()).models.find((m) => m.id === item.id);
    }
    if (!chosen) return;
    await vscode.workspace.getConfiguration('codexVault').update(role === 'chat' ? 'chatModel' : 'embeddingModel', chosen.source === 'local' ? chosen.path : chosen.id, vscode.ConfigurationTarget.Global);
    void vscode.window.showInformationMessage(`Codex Vault: ${basename(chosen.path)} is the ${role} model.`);
    await this.notify();
  }

  dispose(): void {
    this.configWatch.dispose();
    this.listeners.clear();
  }
}

function roleState(models: readonly ModelItem[], role: Role, setting: string): RoleState {
  const current = chooseModel(models, role, setting);
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
