// What the status bar shows of the engine, supplied by whoever owns the engine client (the models
// feature registers one in the container). Kept as a small interface so the status bar needs no engine code.
import type * as vscode from 'vscode';

export interface EngineStatus {
  /** Display name of the loaded chat/embedding model(s), or undefined when none is loaded. */
  loadedModel?: string;
  state: 'stopped' | 'starting' | 'idle' | 'busy' | 'error';
  ramBytes?: number;
  vramBytes?: number;
}

export interface EngineStatusSource {
  readonly onDidChange: vscode.Event<void>;
  current(): EngineStatus;
}
