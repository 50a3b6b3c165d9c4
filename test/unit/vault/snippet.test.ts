// Snippets picked from FTS5's highlight() output: the window with the most distinct matches,
// markers kept inside it, bounded length, and time linear in the chunk however many matches it has.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { snippetFromHighlight } from '../../../src/vault/search/snippet';

const opts = { markers: ['[', ']'] as const, ellipsis: '…', tokens: 8 };
const marked = (s: string): string => s.replace(/\[/g, '\u0002').replace(/\]/g, '\u0003');

test('the window holds the most distinct matches, centred, with ellipses where text was left out', () => {
  const text = marked('one [two] three four five six seven eight nine ten [alpha] eleven [beta] twelve thirteen fourteen [alpha] fifteen sixteen seventeen');
  // Two distinct words and a repeat beat the lone "two"; the matches fill the window from its middle.
  assert.equal(snippetFromHighlight(text, opts), '…[alpha] eleven [beta] twelve thirteen fourteen [alpha] fifteen…');
  assert.equal(snippetFromHighlight(marked('a b c d e f g h i j [k] l m n o p q r s t'), opts), '…h i j [k] l m n o…');
  // No match in the body (found by title or heading): its beginning.
  assert.equal(snippetFromHighlight('a b c d e f g h i j k', opts), 'a b c d e f g h…');
  assert.equal(snippetFromHighlight(marked('short [text]'), opts), 'short [text]');
  // A phrase is one mark across its words; the caller's markers replace the internal ones.
  assert.equal(snippetFromHighlight(marked('x [dangling reference] y'), { ...opts, markers: ['<b>', '</b>'] }), 'x <b>dangling reference</b> y');
});

test('Chinese counts each character as a unit; very long words are cut to a bounded snippet around the match', () => {
  const zh = marked('所有权是最独特的功能[内存]安全不需要垃圾回收器就可以保证的语言特性之一');
  const s = snippetFromHighlight(zh, opts);
  assert.ok(s.includes('[内存]'), s);
  assert.ok([...s.replace(/[[\]…]/g, '')].length <= 8, s);
  const long = marked(`${'x'.repeat(5000)} [needle] ${'y'.repeat(5000)}`);
  const cut = snippetFromHighlight(long, opts);
  assert.ok(cut.includes('[needle]') && cut.length <= 400 + 8, `${cut.length} chars`);
  // Never half a character at a cut.
  const emoji = marked(`${'😀'.repeat(3000)} [needle] ${'😀'.repeat(3000)}`);
  assert.doesNotMatch(snippetFromHighlight(emoji, opts), /^…?[\udc00-\udfff]|[\ud800-\udbff]…?$/);
});

test('a chunk full of matches costs a single pass: highlight() plus the window, not snippet()\'s square of the matches', () => {
  const db = SqliteDatabase.open(':memory:');
  try {
    db.exec("CREATE VIRTUAL TABLE f USING fts5(body, tokenize = 'porter unicode61 remove_diacritics 2')");
    // 750 one-letter words: FTS5's snippet() scores each of the 750 matches against all the others.
    db.run('INSERT INTO f(body) VALUES (?)', [Array.from({ length: 750 }, () => 'a').join(' ')]);
    const row = db.get<{ h: string }>("SELECT highlight(f, 0, char(2), char(3)) AS h FROM f WHERE f MATCH 'a'")!;
    const s = snippetFromHighlight(row.h, { markers: ['«', '»'], ellipsis: '…', tokens: 16 });
    assert.equal(s, `${Array.from({ length: 16 }, () => '«a»').join(' ')}…`);
  } finally {
    db.close();
  }
});
