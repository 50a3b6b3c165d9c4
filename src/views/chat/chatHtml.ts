// The chat webview's HTML: a strict CSP (nothing but our own script, by nonce, and our own styles
// and fonts from dist/media), so even if sanitizing failed, injected markup could neither run
// script nor load anything remote.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function chatHtml(webview: vscode.Webview, mediaRoot: vscode.Uri): string {
  const nonce = randomBytes(18).toString('base64');
  const src = (file: string): string => webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, file)).toString();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${src('codicon.css')}">
<link rel="stylesheet" href="${src('chat.css')}">
<title>Codex Vault Chat</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${src('chatMain.js')}"></script>
</body>
</html>`;
}
