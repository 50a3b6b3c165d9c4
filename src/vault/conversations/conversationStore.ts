// Conversations and their messages (with the sources each answer was given and the citations
// it made) over the `conversations` / `messages` tables. Deleting a conversation deletes its
// messages (ON DELETE CASCADE). Every method takes and returns plain data, so the store can be
// called through the vault worker.
import type { SqliteDatabase } from '../db/sqlite';
import type { CitationRef, Conversation, Message, MessageRole, MessageStatus, NewMessage, SourceRef } from './types';

const ROLES: readonly MessageRole[] = ['user', 'assistant', 'system'];
const STATUSES: readonly MessageStatus[] = ['complete', 'cancelled', 'error', 'streaming'];
const MAX_TITLE = 200;

export class ConversationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversationError';
  }
}

interface MessageRow {
  id: number;
  conversation_id: number;
  role: string;
  content: string;
  sources: string;
  citations: string;
  status: string;
  created_at: number;
  [k: string]: string | number;
}

function cleanTitle(title: string): string {
  const t = String(title ?? '').replace(/\s+/g, ' ').trim();
  if (!t) throw new ConversationError('A conversation title cannot be empty.');
  return t.length > MAX_TITLE ? `${t.slice(0, MAX_TITLE - 1)}…` : t;
}

function parseJsonArray<T>(text: string): T[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

function toMessage(r: MessageRow): Message {
  return {
    id: Number(r.id),
    conversationId: Number(r.conversation_id),
    role: r.role as MessageRole,
    content: r.content,
    sources: parseJsonArray<SourceRef>(r.sources),
    citations: parseJsonArray<CitationRef>(r.citations),
    status: r.status as MessageStatus,
    createdAt: Number(r.created_at),
  };
}

export class ConversationStore {
  constructor(private readonly db: SqliteDatabase) {}

  create(title: string): Conversation {
    const now = Date.now();
    const t = cleanTitle(title);
    const { lastInsertRowid } = this.db.run('INSERT INTO conversations (title, created_at, updated_at) VALUES (?, ?, ?)', [t, now, now]);
    return { id: lastInsertRowid, title: t, createdAt: now, updatedAt: now, messageCount: 0 };
  }

  /** Newest activity first. */
  list(): Conversation[] {
    return this.db
      .all<{ id: number; title: string; created_at: number; updated_at: number; n: number }>(
        'SELECT c.id, c.title, c.created_at, c.updated_at, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS n FROM conversations c ORDER BY c.updated_at DESC, c.id DESC',
      )
      .map((r) => ({ id: Number(r.id), title: r.title, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), messageCount: Number(r.n) }));
  }

  get(id: number): Conversation | undefined {
    return this.list().find((c) => c.id === id);
  }

  rename(id: number, title: string): void {
    const r = this.db.run('UPDATE conversations SET title = ?, updated_at = ? WHERE id = ?', [cleanTitle(title), Date.now(), id]);
    if (r.changes === 0) throw new ConversationError(`There is no conversation ${id}.`);
  }

  delete(id: number): boolean {
    return this.db.run('DELETE FROM conversations WHERE id = ?', [id]).changes > 0;
  }

  append(conversationId: number, m: NewMessage): Message {
    if (!ROLES.includes(m.role)) throw new ConversationError(`Unknown message role "${String(m.role)}".`);
    const status = m.status ?? 'complete';
    if (!STATUSES.includes(status)) throw new ConversationError(`Unknown message status "${String(status)}".`);
    if (typeof m.content !== 'string') throw new ConversationError('A message needs text content.');
    return this.db.transaction(() => {
      const now = Date.now();
      const touched = this.db.run('UPDATE conversations SET updated_at = ? WHERE id = ?', [now, conversationId]);
      if (touched.changes === 0) throw new ConversationError(`There is no conversation ${conversationId}.`);
      const { lastInsertRowid } = this.db.run(
        'INSERT INTO messages (conversation_id, role, content, sources, citations, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [conversationId, m.role, m.content, JSON.stringify(m.sources ?? []), JSON.stringify(m.citations ?? []), status, now],
      );
      return { id: lastInsertRowid, conversationId, role: m.role, content: m.content, sources: m.sources ?? [], citations: m.citations ?? [], status, createdAt: now };
    });
  }

  /** Updates a message as its answer streams in and when it ends (complete, cancelled, error). */
  update(messageId: number, patch: { content?: string; citations?: CitationRef[]; sources?: SourceRef[]; status?: MessageStatus }): void {
    if (patch.status !== undefined && !STATUSES.includes(patch.status)) throw new ConversationError(`Unknown message status "${String(patch.status)}".`);
    const sets: string[] = [];
    const params: (string | number)[] = [];
    if (patch.content !== undefined) {
      sets.push('content = ?');
      params.push(patch.content);
    }
    if (patch.citations !== undefined) {
      sets.push('citations = ?');
      params.push(JSON.stringify(patch.citations));
    }
    if (patch.sources !== undefined) {
      sets.push('sources = ?');
      params.push(JSON.stringify(patch.sources));
    }
    if (patch.status !== undefined) {
      sets.push('status = ?');
      params.push(patch.status);
    }
    if (sets.length === 0) return;
    const r = this.db.run(`UPDATE messages SET ${sets.join(', ')} WHERE id = ?`, [...params, messageId]);
    if (r.changes === 0) throw new ConversationError(`There is no message ${messageId}.`);
  }

  messages(conversationId: number): Message[] {
    return this.db.all<MessageRow>('SELECT * FROM messages WHERE conversation_id = ? ORDER BY id', [conversationId]).map(toMessage);
  }
}
