// The chat's worker service end to end over a real vault file and the real tiny model, in the object
// graph the vault worker builds: an ask is stored (question, then answer with its sources), streamed
// as 'answer' events under the id it was given, cancellable with the partial answer kept, and a
// question the vault cannot answer gets the closest notes as clickable sources. What a question
// carries reaches the engine (its sampling, read back from the engine's own report), and a file
// named as context without its text is refused, never read from disk.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { titleFromQuestion } from '../../../src/app/chat/chatService';
import type { AnswerEvent, ChatAskRequest, ChatEvent } from '../../../src/app/chat/chatTypes';
import { EngineClient } from '../../../src/engine/client/engineClient';
import { Vault } from '../../../src/vault/vault';
import { parseFromHost } from '../../../src/views/protocol/chatProtocol';
import { composeTestApp, testModelsConfig, type TestApp } from '../../helpers/appGraph';
import { tempDir, tinyModel } from '../../helpers/paths';

const tmp = tempDir('cv-chat-');
const notes = join(tmp.dir, 'notes');
let vault: Vault;
let app: TestApp;
let engine: EngineClient;
let chat: TestApp['services']['chat'];

const NOTE = ['# Zorblax rules', '', '## The zorblax checker', '', 'The zorblax checker enforces that every zorblax value has exactly one owner.', ''].join('\n');

before(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(notes);
  writeFileSync(join(notes, 'zorblax.md'), NOTE);
  writeFileSync(join(notes, 'other.md'), '# Gardening\n\nTomatoes need sun and water.\n');
  vault = Vault.open(join(tmp.dir, 'vault.db'));
  await vault.indexRoots([notes]);
  app = composeTestApp(vault.db, { engine: (records) => (engine = new EngineClient({ records })) });
  app.services.models.configure(testModelsConfig(join(tmp.dir, 'models')));
  await app.services.models.addLocal(tinyModel, 'chat');
  chat = app.services.chat;
});

after(async () => {
  await app.dispose();
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

test('a strict answer has citations of given sources, each with its support check, kept when the conversation is reopened', { timeout: 60_000 }, async () => {
  const { events, ctx } = collector();
  const answer = await chat.ask({ ...request('What does the zorblax checker enforce?'), maxAnswerTokens: 160, temperature: 0.8, citations: 'strict' }, ctx);
  assert.ok(answer.citations.length > 0, answer.content);
  for (const c of answer.citations) {
    assert.ok(answer.sources.some((s) => s.n === c.n && s.path === c.path && s.startLine === c.startLine && s.root === c.root));
    assert.ok(c.support, `[${c.n}] has a support check`);
    assert.equal(typeof c.support.supported, 'boolean');
  }
  const start = events.find((e) => e.type === 'start');
  assert.ok(start && start.type === 'start');
  const stored = chat.getConversation(start.conversationId)!.messages[1]!;
  assert.deepEqual(stored.citations.map((c) => c.support), answer.citations.map((c) => c.support));
  await assert.rejects(chat.ask({ ...request('q'), citations: 'always' as 'strict' }, collector().ctx), /Citations must be strict or prompt/);
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

/** The 'answer' events of `answerId` until its last ('done' or 'error'), each handed to `onEvent` as it is emitted. */
function answerEvents(answerId: string, onEvent?: (e: AnswerEvent) => void): Promise<AnswerEvent[]> {
  const out: AnswerEvent[] = [];
  return new Promise((resolve) => {
    const stop = app.listen((x) => {
      if (x.topic !== 'answer' || x.answerId !== answerId) return;
      out.push(x.event);
      onEvent?.(x.event);
      if (x.event.type === 'done' || x.event.type === 'error') { stop(); resolve(out); }
    });
  });
}

test('startAsk: the answer streams as events under the id the host gave it, ending with the stored message; cancelAsk stops it', { timeout: 60_000 }, async () => {
  const streamed = answerEvents('answer-1');
  chat.startAsk('answer-1', request('What does the zorblax checker enforce?'));
  const events = await streamed;
  assert.deepEqual([events[0]!.type, events[1]!.type], ['start', 'sources']);
  const done = events.at(-1)!;
  assert.ok(done.type === 'done', JSON.stringify(done));
  assert.equal(events.filter((e) => e.type === 'token').map((e) => (e.type === 'token' ? e.text : '')).join(''), done.message.content);
  assert.equal(chat.cancelAsk('answer-1'), false, 'a finished answer is no longer running');
  assert.throws(() => chat.startAsk('no spaces allowed', request('q')), /letters, digits/);

  let cancelled = false;
  const second = answerEvents('answer-2', (e) => {
    if (e.type === 'token' && !cancelled) cancelled = chat.cancelAsk('answer-2');
  });
  chat.startAsk('answer-2', { ...request('Tell me about the zorblax checker owner rules'), maxAnswerTokens: 400 });
  assert.throws(() => chat.startAsk('answer-2', request('q')), /already running/, 'an id is not reused while its answer runs');
  const end = (await second).at(-1)!;
  assert.ok(cancelled && end.type === 'done', JSON.stringify(end));
  assert.equal(end.message.status, 'cancelled');
  assert.ok(end.message.content.length > 0, 'the partial answer is kept');
});

test('while an answer streams, its stored row reads as streaming with the text so far, not as an error', { timeout: 60_000 }, async () => {
  let seen: { status: string; content: string; streamed: string } | undefined;
  let streamedSoFar = '';
  const events = answerEvents('answer-3', (e) => {
    if (e.type === 'token') streamedSoFar += e.text;
    if (e.type !== 'token' || seen || streamedSoFar.length < 5) return;
    const start = app.events.find((x) => x.topic === 'answer' && x.answerId === 'answer-3' && x.event.type === 'start');
    const convId = start && start.topic === 'answer' && start.event.type === 'start' ? start.event.conversationId : -1;
    const row = chat.getConversation(convId)!.messages.at(-1)!;
    seen = { status: row.status, content: row.content, streamed: streamedSoFar };
    chat.cancelAsk('answer-3');
  });
  chat.startAsk('answer-3', { ...request('Tell me about the zorblax checker owner rules'), maxAnswerTokens: 400 });
  await events;
  assert.ok(seen, 'a token arrived');
  assert.equal(seen.status, 'streaming');
  assert.equal(seen.content, seen.streamed);
});

test('an answer stopped before the model starts ends at once as cancelled, in the shape the chat view accepts', { timeout: 60_000 }, async () => {
  let stopped = false;
  const events = answerEvents('answer-4', (e) => {
    // Stopped as soon as the question is stored: retrieval and the prompt come next, the model after.
    if (e.type === 'start') stopped = chat.cancelAsk('answer-4');
  });
  chat.startAsk('answer-4', { ...request('Tell me about the zorblax checker owner rules'), maxAnswerTokens: 400 });
  const all = await events;
  const end = all.at(-1)!;
  assert.ok(stopped && end.type === 'done', JSON.stringify(end));
  assert.equal(end.message.status, 'cancelled');
  assert.equal(all.filter((e) => e.type === 'token').length, 0, 'no text was generated after Stop');
  const checked = parseFromHost({ type: 'answerDone', answerId: 'answer-4', message: end.message });
  assert.ok(checked.ok, checked.ok ? '' : checked.error);
});

test('temperature, top-p, top-k and repeat penalty of a question are what the engine generated with', { timeout: 60_000 }, async () => {
  const ctx = { signal: new AbortController().signal, emit: () => undefined };
  const answer = await chat.ask({
    conversationId: null, question: 'What does the zorblax checker enforce?', context: [], vaultOnly: true,
    model: { path: tinyModel, contextSize: 1024, threads: 1 }, maxAnswerTokens: 16,
    temperature: 0.35, topP: 0.42, topK: 9, repeatPenalty: 1.25,
  }, ctx);
  assert.equal(answer.status, 'complete');
  const report = await engine.memory();
  const m = report.models.find((x) => x.file === tinyModel);
  assert.ok(m?.lastSampling, 'the engine reports the sampling of its last generation');
  assert.equal(m.lastSampling.temperature, 0.35);
  assert.equal(m.lastSampling.topP, 0.42);
  assert.equal(m.lastSampling.topK, 9);
  assert.equal(m.lastSampling.repeatPenalty, 1.25);
  assert.equal(m.lastSampling.maxTokens, 16);
});

test('a file named as context must come with its text (the host reads it): the worker reads no file a message names', { timeout: 60_000 }, async () => {
  const ctx = { signal: new AbortController().signal, emit: () => undefined };
  const before = chat.listConversations().length;
  await assert.rejects(chat.ask({
    conversationId: null, question: 'What is in this file?', context: [{ kind: 'file', root: '/', path: 'etc/passwd', label: 'passwd' }], vaultOnly: true,
    model: { path: tinyModel, contextSize: 1024, threads: 1 }, maxAnswerTokens: 8, temperature: 0,
  }, ctx), /etc\/passwd came without its text/);
  // The question is stored (it was asked), the answer as the error it was: nothing from the file.
  const conv = chat.getConversation(chat.listConversations()[0]!.id)!;
  assert.equal(chat.listConversations().length, before + 1);
  assert.equal(conv.messages.at(-1)?.status, 'error');
  assert.equal(conv.messages.at(-1)?.content, '');
});
