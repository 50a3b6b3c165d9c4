// toFtsQuery: user text -> an FTS5 expression with every term quoted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentTerms, parseQuery, toFtsQuery } from '../../../src/vault/search/ftsQuery';

test('plain words are quoted and all required', () => {
  assert.equal(toFtsQuery('ownership borrowing'), '"ownership" AND "borrowing"');
  assert.equal(toFtsQuery('  spaced   out  '), '"spaced" AND "out"');
  assert.equal(toFtsQuery('ownership borrowing', { match: 'any' }), '"ownership" OR "borrowing"');
});

test('operators and punctuation typed by users become text', () => {
  assert.equal(toFtsQuery('NOT -draft'), '"NOT" AND "-draft"');
  assert.equal(toFtsQuery('title:rust (x)'), '"title:rust" AND "(x)"');
  assert.equal(toFtsQuery('C++ ^start NEAR(a'), '"C++" AND "^start" AND "NEAR(a"');
  assert.equal(toFtsQuery('ownership AND borrowing'), '"ownership" AND "borrowing"', 'AND is implied');
  assert.equal(toFtsQuery('cats OR dogs pets'), '("cats" OR "dogs") AND "pets"');
  assert.equal(toFtsQuery('OR dogs'), '"dogs"', 'a dangling OR is dropped');
});

test('phrases, unclosed quotes and embedded quotes', () => {
  assert.equal(toFtsQuery('"dangling reference" rust'), '"dangling reference" AND "rust"');
  assert.equal(toFtsQuery('"unclosed phrase'), '"unclosed" AND "phrase"');
  assert.equal(toFtsQuery('it"s'), '"it" AND "s"');
  assert.equal(toFtsQuery('""'), null);
});

test('prefixes: explicit word*, and the last word while typing', () => {
  assert.equal(toFtsQuery('own*'), '"own"*');
  assert.equal(toFtsQuery('ownership borrowi', { prefixLast: true }), '"ownership" AND ("borrowi" OR "borrowi"* OR "borrow" OR "borro")');
  assert.equal(toFtsQuery('borr', { prefixLast: true }), '("borr" OR "borr"* OR "bor")', 'never a prefix shorter than the typed word');
  assert.equal(toFtsQuery('abc', { prefixLast: true }), '("abc" OR "abc"*)');
  assert.equal(toFtsQuery('ab', { prefixLast: true }), '"ab"', 'two letters are too few to expand');
  assert.equal(toFtsQuery('ownership ', { prefixLast: true }), '"ownership"', 'a trailing space finishes the word');
  assert.equal(toFtsQuery('"a phrase"', { prefixLast: true }), '"a phrase"');
});

test('text with nothing searchable gives null', () => {
  for (const q of ['', '   ', '()', '-', '*', '"', ':', '🦀', '@#$%', '\u0000', 'AND']) assert.equal(toFtsQuery(q), null, JSON.stringify(q));
  assert.equal(parseQuery('a b OR c "d e"').terms.length, 3);
});

test('function and question words are marked per language; every term is kept when nothing else is left', () => {
  const content = (q: string): string[] => contentTerms(parseQuery(q)).map((t) => t.text);
  assert.deepEqual(content('How do I share data between threads?'), ['share', 'data', 'threads?']);
  assert.deepEqual(content("What's the difference between a crate and a package"), ['difference', 'crate', 'package']);
  assert.deepEqual(content('what is it'), ['what', 'is', 'it'], 'only stopwords: all of them are searched');
  // Indefinite pronouns stand for what the asker cannot name yet: they are no topic.
  assert.deepEqual(content("How do I run something as someone else?"), ['run']);
  assert.deepEqual(content('nothing'), ['nothing'], 'alone, it is still searched');
  assert.deepEqual(content('如何压缩一个文件夹'), ['压缩', '文件夹'], 'a word with synonyms that ICU cuts (文件|夹) is one term');
  assert.deepEqual(content('如何压缩一个文件'), ['压缩', '文件']);
  assert.deepEqual(content('ファイルを削除するにはどうすればいいですか'), ['ファイル', '削除']);
  assert.deepEqual(content('ไฟล์อยู่ที่ไหน'), ['ไฟล์']);
  assert.deepEqual(content('파일을 어떻게 압축하나요'), ['파일을', '압축하나요']);
  // Explicit syntax is never dropped, even when made of stopwords.
  assert.deepEqual(content('"to be" OR what'), ['to be OR what']);
  assert.deepEqual(parseQuery('rust how').terms.map((t) => t.stop), [false, true], 'no topic word is a stopword');
});

test('scripts without spaces are split into words; a phrase keeps its words in order; Korean stems match as prefixes', () => {
  assert.equal(toFtsQuery('压缩文件'), '"压缩" AND "文件"');
  assert.equal(toFtsQuery('使用git提交'), '"使用" AND "git" AND "提交"');
  assert.equal(toFtsQuery('"压缩文件"'), '"压缩 文件"');
  assert.equal(toFtsQuery('ファイル*'), '"ファイル"*');
  assert.equal(toFtsQuery('파일을 압축하는'), '("파일을" OR "파일"*) AND ("압축하는" OR "압축"*)');
  assert.equal(toFtsQuery('집'), '"집"', 'one syllable is not expanded');
});

test('a repeated term is matched once (any case), and counted as often as it was typed', async () => {
  const { distinctExprs } = await import('../../../src/vault/search/ftsQuery');
  assert.equal(toFtsQuery('File file FILE data'), '"File" AND "data"');
  assert.deepEqual(distinctExprs(contentTerms(parseQuery('file data FILE'))), [{ expr: '"file"', times: 2 }, { expr: '"data"', times: 1 }]);
});

test('lone Han characters of a word the segmenter did not know also match words starting with them; nothing else does', () => {
  const near = (q: string): string[] => parseQuery(q).terms.filter((t) => t.prefixExpr).map((t) => `${t.text}:${t.prefixExpr}`);
  // ICU's dictionary does not know 截屏 ("screenshot"): it is cut into 截|屏.
  assert.deepEqual(near('安卓截屏'), ['安:"安"*', '卓:"卓"*', '截:"截"*', '屏:"屏"*']);
  assert.equal(toFtsQuery('截屏'), '"截" AND "屏"', 'the words themselves are still what every term requires');
  assert.deepEqual(near('如何列出隐藏的文件'), [], 'known words and function words (的) are no unknown word');
  assert.deepEqual(near('远程服务器上的文件'), [], 'one lone character beside a function word is not a run');
  assert.deepEqual(near('截 屏'), [], 'characters typed as separate words are words');
  assert.deepEqual(near('隠しファイルを表示'), [], 'a lone kana is a syllable, not a word');
  for (const q of ['"截屏"', '截屏*', '截 OR 屏']) assert.deepEqual(near(q), [], `explicit syntax keeps its meaning: ${q}`);
});

test('a plain word carries the other words for the same thing; explicit syntax, typing and stopwords do not', () => {
  const syn = (q: string, opts = {}): string[] => parseQuery(q, opts).terms.filter((t) => t.synonyms).map((t) => `${t.text}:${t.synonyms!.join('|')}`);
  assert.deepEqual(syn('delete a folder'), ['delete:remove|erase', 'folder:directory']);
  assert.deepEqual(syn('Folders'), ['Folders:directory'], 'a plural, in any case, is looked up as its singular');
  assert.deepEqual(syn('colour settings'), ['colour:color', 'settings:configuration|config|preferences']);
  assert.equal(toFtsQuery('delete a folder'), '"delete" AND "a" AND "folder"', 'the expression of the words themselves is unchanged');
  for (const q of ['"folder"', 'folder*', 'folder OR directory']) assert.deepEqual(syn(q), [], `explicit syntax keeps its meaning: ${q}`);
  assert.deepEqual(syn('delete fold', { prefixLast: true }), ['delete:remove|erase'], 'a word still being typed is a prefix, not a word');
  assert.deepEqual(syn('ownership borrowing'), [], 'most words have none');
  // Chinese and Japanese: a listed word ICU cuts in pieces (文件夹 -> 文件|夹) is one term, its pieces a phrase.
  assert.deepEqual(syn('如何删除文件夹'), ['删除:移除', '文件夹:目录']);
  assert.equal(parseQuery('如何删除文件夹').terms.find((t) => t.text === '文件夹')?.expr, '"文件 夹"');
  assert.deepEqual(syn('フォルダーを削除'), ['フォルダー:フォルダ|ディレクトリ|ディレクトリー', '削除:消去']);
  assert.deepEqual(syn('폴더를 삭제하려면'), ['폴더를:디렉터리|디렉토리', '삭제하려면:제거'], 'Korean: looked up without the particle or ending');
});
