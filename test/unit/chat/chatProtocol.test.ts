// The webview <-> host protocol's runtime checks: what each side accepts and the errors it gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFromHost, parseFromWebview } from '../../../src/views/protocol/chatProtocol';

const loc = { root: '/w', path: 'notes/a.md', startLine: 3, endLine: 9 };

test('valid webview requests pass and keep their fields', () => {
  const ask = { type: 'ask', id: 7, conversationId: null, question: 'What is ownership?', context: [{ kind: 'selection', root: '/w', path: 'a.md', startLine: 1, endLine: 2, text: 'x', label: 'a.md:1-2' }], vaultOnly: true };
  const r = parseFromWebview(ask);
  assert.ok(r.ok);
  assert.deepEqual(r.value, ask);
  assert.ok(parseFromWebview({ type: 'openLocation', id: 1, location: loc }).ok);
  assert.ok(parseFromWebview({ type: 'cancel', id: 2, answerId: '0b6c8a4e-1f2d-4d1e-9a61-3c2b7e9f4d10' }).ok);
  assert.ok(parseFromWebview({ type: 'pickModel', id: 3, role: 'embedding' }).ok);
});

test('unknown types, missing ids, wrong field types and extra fields are refused with the field named', () => {
  const cases: [unknown, RegExp][] = [
    [{ type: 'runShell', id: 1 }, /type: unknown type/],
    [null, /expected an object/],
    ['ready', /expected an object/],
    [{ type: 'ready' }, /^id: expected an integer/],
    [{ type: 'ready', id: 1.5 }, /^id: expected an integer/],
    [{ type: 'ready', id: -1 }, /^id: integer -1 outside/],
    [{ type: 'cancel', id: 1, answerId: 7 }, /^answerId: expected a string/],
    [{ type: 'cancel', id: 1, ['ask' + 'Id']: 7 }, /^(answerId: expected a string|askId: unexpected field)/],
    [{ type: 'ready', id: 1, extra: true }, /^extra: unexpected field/],
    [{ type: 'openLocation', id: 1, location: { ...loc, startLine: 0 } }, /^location\.startLine: integer 0 outside/],
    [{ type: 'ask', id: 1, conversationId: null, question: 'q', context: [{ kind: 'url', root: '/', path: 'a', label: 'a' }], vaultOnly: true }, /^context\[0\]\.kind: expected one of file, selection/],
    [{ type: 'ask', id: 1, conversationId: null, question: 'x'.repeat(20_001), context: [], vaultOnly: true }, /^question: string longer than 20000/],
    [{ type: 'selectModel', id: 1, role: 'vision', modelId: 'm' }, /^role: expected one of chat, embedding/],
    [{ type: '__proto__', id: 1 }, /unknown type/],
  ];
  for (const [input, re] of cases) {
    const r = parseFromWebview(input);
    assert.equal(r.ok, false, JSON.stringify(input)?.slice(0, 80));
    if (!r.ok) assert.match(r.error, re);
  }
});

test('host events are checked the same way', () => {
  const message = { id: 4, role: 'assistant', content: 'Ownership [1].', sources: [{ n: 1, ...loc, headings: 'A > B', text: 'body' }], citations: [{ n: 1, ...loc }], status: 'complete', createdAt: 1 };
  assert.ok(parseFromHost({ type: 'answerDone', answerId: 'a-7', message }).ok);
  assert.ok(parseFromHost({ type: 'token', answerId: 'a-7', text: 'Own' }).ok);
  assert.ok(parseFromHost({ type: 'response', id: 7, error: null }).ok);
  assert.ok(parseFromHost({ type: 'response', id: 7, error: null, answerId: 'a-7' }).ok, 'an ask is answered with its answer id');
  assert.equal(parseFromHost({ type: 'token', askId: 7, text: 'Own' }).ok, false, 'answers are named by the host\'s id, not a page request id');
  const bad = parseFromHost({ type: 'answerDone', answerId: 'a-7', message: { ...message, status: 'done' } });
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.match(bad.error, /^message\.status: expected one of complete/);
  const badCite = parseFromHost({ type: 'answerDone', answerId: 'a-7', message: { ...message, citations: [{ n: 1, ...loc, href: 'javascript:alert(1)' }] } });
  assert.equal(badCite.ok, false);
  if (!badCite.ok) assert.match(badCite.error, /^message\.citations\[0\]\.href: unexpected field/);
});

test('optional fields may be absent but not of the wrong type', () => {
  const base = { id: 1, role: 'assistant', content: '', sources: [], citations: [], status: 'cancelled', createdAt: 0 };
  assert.ok(parseFromHost({ type: 'answerDone', answerId: 'a-1', message: base }).ok);
  assert.ok(parseFromHost({ type: 'answerDone', answerId: 'a-1', message: { ...base, notFound: true, invented: [9] } }).ok);
  const r = parseFromHost({ type: 'answerDone', answerId: 'a-1', message: { ...base, notFound: 'yes' } });
  assert.equal(r.ok, false);
});
