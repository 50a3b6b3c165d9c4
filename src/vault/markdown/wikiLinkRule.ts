// markdown-it inline rule for Obsidian-style wiki links: [[target]], [[target|alias]],
// [[target#heading]], [[#heading]] and embeds ![[target]] (the `!` stays text; the link counts).
// It runs before markdown-it's own `link` rule, inside the real inline parser, so code spans,
// escapes and fenced code never produce wiki links.
import type { MarkdownIt, StateInline } from 'markdown-it';

export type WikiLinkMeta = {
  target: string;
  heading: string;
  alias: string;
  /** Offset of `[[` in the inline token's content (for its line number). */
  pos: number;
};

const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]

function wikiLink(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src.charCodeAt(start) !== OPEN || src.charCodeAt(start + 1) !== OPEN) return false;
  let end = start + 2;
  for (; end < state.posMax; end++) {
    const c = src.charCodeAt(end);
    if (c === CLOSE) break;
    if (c === OPEN || c === 0x0a) return false; // nested brackets or a line break: not a wiki link
  }
  if (end + 1 >= state.posMax || src.charCodeAt(end + 1) !== CLOSE) return false;
  const inner = src.slice(start + 2, end);
  if (!inner.trim()) return false;
  if (!silent) {
    const bar = inner.indexOf('|');
    // In tables the pipe is escaped (`[[a\|b]]`): drop the backslash that protected it.
    const ref = (bar < 0 ? inner : inner.slice(0, bar)).replace(/\\$/, '');
    const alias = bar < 0 ? '' : inner.slice(bar + 1).trim();
    const hash = ref.indexOf('#');
    const target = (hash < 0 ? ref : ref.slice(0, hash)).trim();
    const heading = hash < 0 ? '' : ref.slice(hash + 1).trim();
    const token = state.push('wikilink', '', 0);
    const meta: WikiLinkMeta = { target, heading, alias, pos: start };
    token.meta = meta;
    token.content = alias || (target ? target + (heading ? ` > ${heading}` : '') : heading);
  }
  state.pos = end + 2;
  return true;
}

export function wikiLinkPlugin(md: MarkdownIt): void {
  md.inline.ruler.before('link', 'wikilink', wikiLink);
}
