// The chat feature for the composition root: one object that registers the sidebar chat view, the
// inline "Ask About Selection", and the Open Chat command, and disposes them together.
// Registration is cheap (no worker, no model): both start work only when the user asks.
import * as vscode from 'vscode';
import { InlineAsk } from '../inline/inlineAsk';
import { modelsConfig } from '../models/modelsTree';
import { ChatViewProvider } from './chatViewProvider';
import { type ChatVaultPort, VaultChatBackend } from './vaultChatBackend';

export const FOCUS_CHAT_COMMAND = 'codexVault.focusChat';

export interface ChatFeatureLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export class ChatFeature implements vscode.Disposable {
  readonly backend: VaultChatBackend;
  readonly view: ChatViewProvider;
  readonly inline: InlineAsk;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(context: vscode.ExtensionContext, vault: ChatVaultPort, log: ChatFeatureLog) {
    const warn = (m: string): void => log.warn(m);
    this.backend = new VaultChatBackend(vault, () => modelsConfig(context.globalStorageUri.fsPath), warn);
    this.view = new ChatViewProvider({
      extensionUri: context.extensionUri,
      backend: this.backend,
      state: context.workspaceState,
      vaultOnlyDefault: () => vscode.workspace.getConfiguration('codexVault').get<boolean>('chat.answerOnlyFromVault', true),
      log: warn,
    });
    this.inline = new InlineAsk({ backend: this.backend, continueInChat: (id) => this.view.showConversation(id), log: warn });
    this.disposables.push(
      this.backend, this.view, this.inline,
      vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, this.view),
      vscode.commands.registerCommand(FOCUS_CHAT_COMMAND, () => this.view.focusInput()),
    );
  }

  dispose(): void {
    for (const d of this.disposables.reverse()) d.dispose();
    this.disposables.length = 0;
  }
}
