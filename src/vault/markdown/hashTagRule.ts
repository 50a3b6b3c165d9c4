// markdown-it inline rule for #tags. Being an inline rule it never fires inside code spans,
// fenced/indented code, link destinations or autolinks; ATX headings (`# Title`) are block
// syntax and never reach it. What remains is decided here:
// - the `#` must start the text or follow whitespace / opening punctuation, so `C#`, `a#b`
//   and a bare URL's `/page#frag` are not tags;
// - the tag is letters, digits, `_`, `-`, `/` and must hold a non-digit, so `#1` and `#2024`
//   (issue numbers, years) are not tags.
import type { MarkdownIt, StateInline } from 'markdown-it';

export type HashTagMeta = {
  tag: string;
  pos: number;
};

const HASH = 0x23;
const BODY = /[\p{L}\p{N}\p{M}_\-/]+/uy;
const HAS_NON_DIGIT = /[^\d_\-/]/u;
const BEFORE = /[\s([{*_~"'“‘>]/u;

function hashTag(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src.charCodeAt(start) !== HASH) return false;
  if (start > 0 && !BEFORE.test(src[start - 1]!)) return false;
  BODY.lastIndex = start + 1;
  const m = BODY.exec(src);
  if (!m) return false;
  let body = m[0];
  if (start + 1 + body.length > state.posMax) body = body.slice(0, state.posMax - start - 1);
  const tag = body.replace(/[-/]+$/, '');
  if (!tag || !HAS_NON_DIGIT.test(tag)) return false;
  if (!silent) {
    const token = state.push('hashtag', '', 0);
    const meta: HashTagMeta = { tag, pos: start };
    token.meta = meta;
    token.content = `#${tag}`;
  }
  state.pos = start + 1 + tag.length;
  return true;
}

export function hashTagPlugin(md: MarkdownIt): void {
  md.inline.ruler.push('hashtag', hashTag);
}
