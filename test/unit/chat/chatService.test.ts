// The chat's worker service end to end over a real vault file and the real tiny model: an ask is
// stored (question, then answer with its sources), streamed, cancellable with the partial answer
// kept, and a question the vault cannot answer gets the closest notes as clickable sources.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { addLocalModel } from '../../../src/engine/verify/verifyModelFile';
import { ChatService, titleFromQuestion } from '../../../src/app/chat/chatService';
import type { ChatAskRequest, ChatEvent } from '../../../src/app/chat/chatTypes';
import { engineFor } from '../../../src/app/models/modelsService';
import { ModelRecords } from '../../../src/app/models/modelRecords';
import { Vault } from '../../../src/vault/vault';
import { tempDir, tinyModel } from '../../helpers/paths';

const tmp = tempDir('cv-chat-');
const notes = join(tmp.dir, 'notes');
let vault: Vault;
let chat: ChatService;

const NOTE = ['# Zorblax rules', '', '## The zorblax checker', '', 'The zorblax checker enforces that every zorblax value has exactly one owner.', ''].join('\n');

before(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(notes);
  writeFileSync(join(notes, 'zorblax.md'), NOTE);
  writeFileSync(join(notes, 'other.md'), '# Gardening\n\nTomatoes need sun and water.\n');
  vault = Vault.open(join(tmp.dir, 'vault.db'));
  await vault.indexRoots([notes]);
  await addLocalModel(new ModelRecords(vault.db), tinyModel, { role: 'chat' });
  chat = new ChatService(vault.db);
});

after(async () => {
  await engineFor(vault.db).dispose();
  vault.close();
  tmp.cleanup();
});

function request(question: string, conversationId: number | null = null): ChatAskRequest {
  return { conversationId, question, context: [], vaultOnly: true, model: { path: tinyModel, contextSize: 1024, threads: 1 }, maxAnswerTokens: 64, temperature: 0 };
}

function collector(signal = new AbortController().signal): { events: ChatEvent[]; ctx: { signal: AbortSignal; emit(e: ChatEvent): void } } {
  const events: ChatEvent[] = [];
  return { events, ctx: { signal, emit: (e) => events.push(e) } };
}

test('titles come from the question', () => {
  assert.equal(titleFromQuestion('  What is\nthis?'), 'What is');
  assert.equal(titleFromQuestion('x'.repeat(100)).length, 58);
});

test('an ask creates a conversation, streams tokens and stores both messages with the sources', { timeout: 60_000 }, async () => {
  const { events, ctx } = collector();
  const answer = await chat.ask(request('What does the zorblax checker enforce?'), ctx);
  const start = events.find((e) => e.type === 'start');
  assert.ok(start && start.type === 'start');
  assert.equal(start.title, 'What does the zorblax checker enforce?');
  assert.equal(start.userMessage.content, 'What does the zorblax checker enforce?');
  const tokens = events.filter((e) => e.type === 'token');
  assert.ok(tokens.length > 1, 'streamed in more than one piece');
  assert.equal(tokens.map((t) => (t.type === 'token' ? t.text : '')).join(''), answer.content);
  assert.equal(answer.status, 'complete');
  assert.equal(answer.role, 'assistant');
  const src = answer.sources.find((s) => s.path === 'zorblax.md');
  assert.ok(src, 'the zorblax note was a source');
  assert.equal(src.root, notes);
  assert.match(src.text, /exactly one owner/);
  // Stored: the conversation lists it, and reopening gives both messages with the source's text.
  const list = chat.listConversations();
  assert.equal(list[0]!.id, start.conversationId);
  const conv = chat.getConversation(start.conversationId)!;
  assert.deepEqual(conv.messages.map((m) => [m.role, m.status]), [['user', 'complete'], ['assistant', 'complete']]);
  assert.equal(conv.messages[1]!.content, answer.content);
  assert.match(conv.messages[1]!.sources.find((s) => s.path === 'zorblax.md')!.text, /exactly one owner/);

  // A follow-up goes into the same conversation.
  const again = collector();
  await chat.ask(request('And who owns it?', start.conversationId), again.ctx);
  assert.equal(chat.getConversation(start.conversationId)!.messages.length, 4);
});

test('cancelling mid-answer keeps and stores the partial answer as cancelled', { timeout: 60_000 }, async () => {
  const ac = new AbortController();
  const events: ChatEvent[] = [];
  const answer = await chat.ask({ ...request('Tell me about the zorblax checker owner rules'), maxAnswerTokens: 400 }, {
    signal: ac.signal,
    emit: (e) => { events.push(e); if (e.type === 'token') ac.abort(); },
  });
  assert.equal(answer.status, 'cancelled');
  const streamed = events.filter((e) => e.type === 'token').map((e) => (e.type === 'token' ? e.text : '')).join('');
  assert.ok(streamed.length > 0);
  assert.ok(answer.content.startsWith(streamed.slice(0, 1)), 'the partial answer is kept');
  const start = events.find((e) => e.type === 'start');
  assert.ok(start && start.type === 'start');
  const stored = chat.getConversation(start.conversationId)!.messages[1]!;
  assert.equal(stored.status, 'cancelled');
  assert.equal(stored.content, answer.content);
});

test('a question the vault does not answer gets the closest notes as sources, not a model answer', { timeout: 60_000 }, async () => {
  const { events, ctx } = collector();
  const answer = await chat.ask(request('zorblax quantum chromodynamics lattice renormalization'), ctx);
  assert.equal(answer.notFound, true);
  assert.equal(events.filter((e) => e.type === 'token').length, 0, 'the model was not asked');
  assert.match(answer.content, /does not seem to contain this/);
  assert.ok(answer.citations.some((c) => c.path === 'zorblax.md' && c.root === notes), 'the closest note is a clickable source');
});

test('a selection as context becomes source 1', { timeout: 60_000 }, async () => {
  const { ctx } = collector();
  const answer = await chat.ask({ ...request('What is this about?'), context: [{ kind: 'selection', root: notes, path: 'other.md', startLine: 3, endLine: 3, text: 'Tomatoes need sun and water.', label: 'other.md:3' }] }, ctx);
  const first = answer.sources.find((s) => s.n === 1);
  assert.ok(first);
  assert.deepEqual([first.path, first.startLine, first.endLine], ['other.md', 3, 3]);
});

test('bad requests are refused with a clear error and store nothing', async () => {
  const before = chat.listConversations().length;
  await assert.rejects(chat.ask(request('   '), collector().ctx), /The question is empty/);
  await assert.rejects(chat.ask({ ...request('q'), model: { path: 'relative.gguf', contextSize: 1024 } }, collector().ctx), /No chat model/);
  await assert.rejects(chat.ask(request('q', 999_999), collector().ctx), /There is no conversation 999999/);
  assert.equal(chat.listConversations().length, before);
  assert.throws(() => chat.renameConversation(1, '  '), /needs a title/);
  assert.throws(() => chat.deleteConversation(999_999), /no conversation/);
});

test('startAsk + poll: events arrive in order by long polling, the answer with the last poll; cancelAsk stops it', { timeout: 60_000 }, async () => {
  const run = chat.startAsk(request('What does the zorblax checker enforce?'));
  const events: ChatEvent[] = [];
  let cursor = 0;
  let last;
  for (let i = 0; i < 10_000; i++) {
    last = await chat.poll(run, cursor, 1000);
    events.push(...last.events);
    cursor = last.next;
    if (last.done) break;
  }
  assert.ok(last?.done && last.result, 'the run ended with a result');
  assert.equal(events[0]!.type, 'start');
  assert.equal(events.filter((e) => e.type === 'token').map((e) => (e.type === 'token' ? e.text : '')).join(''), last.result.content);
  await assert.rejects(chat.poll(run, cursor), /no running answer/, 'a finished run is dropped after its last poll');

  const run2 = chat.startAsk({ ...request('Tell me about the zorblax checker owner rules'), maxAnswerTokens: 400 });
  let p = await chat.poll(run2, 0, 5000);
  let c = p.next;
  while (!p.done && !p.events.some((e) => e.type === 'token')) { p = await chat.poll(run2, c, 5000); c = p.next; }
  assert.equal(p.done, false, 'still generating after its first token');
  assert.equal(chat.cancelAsk(run2), true);
  while (!p.done) { p = await chat.poll(run2, c, 5000); c = p.next; }
  assert.equal(p.result?.status, 'cancelled');
  assert.ok((p.result?.content ?? '').length > 0, 'the partial answer is kept');
  assert.equal(chat.cancelAsk(12345), false);
});
