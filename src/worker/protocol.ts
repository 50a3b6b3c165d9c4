// The one protocol between the extension host thread and the vault worker thread.
// Both ends import these types; requests are correlated by id, and every request kind maps to
// exactly one result type (ResultOf), so neither side can answer with the wrong shape.
import type { ChatService } from '../app/chat/chatService';
import type { EmbeddingsService } from '../app/embeddings/embeddingsService';
import type { ModelsService } from '../app/models/modelsService';
import type { BookmarkStore } from '../vault/bookmarks/bookmarkStore';
import type { ConversationStore } from '../vault/conversations/conversationStore';

export type SearchMode = 'lexical' | 'hybrid';

/** Include/exclude globs and size limit, applied to full scans and to live updates alike. */
export interface IndexSettings {
  include: string[];
  exclude: string[];
  maxFileBytes: number;
  /** Follow symbolic links out of the workspace folders (never from an untrusted workspace's settings). */
  followExternalSymlinks?: boolean;
}

export interface VaultStats {
  files: number;
  chunks: number;
  skipped: number;
  /** Chunks with a vector for the active embedding model (0 when none is configured). */
  embedded: number;
  dbBytes: number;
}

export interface IndexProgress {
  phase: 'scanning' | 'indexing';
  /** Files handled so far and files to handle (total is 0 while still scanning). */
  done: number;
  total: number;
}

export interface IndexResult {
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  skipped: number;
  ms: number;
  cancelled: boolean;
}

export interface FileChange {
  kind: 'changed' | 'deleted' | 'renamed';
  /** Absolute path (for 'renamed', the new path). */
  path: string;
  /** For 'renamed': the old absolute path. */
  from?: string;
}

export interface ChangesResult {
  applied: number;
  /** Paths ignored because no root contains them or include/exclude rules reject them. */
  ignored: number;
}

export interface SearchResultItem {
  chunkId: number;
  root: string;
  path: string;
  title: string;
  heading: string;
  startLine: number;
  endLine: number;
  score: number;
  /** Snippet with matches wrapped in the SNIPPET_OPEN / SNIPPET_CLOSE markers. */
  snippet: string;
}

/** The query embedded by the engine (host side), for hybrid search over that model's vectors. */
export interface QueryEmbedding {
  /** The embedding model's key in the vault (its sha256), as the vectors are stored under. */
  modelKey: string;
  vector: number[];
}

export interface SearchResult {
  items: SearchResultItem[];
  /** The mode actually used: hybrid falls back to lexical when no embeddings can be used, with the reason. */
  mode: SearchMode;
  fallbackReason?: string;
  ms: number;
}

/** Private-use characters: they never occur in notes, so snippets can be split on them safely. */
export const SNIPPET_OPEN = '\u{E000}';
export const SNIPPET_CLOSE = '\u{E001}';

/** Damage the vault's checks found (open-time or full): the vault is then only read. */
export interface VaultDamage {
  problems: string[];
  /** Tables and indexes named by the problems. */
  affected: string[];
}

export interface HealthResult extends VaultDamage {
  ok: boolean;
  checked: string[];
  ms: number;
}

export interface RebuildResult {
  /** Rows carried into the new vault per kept table (bookmarks, conversations, ...). */
  copied: Record<string, number>;
  /** Rows that could not be read, per table. */
  lost: Record<string, number>;
  /** Where the damaged file was moved (kept for the user). */
  damagedCopy: string;
}

export type WorkerRequest =
  | { kind: 'open'; dbFile: string }
  | { kind: 'configure'; roots: string[]; settings: IndexSettings }
  | { kind: 'index' }
  | { kind: 'applyChanges'; changes: FileChange[] }
  | { kind: 'search'; query: string; mode: SearchMode; limit: number; embedding?: QueryEmbedding }
  | { kind: 'stats' }
  | { kind: 'service'; service: string; method: string; args: unknown[] }
  /** SQLite's full integrity check, in the background: on damage the vault stops being written. */
  | { kind: 'checkHealth' }
  /** Replaces a damaged vault by a fresh one holding its bookmarks, conversations, settings and model records. */
  | { kind: 'rebuild' }
  | { kind: 'close' };

/**
 * Services that live in the worker beside the vault (they share its one SQLite connection: a second
 * connection in the host thread would hit SQLite's lock while the worker writes), built by the
 * worker's services table (src/worker/services.ts). Calls are typed end to end:
 *   client.call('bookmarks', 'tree')   // -> Promise<ReturnType<BookmarkStore['tree']>>
 * Arguments and results cross the thread by structured clone (plain data only).
 */
export interface WorkerServices {
  bookmarks: BookmarkStore;
  conversations: ConversationStore;
  chat: ChatService;
  models: ModelsService;
  embeddings: EmbeddingsService;
}
export type ServiceName = keyof WorkerServices & string;
export type MethodName<S extends ServiceName> = {
  [M in keyof WorkerServices[S]]: WorkerServices[S][M] extends (...a: never[]) => unknown ? M : never
}[keyof WorkerServices[S]] & string;
type Fn<S extends ServiceName, M extends MethodName<S>> = WorkerServices[S][M] extends (...a: infer A) => infer R ? { args: A; result: Awaited<R> } : never;
export type ServiceArgs<S extends ServiceName, M extends MethodName<S>> = Fn<S, M>['args'];
export type ServiceResult<S extends ServiceName, M extends MethodName<S>> = Fn<S, M>['result'];

export interface OpenResult {
  readOnly: boolean;
  /** Why the vault was opened read-only (e.g. another window owns it, or it is damaged). */
  reason?: string;
  /** The open-time check found damage: the vault is only read. */
  damage?: VaultDamage;
}

interface ResultMap {
  open: OpenResult;
  configure: { roots: number };
  index: IndexResult;
  applyChanges: ChangesResult;
  search: SearchResult;
  stats: VaultStats;
  service: unknown;
  checkHealth: HealthResult;
  rebuild: RebuildResult;
  close: { closed: true };
}

export type RequestKind = WorkerRequest['kind'];
export type RequestOf<K extends RequestKind> = Extract<WorkerRequest, { kind: K }>;
export type ResultOf<K extends RequestKind> = ResultMap[K];

export interface WorkerErrorInfo {
  message: string;
  /** 'cancelled' for aborted requests, 'locked'/'corrupt' from SQLite, 'closed' before open, else 'error'. */
  code: 'cancelled' | 'locked' | 'corrupt' | 'closed' | 'bad-request' | 'error';
}

/** Host -> worker. */
export type HostMessage =
  | { type: 'request'; id: number; request: WorkerRequest }
  | { type: 'cancel'; id: number };

/** Worker -> host. */
export type WorkerMessage =
  | { type: 'response'; id: number; ok: true; result: ResultOf<RequestKind> }
  | { type: 'response'; id: number; ok: false; error: WorkerErrorInfo }
  | { type: 'progress'; id: number; progress: IndexProgress }
  | { type: 'stats'; stats: VaultStats }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

const KINDS: ReadonlySet<string> = new Set<RequestKind>(['open', 'configure', 'index', 'applyChanges', 'search', 'stats', 'service', 'checkHealth', 'rebuild', 'close']);

/** Structural check on what arrives over the thread boundary; returns an error text or undefined. */
export function validateHostMessage(msg: unknown): string | undefined {
  if (typeof msg !== 'object' || msg === null) return 'message is not an object';
  const m = msg as { type?: unknown; id?: unknown; request?: unknown };
  if (typeof m.id !== 'number' || !Number.isInteger(m.id)) return 'message id is not an integer';
  if (m.type === 'cancel') return undefined;
  if (m.type !== 'request') return `unknown message type ${String(m.type)}`;
  const r = m.request as { kind?: unknown } | null;
  if (typeof r !== 'object' || r === null || typeof r.kind !== 'string' || !KINDS.has(r.kind)) return 'unknown request kind';
  return undefined;
}
