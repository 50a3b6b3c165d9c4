// The one protocol between the extension host thread and the vault worker thread.
// Both ends import these types; requests are correlated by id, and every request kind maps to
// exactly one result type (ResultOf), so neither side can answer with the wrong shape.
import type { GroundingService } from '../app/ask/groundingService';
import type { ChatService } from '../app/chat/chatService';
import type { EmbeddingsService } from '../app/embeddings/embeddingsService';
import type { ModelsService } from '../app/models/modelsService';
import type { AppEvent } from '../app/events';
import type { BookmarkStore } from '../vault/bookmarks/bookmarkStore';
import type { NoteReader } from '../vault/notes/noteReader';
import type { RelatedNotes } from '../vault/related/relatedNotes';

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
  /** upgrading: a new schema re-indexes the notes once, while the vault opens (chunks, not files). */
  phase: 'scanning' | 'indexing' | 'upgrading';
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

/** Which notes a search may return: every condition given holds (absent: no condition). */
export interface SearchFilter {
  /** Only notes whose path, relative to their folder, starts with this. */
  pathPrefix?: string;
  /** Only notes with this tag (front matter tags or #tags). */
  tag?: string;
  /** Only notes of these folders (absolute paths, as configured); empty or absent: all folders. */
  roots?: string[];
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
  | { kind: 'search'; query: string; mode: SearchMode; limit: number; embedding?: QueryEmbedding; filter?: SearchFilter }
  | { kind: 'stats' }
  | { kind: 'service'; service: string; method: string; args: unknown[] }
  /** SQLite's full integrity check, in the background: on damage the vault stops being written. */
  | { kind: 'checkHealth' }
  /** Replaces a damaged vault by a fresh one holding its bookmarks, conversations, settings and model records. */
  | { kind: 'rebuild' }
  | { kind: 'close' };

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** A database read or write, or a call that only starts work in the background. */
const QUICK = 30 * SECOND;
/** Hashing a model file of several gigabytes. */
const HASHING = 20 * MINUTE;

/**
 * The methods the host may call on each service the worker hosts, each with the longest it may take
 * (null: no limit; it runs until done or cancelled and reports progress as events). Anything not
 * listed here (dispose, internals) is refused by the worker, and does not type-check on the host.
 */
export const SERVICE_METHODS = {
  bookmarks: {
    tree: QUICK, get: QUICK, addFile: QUICK, addSelection: QUICK, addSearchResult: QUICK, addAnswer: QUICK, createFolder: QUICK,
    rename: QUICK, deleteMany: QUICK, moveMany: QUICK, moveBy: QUICK, resolve: QUICK, resolveFile: QUICK, renamePath: QUICK,
  },
  chat: {
    listConversations: QUICK, getConversation: QUICK, answerToBookmark: QUICK, renameConversation: QUICK, deleteConversation: QUICK,
    startAsk: QUICK, cancelAsk: QUICK,
  },
  models: {
    // configure may restart the engine (threads, GPU) or load the chat model again (context size).
    configure: 11 * MINUTE, list: 2 * MINUTE, download: null, cancelDownload: QUICK, verify: HASHING, addLocal: HASHING, cancelVerify: QUICK,
    // The engine's own load limit (10 min) plus a margin, so the engine's clearer message comes first.
    load: 11 * MINUTE, unload: MINUTE, remove: MINUTE,
  },
  embeddings: { start: QUICK, pause: QUICK, resume: QUICK, cancel: QUICK, status: QUICK },
  notes: { read: QUICK },
  grounding: { gather: QUICK },
  related: { find: QUICK },
} as const satisfies { [S in keyof ServiceImpls]: { [M in keyof ServiceImpls[S]]?: number | null } };

/** The classes behind the services (built by the worker's composition root, src/worker/compose.ts). */
export interface ServiceImpls {
  bookmarks: BookmarkStore;
  chat: ChatService;
  models: ModelsService;
  embeddings: EmbeddingsService;
  notes: NoteReader;
  grounding: GroundingService;
  related: RelatedNotes;
}

/**
 * The services as the host sees them: only their allow-listed methods. They share the vault's one
 * SQLite connection (a second connection in the host thread would hit SQLite's lock while the
 * worker writes). Calls are typed end to end:
 *   client.call('bookmarks', 'tree')   // -> Promise<ReturnType<BookmarkStore['tree']>>
 * Arguments and results cross the thread by structured clone (plain data only).
 */
export type WorkerServices = { [S in keyof ServiceImpls]: Pick<ServiceImpls[S], keyof (typeof SERVICE_METHODS)[S] & keyof ServiceImpls[S]> };
export type ServiceName = keyof WorkerServices & string;
export type MethodName<S extends ServiceName> = keyof (typeof SERVICE_METHODS)[S] & keyof WorkerServices[S] & string;
type Fn<S extends ServiceName, M extends MethodName<S>> = WorkerServices[S][M] extends (...a: infer A) => infer R ? { args: A; result: Awaited<R> } : never;
export type ServiceArgs<S extends ServiceName, M extends MethodName<S>> = Fn<S, M>['args'];
export type ServiceResult<S extends ServiceName, M extends MethodName<S>> = Fn<S, M>['result'];

/** The limit of a service call in ms (null: none), or undefined when the method is not allowed. */
export function serviceTimeout(service: string, method: string): number | null | undefined {
  const methods = (SERVICE_METHODS as Record<string, Record<string, number | null>>)[service];
  return methods && Object.hasOwn(methods, method) ? methods[method] : undefined;
}

/** How long each built-in request may take (ms); `index` is limited by the time between its progress reports. */
export const REQUEST_TIMEOUTS: Record<Exclude<RequestKind, 'service'>, number> = {
  open: 2 * MINUTE,
  configure: MINUTE,
  index: 5 * MINUTE,
  applyChanges: 2 * MINUTE,
  search: QUICK,
  stats: QUICK,
  // SQLite's full check reads every page; a rebuild copies what it keeps into a fresh file.
  checkHealth: 10 * MINUTE,
  rebuild: 10 * MINUTE,
  close: 15 * SECOND,
};

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
  /**
   * 'cancelled' for aborted requests, 'locked'/'corrupt' from SQLite, 'closed' before open, 'timeout'
   * when the host stopped waiting, else 'error'.
   */
  code: 'cancelled' | 'locked' | 'corrupt' | 'closed' | 'bad-request' | 'timeout' | 'error';
}

/** What the worker streams to a subscriber: the app services' events, the vault's figures, its log. */
export type WorkerEvent =
  | AppEvent
  | { topic: 'stats'; stats: VaultStats }
  | { topic: 'log'; level: 'info' | 'warn' | 'error'; message: string };
export type EventTopic = WorkerEvent['topic'];
export type EventOf<T extends EventTopic> = Extract<WorkerEvent, { topic: T }>;
export const EVENT_TOPICS: readonly EventTopic[] = ['answer', 'embeddings', 'models', 'stats', 'log'];

/** Host -> worker. A subscription streams the events of its topics until unsubscribed. */
export type HostMessage =
  | { type: 'request'; id: number; request: WorkerRequest }
  | { type: 'cancel'; id: number }
  | { type: 'subscribe'; id: number; topics: EventTopic[] }
  | { type: 'unsubscribe'; id: number };

/** Worker -> host. */
export type WorkerMessage =
  | { type: 'response'; id: number; ok: true; result: ResultOf<RequestKind> }
  | { type: 'response'; id: number; ok: false; error: WorkerErrorInfo }
  | { type: 'progress'; id: number; progress: IndexProgress }
  | { type: 'event'; subscription: number; event: WorkerEvent };

const KINDS: ReadonlySet<string> = new Set<RequestKind>(['open', 'configure', 'index', 'applyChanges', 'search', 'stats', 'service', 'checkHealth', 'rebuild', 'close']);
const TOPICS: ReadonlySet<string> = new Set(EVENT_TOPICS);

/** Structural check on what arrives over the thread boundary; returns an error text or undefined. */
export function validateHostMessage(msg: unknown): string | undefined {
  if (typeof msg !== 'object' || msg === null) return 'message is not an object';
  const m = msg as { type?: unknown; id?: unknown; request?: unknown; topics?: unknown };
  if (typeof m.id !== 'number' || !Number.isInteger(m.id)) return 'message id is not an integer';
  if (m.type === 'cancel' || m.type === 'unsubscribe') return undefined;
  if (m.type === 'subscribe') {
    return Array.isArray(m.topics) && m.topics.every((t) => typeof t === 'string' && TOPICS.has(t)) ? undefined : 'unknown event topic';
  }
  if (m.type !== 'request') return `unknown message type ${String(m.type)}`;
  const r = m.request as { kind?: unknown; service?: unknown; method?: unknown; args?: unknown } | null;
  if (typeof r !== 'object' || r === null || typeof r.kind !== 'string' || !KINDS.has(r.kind)) return 'unknown request kind';
  if (r.kind === 'service') {
    if (typeof r.service !== 'string' || typeof r.method !== 'string' || serviceTimeout(r.service, r.method) === undefined) {
      return `unknown service method ${String(r.service)}.${String(r.method)}`;
    }
    if (!Array.isArray(r.args)) return 'service arguments are not an array';
  }
  return undefined;
}
