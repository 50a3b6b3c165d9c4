// The chat feature for the composition root: one object that registers the sidebar chat view, the
// inline "Ask About Selection", and the Open Chat command, and disposes them together.
// Registration is cheap (no worker, no model): both start work only when the user asks.
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { ModelsState } from '../../services/modelsState';
import type { Settings } from '../../services/settings';
import { InlineAsk } from '../inline/inlineAsk';
import { ChatViewProvider } from './chatViewProvider';
import { type ChatVaultPort, VaultChatBackend } from './vaultChatBackend';

export const FOCUS_CHAT_COMMAND = 'codexVault.focusChat';

export interface ChatFeatureLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export class ChatFeature extends Disposable {
  readonly backend: VaultChatBackend;
  readonly view: ChatViewProvider;
  readonly inline: InlineAsk;

  constructor(context: vscode.ExtensionContext, vault: ChatVaultPort, models: ModelsState, settings: Settings, log: ChatFeatureLog) {
    super();
    const warn = (m: string): void => log.warn(m);
    this.backend = this._register(new VaultChatBackend(vault, models, settings, warn));
    this.view = this._register(new ChatViewProvider({
      extensionUri: context.extensionUri,
      backend: this.backend,
      state: context.workspaceState,
      vaultOnlyDefault: () => settings.current.answerOnlyFromVault,
      log: warn,
    }));
    this.inline = this._register(new InlineAsk({ backend: this.backend, continueInChat: (id) => this.view.showConversation(id), log: warn }));
    this._register(vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, this.view));
    this._register(vscode.commands.registerCommand(FOCUS_CHAT_COMMAND, () => this.view.focusInput()));
  }
}
