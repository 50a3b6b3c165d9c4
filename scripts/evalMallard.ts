// Mallard (the XML of GNOME's help pages, https://projectmallard.org) to Markdown, for `npm run eval`:
// a help center the machine can install (Debian's gnome-user-docs) indexed as the vault indexes a
// user's notes. Only what a reader sees is kept: the page and section titles as headings, paragraphs,
// list and step items as list items, table rows as lines. The <info> blocks (link targets, credits,
// licence, the page's description for link lists), the generated link lists, media and the text
// meant only for GNOME Classic (an if:when testing platform:gnome-classic) are left out. Mallard
// is regular, well-formed XML with the five predefined entities, so a tag scanner does; this is a
// corpus step of the eval, not something the extension parses. (The XML parser already in the tree,
// sax, comes only through vsce and ships no types; @types/sax would add a README to node_modules,
// which is the npm-readmes set's corpus.)

const TAG = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<![^>]*>|<(\/?)([A-Za-z][\w:.-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>|[^<]+/g;

/** Elements whose content a reader does not see in the page body. */
const HIDDEN = new Set(['info', 'media', 'comment', 'credit', 'license', 'desc', 'revision', 'links']);
/** The test of a conditional branch shown only in GNOME Classic: the default desktop's text is kept. */
const CLASSIC_ONLY = /\btest\s*=\s*["']platform:gnome-classic["']/;
/** Elements that end a line of text. */
const BLOCK = new Set(['p', 'title', 'code', 'screen', 'td', 'th', 'tr', 'item', 'note', 'synopsis', 'example', 'quote', 'list', 'steps', 'terms', 'tree', 'table', 'section', 'page']);

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e] ?? '';
  });
}

export function mallardToMarkdown(xml: string): string {
  const lines: string[] = [];
  let text = '';
  let hidden = 0;
  let sections = 0;
  let inTitle = false;
  /** Open list items that have not written their first line yet (a bullet is owed). */
  const items: boolean[] = [];
  /** Open if:when branches, and whether each is hidden. */
  const branches: boolean[] = [];
  const flush = (): void => {
    const t = text.replace(/\s+/g, ' ').trim();
    text = '';
    if (!t) return;
    if (inTitle) {
      lines.push('', `${'#'.repeat(Math.min(6, sections + 1))} ${t}`, '');
    } else if (items.length > 0) {
      const owed = items[items.length - 1];
      items[items.length - 1] = false;
      lines.push(`${'  '.repeat(items.length - 1)}${owed ? '- ' : '  '}${t}`);
    } else {
      lines.push(t, '');
    }
  };
  for (const m of xml.matchAll(TAG)) {
    const [whole, cdata, close, rawName, attrs, selfClose] = m;
    if (rawName === undefined) {
      // Text, CDATA, or a comment, processing instruction or declaration (nothing to read).
      if (hidden === 0) text += cdata ?? (whole.startsWith('<') ? '' : decode(whole));
      continue;
    }
    if (rawName === 'if:when' && !selfClose) {
      if (close) {
        if (branches.pop()) hidden--;
      } else {
        const classic = CLASSIC_ONLY.test(attrs ?? '');
        branches.push(classic);
        if (classic) hidden++;
      }
      continue;
    }
    const name = rawName.replace(/^[\w.-]+:/, '');
    if (HIDDEN.has(name)) {
      if (selfClose) continue;
      hidden += close ? -1 : 1;
      continue;
    }
    if (hidden > 0 || !BLOCK.has(name)) {
      // Inline markup (gui, key, link, em, cmd, ...) keeps its text; a word break where tags meet.
      if (hidden === 0 && !close && !selfClose && /^(key|gui|keyseq)$/.test(name) && /\S$/.test(text)) text += ' ';
      continue;
    }
    flush();
    // A title inside a list item is a term of a definition list: the item's first line, not a heading.
    if (name === 'title') inTitle = !close && !selfClose && items.length === 0;
    if (name === 'section' && !selfClose) sections += close ? -1 : 1;
    if (name === 'item' && !selfClose) {
      if (close) items.pop();
      else items.push(true);
    }
    if (close && items.length === 0 && /^(list|steps|terms|tree)$/.test(name)) lines.push('');
  }
  flush();
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}
