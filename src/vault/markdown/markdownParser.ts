// The one markdown-it instance the vault parses with: building one costs far more than
// parsing a note, so it is created once and reused (parsing keeps no state between calls).
// For indexing only — it skips inline parsing the index does not need, so never render with it.
import MarkdownItCtor, { type MarkdownIt, type StateCore } from 'markdown-it';
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
      state.md.inline.parse(c, state.md, state.env, t.children ?? (t.children = []));
    }
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
