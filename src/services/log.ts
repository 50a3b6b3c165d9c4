// The extension's log: one "Codex Vault" output channel (log levels, timestamps by VS Code).
// Lines often quote what came from outside (llama.cpp's log, a model file's keys, a server's
// answer): control and bidi characters are shown escaped, and a line is cut short.
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import { safeMessage } from '../common/untrustedText';

const LINE_MAX = 8000;

export class Log extends Disposable {
  private readonly channel = this._register(vscode.window.createOutputChannel('Codex Vault', { log: true }));

  info(msg: string): void { this.channel.info(safeMessage(msg, LINE_MAX)); }
  warn(msg: string): void { this.channel.warn(safeMessage(msg, LINE_MAX)); }
  error(msg: string, err?: unknown): void {
    this.channel.error(safeMessage(err === undefined ? msg : `${msg}: ${err instanceof Error ? err.message : String(err)}`, LINE_MAX));
  }
  show(): void { this.channel.show(true); }
}
