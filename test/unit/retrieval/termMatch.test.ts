import assert from 'node:assert/strict';
import { test } from 'node:test';
import { termCoverage } from '../../../src/vault/retrieval/termMatch';

test('term coverage: one word of a two-word question is weak evidence, both words are strong', () => {
  const note = 'Use a capital letter at the start of a type name.';
  assert.ok(termCoverage(['capital', 'mongolia'], note) < 0.5, 'one of two words must stay under the relevance bar');
  assert.ok(termCoverage(['capital', 'letter'], note) >= 0.5);
  assert.equal(termCoverage(['capital'], note), 0.5, 'a one-word question that matches passes the bar');
  assert.equal(termCoverage(['borrowing', 'references', 'ownership', 'moves'], 'References borrow; a move transfers ownership.'), 1);
  assert.equal(termCoverage([], note), 0);
});

test('query words and term coverage in Thai, Japanese, Chinese and Korean: marks kept, words segmented, particles off', async () => {
  const { queryTerms } = await import('../../../src/vault/retrieval/queryTerms');
  assert.deepEqual(queryTerms('ลบไฟล์ที่ติดไวรัส'), ['ลบ', 'ไฟล์', 'ติด', 'ไวรัส'], 'Thai vowel signs stay');
  assert.deepEqual(queryTerms('ダウンロード速度'), ['ダウンロード', '速度'], 'voicing marks stay');
  assert.equal(termCoverage(queryTerms('ลบไฟล์ที่ติดไวรัส'), 'สแกนไฟล์และลบไฟล์ที่ติดไวรัสทั้งหมด'), 1);
  assert.equal(termCoverage(queryTerms('如何压缩文件'), '创建一个压缩文件并将其写入文件'), 2 / 3, 'both words of a two-word question');
  assert.equal(termCoverage(queryTerms('파일을 압축하려면'), '파일이 압축된다'), 2 / 3);
  assert.deepEqual(queryTerms('Café naïve'), ['cafe', 'naive'], 'Latin accents fold as in the index');
});

test('term coverage counts a word where the note says it another way, as search matches it (folder -> directory)', async () => {
  const { queryTerms } = await import('../../../src/vault/retrieval/queryTerms');
  assert.equal(termCoverage(queryTerms('How do I delete a folder?'), 'Remove an empty directory.'), 2 / 3);
  assert.equal(termCoverage(queryTerms('How do I delete a folder?'), 'Plant an empty garden.'), 0);
  assert.equal(termCoverage(queryTerms('change the colours'), 'Edit the colors of the theme.'), 2 / 3, 'both words, in the two-word scale');
  assert.deepEqual(queryTerms('怎么删除文件夹'), ['删除', '文件夹'], 'a listed word ICU cuts (文件|夹) is one word');
  assert.equal(termCoverage(queryTerms('怎么删除文件夹'), '删除空目录。'), 2 / 3);
  assert.equal(termCoverage(queryTerms('怎么删除文件夹'), '删除一个文件夹。'), 2 / 3, 'the word itself, cut as the text is');
  assert.equal(termCoverage(queryTerms('폴더를 삭제하려면'), '빈 디렉토리를 제거합니다.'), 2 / 3, 'Korean, particles off');
});

test('three to five neighbouring words count where the text uses their acronym, as search matches them', () => {
  assert.equal(termCoverage(['cross', 'origin', 'resource', 'sharing', 'middleware'], 'Turn on CORS with one line of middleware.'), 1);
  assert.equal(termCoverage(['json', 'web', 'token'], 'Sign a JWT with your key.'), 1);
  assert.equal(termCoverage(['json', 'web', 'token'], 'Sign a message with your key.'), 0);
  assert.equal(termCoverage(['pull', 'request'], 'Open a PR.'), 0, 'two initials are too often a word of their own');
});
