// Small DOM helpers for the chat webview. Text always goes in through textContent, never innerHTML:
// the only HTML this webview ever parses is DOMPurify's output (see markdown.ts).

type Attrs = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A codicon span (font icon; aria-hidden: the button around it carries the label). */
export function icon(name: string): HTMLSpanElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

/** A button showing only an icon, with its label for screen readers and as a tooltip. */
export function iconButton(name: string, label: string, onClick: (ev: MouseEvent) => void, cls = ''): HTMLButtonElement {
  const b = h('button', { class: `icon-button ${cls}`.trim(), type: 'button', 'aria-label': label, title: label }, icon(name));
  b.addEventListener('click', onClick);
  return b;
}

export function textButton(text: string, onClick: (ev: MouseEvent) => void, cls = '', iconName?: string): HTMLButtonElement {
  const b = h('button', { class: `text-button ${cls}`.trim(), type: 'button' }, iconName ? icon(iconName) : null, text);
  b.addEventListener('click', onClick);
  return b;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export function lines(start: number, end: number): string {
  return start === end ? `${start}` : `${start}-${end}`;
}
