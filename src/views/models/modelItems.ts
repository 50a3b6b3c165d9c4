// How models look in the Models tree: a group per source, each model with an icon and words for its
// state, its fit for this machine, and (when loaded) its memory figures as children. Display only.
import * as vscode from 'vscode';
import { safeLine, safeMessage } from '../../common/untrustedText';
import type { ModelItem, ModelState, ModelsSnapshot } from '../../app/models/modelsTypes';
import { formatBytes } from '../common/format';

export type ModelNode =
  | { type: 'group'; source: 'manifest' | 'local'; models: ModelItem[] }
  | { type: 'model'; model: ModelItem }
  | { type: 'figure'; modelId: string; key: string; label: string; value: string; icon: string }
  | { type: 'problem'; message: string };

const STATE_ICON: Record<ModelState, [string, string | undefined]> = {
  'not-downloaded': ['cloud-download', undefined],
  downloading: ['sync~spin', 'charts.blue'],
  partial: ['debug-pause', 'list.warningForeground'],
  unverified: ['question', 'list.warningForeground'],
  verified: ['pass', 'testing.iconPassed'],
  mismatch: ['error', 'list.errorForeground'],
  missing: ['warning', 'list.warningForeground'],
  loaded: ['vm-running', 'charts.green'],
};

export function stateWords(m: ModelItem): string {
  switch (m.state) {
    case 'not-downloaded': return `not downloaded · ${formatBytes(m.sizeBytes)}`;
    case 'downloading': {
      const d = m.download;
      if (!d) return 'downloading';
      if (d.phase === 'hashing') return `checking the part already downloaded · ${percent(d.bytes, d.total)}%`;
      if (d.waiting) return `waiting · ${percent(d.bytes, d.total)}% · ${safeLine(d.waiting, 200)}`;
      return `downloading ${percent(d.bytes, d.total)}% · ${formatBytes(d.bytesPerSecond)}/s${d.etaSeconds !== null ? ` · ${eta(d.etaSeconds)} left` : ''}`;
    }
    case 'partial': return `partial · ${formatBytes(m.bytesPresent)} of ${formatBytes(m.sizeBytes)}`;
    case 'unverified': return 'not verified';
    case 'verified': return `verified · ${formatBytes(m.sizeBytes)}`;
    case 'mismatch': return 'checksum mismatch: unusable';
    case 'missing': return 'file missing';
    case 'loaded': return `loaded${m.loaded ? ` · ${formatBytes(m.loaded.ramBytes + m.loaded.vramBytes)}` : ''}`;
  }
}

function percent(bytes: number, total: number): number {
  return total > 0 ? Math.floor((bytes / total) * 100) : 0;
}

function eta(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const FIT_WORDS = { fits: 'fits', tight: 'tight fit', 'wont-fit': "won't fit" } as const;

/** `viewItem` of a model: model.<state>.<source>, used by package.json menus. */
export function contextValue(m: ModelItem): string {
  return `model.${m.state}.${m.source}`;
}

export function figures(m: ModelItem): ModelNode[] {
  if (!m.loaded) return [];
  const l = m.loaded;
  const f = (key: string, label: string, value: string, icon: string): ModelNode => ({ type: 'figure', modelId: m.id, key, label, value, icon });
  return [
    f('ram', 'RAM', formatBytes(l.ramBytes), 'server'),
    f('vram', 'VRAM', l.gpu ? formatBytes(l.vramBytes) : 'none (CPU)', 'circuit-board'),
    f('kv', 'KV cache', formatBytes(l.kvCacheBytes), 'database'),
    f('ctx', 'Context', `${l.contextSize.toLocaleString('en-US')} tokens · ${l.purpose === 'embed' ? 'embeddings' : 'generation'}`, 'symbol-ruler'),
  ];
}

export function groups(s: ModelsSnapshot): ModelNode[] {
  const out: ModelNode[] = s.problems.map((message) => ({ type: 'problem', message }));
  out.push({ type: 'group', source: 'manifest', models: s.models.filter((m) => m.source === 'manifest') });
  const local = s.models.filter((m) => m.source === 'local');
  if (local.length > 0) out.push({ type: 'group', source: 'local', models: local });
  return out;
}

export function toTreeItem(node: ModelNode): vscode.TreeItem {
  switch (node.type) {
    case 'group': {
      const item = new vscode.TreeItem(node.source === 'manifest' ? 'Manifest models' : 'Local models', vscode.TreeItemCollapsibleState.Expanded);
      item.id = `models-group-${node.source}`;
      item.description = `${node.models.length}`;
      item.iconPath = new vscode.ThemeIcon(node.source === 'manifest' ? 'library' : 'file-binary');
      item.contextValue = `modelGroup.${node.source}`;
      return item;
    }
    case 'problem': {
      const item = new vscode.TreeItem('Manifest problem', vscode.TreeItemCollapsibleState.None);
      item.description = safeLine(node.message, 200);
      item.tooltip = safeMessage(node.message, 1000);
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      return item;
    }
    case 'figure': {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
      item.id = `model-figure-${node.modelId}-${node.key}`;
      item.description = node.value;
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.contextValue = 'modelFigure';
      item.accessibilityInformation = { label: `${node.label}: ${node.value}` };
      return item;
    }
    case 'model': {
      const m = node.model;
      const item = new vscode.TreeItem(safeLine(m.name, 120), m.loaded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      // A loaded model gets its own id, so VS Code shows its memory figures expanded instead of
      // reusing the collapsed state it remembered for the same model while it had no children.
      item.id = m.loaded ? `model-${m.id}-loaded` : `model-${m.id}`;
      const fit = m.fit ? ` · ${FIT_WORDS[m.fit.level]}` : '';
      item.description = `${stateWords(m)}${m.state === 'loaded' ? '' : fit}`;
      const [icon, color] = STATE_ICON[m.state];
      item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
      item.contextValue = contextValue(m);
      item.tooltip = tooltip(m);
      item.accessibilityInformation = { label: `${m.name}, ${item.description}` };
      return item;
    }
  }
}

/** Manifest fields, file names and error details come from outside: plain text, escaped, short. */
function tooltip(m: ModelItem): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  const line = (s: string, max = 300): void => void md.appendText(`${safeLine(s, max)}\n`);
  line(m.name);
  line([m.role ? `${m.role} model` : null, m.quantization, formatBytes(m.sizeBytes), m.license ? `licence ${m.license}` : null].filter(Boolean).join(' · '));
  if (m.description) line(m.description, 600);
  line(`State: ${stateWords(m)}`);
  if (m.detail) line(m.detail, 600);
  if (m.fit) line(m.fit.message);
  line(m.path, 1000);
  return md;
}
