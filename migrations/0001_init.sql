-- 0001: everything the product needs from day one.
-- Paths are stored relative to their workspace folder (root), with forward slashes.

CREATE TABLE roots (
  id          INTEGER PRIMARY KEY,
  path        TEXT NOT NULL UNIQUE,          -- absolute path of the workspace folder
  name        TEXT NOT NULL                  -- display name (folder name)
);

CREATE TABLE documents (
  id          INTEGER PRIMARY KEY,
  root_id     INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
  path        TEXT NOT NULL,                 -- relative to the root, forward slashes
  size        INTEGER NOT NULL,
  mtime_ms    INTEGER NOT NULL,
  hash        TEXT NOT NULL,                 -- sha256 of the file's bytes
  title       TEXT NOT NULL,
  tags        TEXT NOT NULL DEFAULT '[]',    -- JSON array: front matter tags and #tags
  aliases     TEXT NOT NULL DEFAULT '[]',    -- JSON array
  links       TEXT NOT NULL DEFAULT '[]',    -- JSON array of {target, kind: 'wiki'|'md', line}
  line_count  INTEGER NOT NULL DEFAULT 0,
  indexed_at  INTEGER NOT NULL,
  UNIQUE (root_id, path)
);
CREATE INDEX documents_hash ON documents(hash);

CREATE TABLE chunks (
  id          INTEGER PRIMARY KEY,
  doc_id      INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  ord         INTEGER NOT NULL,              -- position of the chunk in its document
  start_line  INTEGER NOT NULL,              -- 1-based, inclusive
  end_line    INTEGER NOT NULL,              -- 1-based, inclusive
  hash        TEXT NOT NULL,                 -- sha256 of `body`: the key of its embeddings
  -- The four FTS columns (names shared with chunks_fts, which reads them as external content):
  title       TEXT NOT NULL,                 -- the document's title
  headings    TEXT NOT NULL,                 -- heading path, joined with ' > '
  body        TEXT NOT NULL,
  tags        TEXT NOT NULL DEFAULT ''       -- space-separated tags, for matching
);
CREATE INDEX chunks_doc ON chunks(doc_id, ord);
CREATE INDEX chunks_hash ON chunks(hash);

CREATE VIRTUAL TABLE chunks_fts USING fts5(
  title, headings, body, tags,
  content = 'chunks', content_rowid = 'id',
  tokenize = 'porter unicode61 remove_diacritics 2',
  prefix = '2 3'
);
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
  INSERT INTO chunks_fts(rowid, title, headings, body, tags) VALUES (new.id, new.title, new.headings, new.body, new.tags);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, title, headings, body, tags) VALUES ('delete', old.id, old.title, old.headings, old.body, old.tags);
END;
CREATE TRIGGER chunks_au AFTER UPDATE ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, title, headings, body, tags) VALUES ('delete', old.id, old.title, old.headings, old.body, old.tags);
  INSERT INTO chunks_fts(rowid, title, headings, body, tags) VALUES (new.id, new.title, new.headings, new.body, new.tags);
END;

-- Vectors are keyed by the chunk's content hash and the model, not by chunk id: an edit that
-- re-chunks a file, or a rename, keeps every vector whose text did not change, and identical
-- chunks are embedded once. Vectors of different models never mix (model is part of the key).
CREATE TABLE embeddings (
  model       TEXT NOT NULL,                 -- embedding model key (its sha256)
  chunk_hash  TEXT NOT NULL,                 -- chunks.hash
  dim         INTEGER NOT NULL,
  vec_f32     BLOB NOT NULL,                 -- dim x float32, little-endian, L2-normalized
  vec_i8      BLOB NOT NULL,                 -- dim x int8 (symmetric quantization)
  scale       REAL NOT NULL,                 -- f32 ~= i8 * scale
  truncated   INTEGER NOT NULL DEFAULT 0,    -- 1 when the text was cut to the model's limit
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (model, chunk_hash)
) WITHOUT ROWID;

CREATE TABLE bookmarks (
  id            INTEGER PRIMARY KEY,
  parent_id     INTEGER REFERENCES bookmarks(id) ON DELETE CASCADE,  -- a folder, or NULL at top level
  kind          TEXT NOT NULL CHECK (kind IN ('folder', 'file', 'selection', 'search', 'answer')),
  label         TEXT NOT NULL,
  position      REAL NOT NULL,               -- order among siblings
  root_path     TEXT,                        -- absolute workspace folder path
  path          TEXT,                        -- relative path, forward slashes
  start_line    INTEGER,
  end_line      INTEGER,
  anchor_text   TEXT,                        -- the bookmarked text, to find it again after edits
  anchor_before TEXT,                        -- a line of context above
  anchor_after  TEXT,                        -- a line of context below
  status        TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'moved', 'lost')),
  payload       TEXT,                        -- JSON: query, answer text, citations
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX bookmarks_parent ON bookmarks(parent_id, position);

CREATE TABLE settings (
  key         TEXT PRIMARY KEY,
  value       TEXT NOT NULL                  -- JSON
);

CREATE TABLE conversations (
  id          INTEGER PRIMARY KEY,
  title       TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE messages (
  id              INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  role            TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
  content         TEXT NOT NULL,
  sources         TEXT NOT NULL DEFAULT '[]',  -- JSON: the numbered sources given to the model
  citations       TEXT NOT NULL DEFAULT '[]',  -- JSON: [{n, path, startLine, endLine}]
  status          TEXT NOT NULL DEFAULT 'complete' CHECK (status IN ('complete', 'cancelled', 'error', 'streaming')),
  created_at      INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, id);

-- Model files and their verification. The SHA-256 is computed once and remembered by
-- (path, size, mtime); a file whose size or mtime changed is hashed again.
CREATE TABLE models (
  path          TEXT PRIMARY KEY,            -- absolute path of the file
  size          INTEGER NOT NULL,
  mtime_ms      INTEGER NOT NULL,
  sha256        TEXT NOT NULL,
  source        TEXT NOT NULL CHECK (source IN ('manifest', 'local')),
  manifest_id   TEXT,                        -- the manifest entry it came from
  expected_sha256 TEXT,                      -- what the manifest promised (NULL for local files)
  status        TEXT NOT NULL CHECK (status IN ('verified', 'mismatch')),
  role          TEXT CHECK (role IN ('chat', 'embedding')),
  verified_at   INTEGER NOT NULL
);

-- Files the last scan passed over, and why (too large, binary, not UTF-8, unreadable, ...).
CREATE TABLE skipped_files (
  root_id     INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
  path        TEXT NOT NULL,
  reason      TEXT NOT NULL,
  PRIMARY KEY (root_id, path)
);
