// The extension's log: one "Codex Vault" output channel (log levels, timestamps by VS Code).
import * as vscode from 'vscode';
import { Disposable } from './disposable';

export class Log extends Disposable {
  private readonly channel = this._register(vscode.window.createOutputChannel('Codex Vault', { log: true }));

  info(msg: string): void { this.channel.info(msg); }
  warn(msg: string): void { this.channel.warn(msg); }
  error(msg: string, err?: unknown): void {
    this.channel.error(err === undefined ? msg : `${msg}: ${err instanceof Error ? err.message : String(err)}`);
  }
  show(): void { this.channel.show(true); }
}
