-- 0002: the full-text index without FTS5 prefix indexes (0001 had prefix = '2 3').
-- Measured on 10k generated notes / 50k chunks: the two prefix indexes made every insert about
-- 1.6x more expensive in CPU and the database 24 MB larger, while prefix queries were no faster
-- (their cost is ranking the many matching rows, not finding the terms). Prefix search keeps
-- working: FTS5 then reads the range of terms that start with the prefix.
DROP TRIGGER chunks_ai;
DROP TRIGGER chunks_ad;
DROP TRIGGER chunks_au;
DROP TABLE chunks_fts;

CREATE VIRTUAL TABLE chunks_fts USING fts5(
  title, headings, body, tags,
  content = 'chunks', content_rowid = 'id',
  tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
  INSERT INTO chunks_fts(rowid, title, headings, body, tags) VALUES (new.id, new.title, new.headings, new.body, new.tags);
END;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, title, headings, body, tags) VALUES ('delete', old.id, old.title, old.headings, old.body, old.tags);
END;
-- Only a change of an indexed column re-indexes the row: moving a chunk's lines (an edit above
-- it in the file) updates ord/start_line/end_line without touching the FTS index.
CREATE TRIGGER chunks_au AFTER UPDATE OF title, headings, body, tags ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, title, headings, body, tags) VALUES ('delete', old.id, old.title, old.headings, old.body, old.tags);
  INSERT INTO chunks_fts(rowid, title, headings, body, tags) VALUES (new.id, new.title, new.headings, new.body, new.tags);
END;

-- Vaults indexed under 0001 keep their notes: rebuild the index from the chunks table.
INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild');
