// The one markdown-it instance the vault parses with: building one costs far more than
// parsing a note, so it is created once and reused (parsing keeps no state between calls).
// For indexing only — it skips inline parsing the index does not need, so never render with it.
import MarkdownItCtor, { type MarkdownIt, type StateCore, type Token } from 'markdown-it';
import { hashTagPlugin } from './hashTagRule';
import { linkPositionPlugin } from './linkPositionRule';
import { wikiLinkPlugin } from './wikiLinkRule';

let instance: MarkdownIt | undefined;

/**
 * markdown-it's core `inline` step, run only on the inline content the vault reads: heading
 * text, and text that holds a `[` (links, wiki links) or a `#` (tags). Other paragraphs keep
 * their block tokens and line maps but no inline children; that skips about half the work.
 */
function inlineWhereNeeded(state: StateCore): void {
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type !== 'inline') continue;
    const c = t.content;
    if (tokens[i - 1]?.type === 'heading_open' || c.indexOf('[') >= 0 || c.indexOf('#') >= 0) {
      const children = t.children ?? (t.children = []);
      const heading = tokens[i - 1]?.type === 'heading_open';
      if (c.length <= MAX_INLINE_WHOLE) state.md.inline.parse(c, state.md, state.env, children);
      else parseInSlices(state, c, children, heading);
    }
  }
}

/**
 * Inline text longer than MAX_INLINE_WHOLE is parsed in slices of about INLINE_SLICE characters.
 * markdown-it's link parsing re-scans the rest of its input from every unmatched `[`, so a
 * paragraph of brackets costs time in the square of its length (2 MB: minutes; in 1 KB slices:
 * under a second). No written paragraph is that long; in pasted or generated data a link or tag
 * cut by a slice boundary is an acceptable loss.
 */
const MAX_INLINE_WHOLE = 16 * 1024;
const INLINE_SLICE = 1024;

function parseInSlices(state: StateCore, content: string, children: Token[], heading: boolean): void {
  for (let at = 0; at < content.length; ) {
    let end = Math.min(content.length, at + INLINE_SLICE);
    if (end < content.length) {
      // End after whitespace when there is some in the slice's second half; never inside a surrogate pair.
      let ws = end - 1;
      while (ws > at + INLINE_SLICE / 2 && !/\s/.test(content[ws]!)) ws--;
      if (ws > at + INLINE_SLICE / 2) end = ws + 1;
      else if (/[\udc00-\udfff]/.test(content[end]!)) end--;
    }
    const slice = content.slice(at, end);
    // Without `]` no link ends in the slice, without `#` no tag starts: nothing to read there
    // (but a heading's text is read whole).
    if (!heading && slice.indexOf(']') < 0 && slice.indexOf('#') < 0) {
      at = end;
      continue;
    }
    const part: Token[] = [];
    state.md.inline.parse(slice, state.md, state.env, part);
    // Rules record where their token starts in the text they parsed (`meta.pos`): make it the offset in the whole text.
    for (const tok of part) {
      const meta = tok.meta as { pos?: unknown } | null;
      if (at > 0 && meta && typeof meta.pos === 'number') tok.meta = { ...meta, pos: meta.pos + at };
      children.push(tok);
    }
    at = end;
  }
}

export function markdownParser(): MarkdownIt {
  if (!instance) {
    // html: true so raw HTML blocks are recognised as blocks (their lines stay in place);
    // linkify off: bare URLs are text, and their `#fragment` must not look like a tag.
    instance = new MarkdownItCtor('default', { html: true, linkify: false, typographer: false });
    instance.use(linkPositionPlugin).use(wikiLinkPlugin).use(hashTagPlugin);
    instance.core.ruler.at('inline', inlineWhereNeeded);
  }
  return instance;
}
