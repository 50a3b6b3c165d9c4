// Markdown for the chat webview: note text and model output are untrusted. markdown-it renders with
// raw HTML off (HTML in a note shows as text), DOMPurify then keeps only a small allow-list of tags
// and attributes, and links may only be http(s)/mailto (never javascript:, data:, file:, vscode:).
// No images at all: an <img> could load remote content (the CSP blocks it too; this is the second lock).
// Citations (the grammar of src/app/ask/citationGrammar.ts): before rendering, each cited number
// becomes a private-use marker that Markdown leaves alone (citationMarkers.ts), and after
// sanitizing, markers become chips, but only for numbers the caller says are real sources. An
// invented [n] stays plain text.
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';
import { hasMarker, MARKER_RE, markCitations } from './citationMarkers';

const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code',
  'em', 'strong', 'del', 's', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span',
];
const ALLOWED_ATTR = ['href', 'title', 'class', 'start'];
const SAFE_URI = /^(?:https?:|mailto:)/i;

const purifier = DOMPurify(window);
purifier.setConfig({
  ALLOWED_TAGS, ALLOWED_ATTR, ALLOWED_URI_REGEXP: SAFE_URI,
  ALLOW_DATA_ATTR: false, ALLOW_ARIA_ATTR: false, RETURN_DOM_FRAGMENT: false,
});
purifier.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName === 'A') {
    const href = node.getAttribute('href');
    // An anchor whose href was refused keeps its text but is no longer a link.
    if (!href || !SAFE_URI.test(href)) node.removeAttribute('href');
    node.setAttribute('title', href ?? '');
  }
  // Only markdown-it's own "language-x" classes survive (no styling hooks for injected markup).
  const cls = node.getAttribute?.('class');
  if (cls && !/^language-[\w+#.-]{1,40}$/.test(cls)) node.removeAttribute('class');
});

export interface CitationRenderer {
  /** A chip element for citation n, or null when n is not a real source (then it stays text). */
  chip(n: number): HTMLElement | null;
  /** A copy button for a code block. */
  copyButton(code: string): HTMLElement;
}

/** Renders untrusted Markdown into `target` (its children are replaced). */
export function renderMarkdown(target: HTMLElement, text: string, r: CitationRenderer): void {
  const html = md.render(markCitations(text));
  const clean = purifier.sanitize(html);
  const tpl = document.createElement('template');
  tpl.innerHTML = clean;
  const frag = tpl.content;
  replaceMarkers(frag, r);
  for (const pre of Array.from(frag.querySelectorAll('pre'))) {
    const wrap = document.createElement('div');
    wrap.className = 'code-block';
    pre.replaceWith(wrap);
    wrap.append(r.copyButton(pre.textContent ?? ''), pre);
  }
  target.replaceChildren(frag);
}

function replaceMarkers(root: DocumentFragment, r: CitationRenderer): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (hasMarker((n as Text).data)) texts.push(n as Text);
  for (const t of texts) {
    const inCode = Boolean(t.parentElement?.closest('code, pre'));
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const m of t.data.matchAll(MARKER_RE)) {
      frag.append(t.data.slice(last, m.index));
      const n = Number(m[1]);
      const chip = inCode ? null : r.chip(n);
      if (chip) frag.append(chip);
      else {
        const span = document.createElement('span');
        span.className = inCode ? '' : 'cite-invalid';
        if (!inCode) span.title = `[${n}] is not one of the sources given to the model`;
        span.textContent = `[${n}]`;
        frag.append(span);
      }
      last = (m.index ?? 0) + m[0].length;
    }
    frag.append(t.data.slice(last));
    t.replaceWith(frag);
  }
}
