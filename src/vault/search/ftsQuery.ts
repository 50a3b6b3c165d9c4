// User text -> FTS5 MATCH expression that can never be a syntax error.
//
// FTS5 gives meaning to quotes, parentheses, AND/OR/NOT/NEAR, '-', '+', '*', ':', '^' and more;
// people type all of them ("C++", "-draft", "what's new?", "a:b"). Every term is therefore emitted
// as a quoted FTS5 string (inner quotes doubled), which FTS5 treats as plain text for its
// tokenizer. What the user may still express:
//   "exact phrase"   a phrase (an unclosed quote just starts ordinary words);
//   word*            a prefix;
//   (prefixLast)     the last word, once it has 3 letters, also as a prefix (search as you type);
//   a OR b           either word (OR in capitals, as in web search engines);
//   AND              ignored (all words are required anyway).
// Terms without any letter or digit (e.g. "--", "()", "&") cannot produce a token and are dropped.

export interface FtsQueryOptions {
  /** Match the last word as a prefix too (search as you type). Not applied after a trailing space. */
  prefixLast?: boolean;
  /** 'all' (default): every term required. 'any': at least one term. */
  match?: 'all' | 'any';
}

interface Term {
  text: string;
  phrase: boolean;
  prefix: boolean;
}

/** Characters the unicode61 tokenizer keeps in tokens: letters, numbers, private use. */
const TOKEN_CHAR = /[\p{L}\p{N}\p{Co}]/u;
/** Keeps the expression small enough to stay fast whatever is pasted into the box. */
const MAX_TERMS = 32;

const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

function termExpr(t: Term, prefixLast: boolean): string {
  if (t.phrase) return quote(t.text);
  if (t.prefix) return `${quote(t.text)}*`;
  // One or two letters would match (and rank) a large part of the vault on every keystroke.
  if (prefixLast && [...t.text].length >= 3) {
    // The index holds porter stems ("borrowing" -> "borrow"), which a half-typed word may have
    // already run past ("borrowi"): match the word itself (stemmed), anything it starts, and
    // anything starting with it less its last two letters.
    const alts = [quote(t.text), `${quote(t.text)}*`];
    const chars = [...t.text];
    if (chars.length >= 4 && /^[\p{L}\p{N}]+$/u.test(t.text)) alts.push(`${quote(chars.slice(0, Math.max(3, chars.length - 2)).join(''))}*`);
    return `(${alts.join(' OR ')})`;
  }
  return quote(t.text);
}

/** Splits user text into terms and OR markers. */
function lex(text: string): (Term | 'OR')[] {
  // Control characters (NUL included) are never meaningful in a query.
  const s = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  const out: (Term | 'OR')[] = [];
  const pushWord = (w: string): void => {
    if (w === 'OR') return void out.push('OR');
    if (w === 'AND') return;
    const prefix = w.length > 1 && w.endsWith('*');
    const body = w.replace(/\*+$/, '');
    if (TOKEN_CHAR.test(body)) out.push({ text: body, phrase: false, prefix });
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const end = s.indexOf('"', i + 1);
      if (end !== -1) {
        const inner = s.slice(i + 1, end).trim();
        if (TOKEN_CHAR.test(inner)) out.push({ text: inner, phrase: true, prefix: false });
        i = end + 1;
        continue;
      }
      i++; // an unclosed quote: the rest is ordinary words
      continue;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j]!) && s[j] !== '"') j++;
    pushWord(s.slice(i, j));
    i = j;
  }
  return out;
}

/** Groups terms: `a OR b c` -> [[a, b], [c]]. */
function group(userText: string): Term[][] {
  const tokens = lex(userText);
  const groups: Term[][] = [];
  let joinNext = false;
  for (const t of tokens) {
    if (t === 'OR') {
      joinNext = groups.length > 0;
      continue;
    }
    if (joinNext) groups[groups.length - 1]!.push(t);
    else groups.push([t]);
    joinNext = false;
  }
  return groups;
}

/** Returns the MATCH expression, or null when the text holds nothing searchable. */
export function toFtsQuery(userText: string, opts: FtsQueryOptions = {}): string | null {
  const text = typeof userText === 'string' ? userText : '';
  const groups = group(text);
  if (groups.length === 0) return null;
  const limited = groups.slice(0, MAX_TERMS);
  const typingLast = Boolean(opts.prefixLast) && !/\s$/.test(text) && groups.length <= MAX_TERMS;
  const parts = limited.map((g, gi) => {
    const isLastGroup = gi === limited.length - 1;
    const exprs = g.map((t, ti) => termExpr(t, typingLast && isLastGroup && ti === g.length - 1));
    return exprs.length === 1 ? exprs[0]! : `(${exprs.join(' OR ')})`;
  });
  return distinct(parts).join(opts.match === 'any' ? ' OR ' : ' AND ');
}

/**
 * Each part once: a term repeated (in any case, which the tokenizer folds) matches nothing more,
 * but FTS5 would read its positions once per repeat, and a pasted "a a a …" would cost up to
 * MAX_TERMS times the dearest word.
 */
function distinct(parts: readonly string[]): string[] {
  const seen = new Set<string>();
  return parts.filter((p) => {
    const key = p.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** How many separate terms (or OR-groups) the text has: 'any' matching only helps when > 1. */
export function termCount(userText: string): number {
  return Math.min(group(typeof userText === 'string' ? userText : '').length, MAX_TERMS);
}
