-- 0004: a full-text index that finds words in every script, and a note by any of its names.
--
-- - Chinese, Japanese and Thai are written without spaces, and unicode61 makes one token of a
--   whole run of such text, so a word inside a sentence could never be found. The index now
--   reads a copy of that text with its words separated (U+200B between them, found by ICU's
--   word segmenter; src/vault/search/segmenter.ts); the chunk keeps its own text for display,
--   hashing, prompts and line numbers. The copies live in chunks.fts_* and are NULL where the
--   text needs none, so most chunks store nothing twice.
-- - The title column also holds the words of the file name the title lacks (chunks.fts_title).
-- - unicode61 counts combining marks (M*) as token characters: Thai, Hindi and other scripts
--   whose vowel signs are marks were cut into pieces at every sign ("คอมพิวเตอร์" -> "คอมพ",
--   "วเตอร"), and highlights could fall between a letter and its mark. remove_diacritics 2 still
--   folds Latin accents, decomposed ones included.
--
-- Existing vaults are re-indexed once, inside this migration's transaction: the step
-- fill_fts_columns computes the fts_ columns of every chunk and writes the full-text rows in
-- batches, reporting progress (src/vault/search/ftsUpgrade.ts). A kill rolls it all back; the
-- next open runs it again.
DROP TRIGGER chunks_ai;
DROP TRIGGER chunks_ad;
DROP TRIGGER chunks_au;
DROP TABLE chunks_fts;

ALTER TABLE chunks ADD COLUMN fts_title TEXT;      -- NULL: the index reads title
ALTER TABLE chunks ADD COLUMN fts_headings TEXT;   -- NULL: the index reads headings
ALTER TABLE chunks ADD COLUMN fts_body TEXT;       -- NULL: the index reads body

-- What chunks_fts indexes (its external content): the same four columns as before.
CREATE VIEW chunks_fts_source AS
  SELECT id, coalesce(fts_title, title) AS title, coalesce(fts_headings, headings) AS headings, coalesce(fts_body, body) AS body, tags
  FROM chunks;

CREATE VIRTUAL TABLE chunks_fts USING fts5(
  title, headings, body, tags,
  content = 'chunks_fts_source', content_rowid = 'id',
  tokenize = "porter unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
);

-- @step fill_fts_columns

CREATE TRIGGER chunks_ai AFTER INSERT ON chunks WHEN NOT EXISTS (SELECT 1 FROM fts_deferred) BEGIN
  INSERT INTO chunks_fts(rowid, title, headings, body, tags)
  VALUES (new.id, coalesce(new.fts_title, new.title), coalesce(new.fts_headings, new.headings), coalesce(new.fts_body, new.body), new.tags);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, title, headings, body, tags)
  VALUES ('delete', old.id, coalesce(old.fts_title, old.title), coalesce(old.fts_headings, old.headings), coalesce(old.fts_body, old.body), old.tags);
END;
CREATE TRIGGER chunks_au AFTER UPDATE OF title, headings, body, tags, fts_title, fts_headings, fts_body ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, title, headings, body, tags)
  VALUES ('delete', old.id, coalesce(old.fts_title, old.title), coalesce(old.fts_headings, old.headings), coalesce(old.fts_body, old.body), old.tags);
  INSERT INTO chunks_fts(rowid, title, headings, body, tags)
  VALUES (new.id, coalesce(new.fts_title, new.title), coalesce(new.fts_headings, new.headings), coalesce(new.fts_body, new.body), new.tags);
END;
