// The inline answer's Markdown: model text cannot produce links, images or HTML; only real
// citations become command links, with their location encoded as the command's argument.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerToMarkdown, inlineAnswerMarkdown, OPEN_CITATION_COMMAND } from '../../../src/views/inline/answerMarkdown';

const c1 = { n: 1, root: '/w', path: 'notes/own.md', startLine: 3, endLine: 9 };
const c2 = { n: 2, root: '/w', path: 'b (x).md', startLine: 4, endLine: 4 };

function commandLinks(md: string): { label: string; args: unknown }[] {
  return [...md.matchAll(/\[((?:\\.|[^\]\\])*)\]\(command:([\w.]+)\?([^ )]+)/g)].map((m) => ({ label: m[1]!, args: JSON.parse(decodeURIComponent(m[3]!)), command: m[2] }))
    .map(({ label, args }) => ({ label, args }));
}

test('valid citations become command links carrying their location; invented ones stay text', () => {
  const md = answerToMarkdown('Ownership moves [1]. Borrowing [1, 2] and [7].', [c1, c2]);
  const links = commandLinks(md);
  assert.deepEqual(links.map((l) => l.label), ['1', '1', '2']);
  assert.deepEqual(links[0]!.args, [{ root: '/w', path: 'notes/own.md', startLine: 3, endLine: 9 }]);
  assert.deepEqual(links[2]!.args, [{ root: '/w', path: 'b (x).md', startLine: 4, endLine: 4 }]);
  assert.ok(md.includes(`command:${OPEN_CITATION_COMMAND}?`));
  assert.ok(md.includes('\\[7\\]'), md);
});

test('links, images, HTML and command links written by the model are neutralized', () => {
  const evil = [
    '[click](javascript:alert(1)) ![x](https://evil.example/p.png)',
    '<script>alert(1)</script> <img src=x onerror=alert(1)>',
    `[1](command:${OPEN_CITATION_COMMAND}?%5B%7B%22root%22%3A%22%2Fetc%22%7D%5D) <https://evil.example>`,
  ].join('\n');
  const md = answerToMarkdown(evil, [c1]);
  // No unescaped [ ] < > ! remain outside our own citation links.
  const withoutOurLinks = md.replace(/\[1\]\(command:[^ )]+ "[^"]*"\)/g, '');
  assert.doesNotMatch(withoutOurLinks, /(^|[^\\])[[\]<>!]/, withoutOurLinks);
  // The model's "[1](command:…)" became our citation for source 1 followed by inert text.
  const links = commandLinks(md);
  assert.equal(links.length, 1);
  assert.deepEqual(links[0]!.args, [{ root: '/w', path: 'notes/own.md', startLine: 3, endLine: 9 }]);
});

test('code spans and fences are left as written', () => {
  const md = answerToMarkdown('See `arr[1]` and\n```rust\nlet v = a[2];\n```\nthen [1].', [c1]);
  assert.ok(md.includes('`arr[1]`'));
  assert.ok(md.includes('let v = a[2];'));
  assert.equal(commandLinks(md).length, 1);
});

test('the full inline body: status lines, sources and Continue in chat', () => {
  const streaming = inlineAnswerMarkdown({ text: '', citations: [], status: 'streaming' });
  assert.match(streaming, /Searching the vault/);
  assert.doesNotMatch(streaming, /Continue in chat/);
  const done = inlineAnswerMarkdown({ text: 'It moves [1].', citations: [c1], status: 'complete', conversationId: 12 });
  assert.match(done, /\*\*Sources:\*\* \[\\\[1\\\] notes\/own\.md:3-9\]\(command:codexVault\.openCitation\?/);
  assert.match(done, /\[Continue in chat\]\(command:codexVault\.inline\.continueInChat\?%5B12%5D\)/);
  const stopped = inlineAnswerMarkdown({ text: 'It mo', citations: [], status: 'cancelled', conversationId: 3 });
  assert.match(stopped, /_Stopped\._/);
  const uncited = inlineAnswerMarkdown({ text: 'No idea.', citations: [], status: 'complete' });
  assert.match(uncited, /cites no source/);
  const failed = inlineAnswerMarkdown({ text: '', citations: [], status: 'error', error: 'model <b>gone</b>' });
  assert.match(failed, /\*\*Error:\*\* model \\<b\\>gone\\<\/b\\>/);
});

test('the sources line lists every source given, cited ones first', () => {
  const md = inlineAnswerMarkdown({ text: 'It moves [2].', citations: [c2], sources: [c1, c2], status: 'complete' });
  const line = md.split('\n\n').find((l) => l.startsWith('**Sources:**'))!;
  assert.ok(line.indexOf('b \\(x\\).md:4') < line.indexOf('notes/own.md:3-9'), line);
});

test('the inline answer says when meaning was searched for part of the vault only, or why words only', () => {
  const partial = inlineAnswerMarkdown({ text: 'It moves [1].', citations: [c1], status: 'complete', retrieval: { mode: 'hybrid', embedded: 40, total: 100, fallbackReason: null } });
  assert.match(partial, /_Searched by words and meaning, but only 40% of the notes have vectors yet \(40 of 100 passages\)/);
  const full = inlineAnswerMarkdown({ text: 'It moves [1].', citations: [c1], status: 'complete', retrieval: { mode: 'hybrid', embedded: 100, total: 100, fallbackReason: null } });
  assert.doesNotMatch(full, /Searched by/);
  const words = inlineAnswerMarkdown({ text: 'It moves [1].', citations: [c1], status: 'complete', retrieval: { mode: 'lexical', embedded: 0, total: 100, fallbackReason: 'the embedding model has no vectors in this vault yet' } });
  assert.match(words, /_Searched by words only: the embedding model has no vectors in this vault yet_/);
});

test('a citation the support check flags is labelled "n?", says so in its title, and the answer notes it', () => {
  const weak = { ...c2, support: { score: 0.1, similarity: null, supported: false, sentence: 'Bread is "baked" <b>here</b>' } };
  const strong = { ...c1, support: { score: 0.9, similarity: null, supported: true, sentence: 'Ownership moves' } };
  const md = inlineAnswerMarkdown({ text: 'Ownership moves [1]. Bread [2].', citations: [strong, weak], status: 'complete' });
  const links = commandLinks(md);
  assert.deepEqual(links.slice(0, 2).map((l) => l.label), ['1', '2?']);
  assert.match(md, /b \\\(x\\\)\.md:4 \\\(does not seem to say this\\\)"/);
  assert.match(md, /_A citation marked \? points at lines that do not seem to say what cites them\._/);
  assert.doesNotMatch(md, /<b>/, 'the sentence is not put in the Markdown');
  const fine = inlineAnswerMarkdown({ text: 'Ownership moves [1].', citations: [strong], status: 'complete' });
  assert.doesNotMatch(fine, /\?\]|marked \?/);
});
