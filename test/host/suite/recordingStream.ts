// A real ChatResponseStream that records what a chat participant's handler emits, in order, so an
// in-host test can call the extension's own handler (no chat UI, no Copilot) and check its output.
import * as vscode from 'vscode';

export type StreamCall =
  | { kind: 'markdown'; text: string }
  | { kind: 'anchor'; value: vscode.Uri | vscode.Location; title?: string }
  | { kind: 'reference'; value: vscode.Uri | vscode.Location }
  | { kind: 'progress'; text: string }
  | { kind: 'button'; command: vscode.Command }
  | { kind: 'other'; part: unknown };

export class RecordingStream implements vscode.ChatResponseStream {
  readonly calls: StreamCall[] = [];

  /** Called after each recorded call (a test may cancel the request from here). */
  constructor(private readonly onCall?: (call: StreamCall, stream: RecordingStream) => void) {}

  private add(call: StreamCall): void {
    this.calls.push(call);
    this.onCall?.(call, this);
  }

  markdown(value: string | vscode.MarkdownString): void {
    this.add({ kind: 'markdown', text: typeof value === 'string' ? value : value.value });
  }

  anchor(value: vscode.Uri | vscode.Location, title?: string): void {
    this.add({ kind: 'anchor', value, title });
  }

  button(command: vscode.Command): void {
    this.add({ kind: 'button', command });
  }

  filetree(value: vscode.ChatResponseFileTree[], baseUri: vscode.Uri): void {
    this.add({ kind: 'other', part: { value, baseUri } });
  }

  progress(value: string): void {
    this.add({ kind: 'progress', text: value });
  }

  reference(value: vscode.Uri | vscode.Location): void {
    this.add({ kind: 'reference', value });
  }

  push(part: vscode.ChatResponsePart): void {
    this.add({ kind: 'other', part });
  }

  /** The markdown as shown, escapes undone (appendText escapes note text and model output). */
  text(): string {
    return this.calls.filter((c): c is Extract<StreamCall, { kind: 'markdown' }> => c.kind === 'markdown').map((c) => c.text).join('').replace(/\\([\\`*_{}[\]()#+\-.!<>|~])/g, '$1').replace(/&nbsp;/g, ' ');
  }

  of<K extends StreamCall['kind']>(kind: K): Extract<StreamCall, { kind: K }>[] {
    return this.calls.filter((c): c is Extract<StreamCall, { kind: K }> => c.kind === kind);
  }
}
