import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConversationError, ConversationStore } from '../../../src/vault/conversations/conversationStore';
import { withDb } from './helpers';

test('conversations: create, append with sources and citations, stream updates, list, rename, delete', () =>
  withDb((db) => {
    const store = new ConversationStore(db);
    const a = store.create('  Ownership   questions ');
    assert.equal(a.title, 'Ownership questions');
    const b = store.create('Second');
    const u = store.append(a.id, { role: 'user', content: 'What is ownership?' });
    const m = store.append(a.id, { role: 'assistant', content: '', status: 'streaming', sources: [{ n: 1, root: '/r', path: 'o.md', startLine: 1, endLine: 5, heading: 'Ownership', title: 'O' }] });
    store.update(m.id, { content: 'Each value has an owner [1].', status: 'complete', citations: [{ n: 1, path: 'o.md', startLine: 1, endLine: 5 }] });
    const msgs = store.messages(a.id);
    assert.deepEqual(msgs.map((x) => [x.id, x.role, x.status]), [
      [u.id, 'user', 'complete'],
      [m.id, 'assistant', 'complete'],
    ]);
    assert.equal(msgs[1]!.content, 'Each value has an owner [1].');
    assert.deepEqual(msgs[1]!.citations, [{ n: 1, path: 'o.md', startLine: 1, endLine: 5 }]);
    assert.equal(msgs[1]!.sources[0]!.path, 'o.md');
    // Most recently active first.
    assert.deepEqual(store.list().map((c) => [c.id, c.messageCount]), [
      [a.id, 2],
      [b.id, 0],
    ]);
    store.rename(b.id, 'Renamed');
    assert.equal(store.get(b.id)!.title, 'Renamed');
    assert.throws(() => store.rename(b.id, '   '), ConversationError);
    assert.throws(() => store.append(999, { role: 'user', content: 'x' }), /no conversation 999/);
    assert.throws(() => store.append(a.id, { role: 'robot' as 'user', content: 'x' }), /Unknown message role/);
    assert.throws(() => store.update(m.id, { status: 'weird' as 'complete' }), /Unknown message status/);
    assert.equal(store.delete(a.id), true);
    assert.deepEqual(store.messages(a.id), [], 'messages go with their conversation');
    assert.equal(store.delete(a.id), false);
  }));
