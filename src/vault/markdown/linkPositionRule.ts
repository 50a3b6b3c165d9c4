// markdown-it's `link` rule does not record where a link starts in the inline text, and a
// link's line number is what a "links" list needs. This wraps the built-in rule: when it
// succeeds, the `link_open` token it pushed gets `meta.pos`, the offset of its `[`.
import type { MarkdownIt, StateInline } from 'markdown-it';

export type LinkPosMeta = {
  pos: number;
};

export function linkPositionPlugin(md: MarkdownIt): void {
  const ruler = md.inline.ruler;
  // The original function is only reachable through the ruler's rule list (typed, but internal).
  const index = ruler.__find__('link');
  if (index < 0) throw new Error('markdown-it has no inline "link" rule to wrap');
  const original = ruler.__rules__[index]!.fn;
  ruler.at('link', (state: StateInline, silent: boolean): boolean => {
    const pos = state.pos;
    const before = state.tokens.length;
    if (!original(state, silent)) return false;
    if (!silent) {
      for (let i = before; i < state.tokens.length; i++) {
        const t = state.tokens[i]!;
        if (t.type === 'link_open') {
          const meta: LinkPosMeta = { pos };
          t.meta = meta;
          break;
        }
      }
    }
    return true;
  });
}
