-- 0003: the indexer writes the full-text rows of a batch's new chunks in one statement.
-- FTS5 flushes its pending terms to disk at every statement savepoint, and inside a transaction
-- every INSERT INTO chunks that fires a trigger writing chunks_fts opens one: the per-row trigger
-- wrote one tiny segment per chunk, then merged them. Measured on 10k generated notes / 50k
-- chunks (batches of 200 files): the trigger made the inserts cost ~6.1 s of CPU, one
-- INSERT INTO chunks_fts ... SELECT per batch ~3.9 s, the same index and file size.
--
-- While fts_deferred holds its one row, chunks_ai stands aside. Only the indexer sets it, inside
-- its batch transaction, and removes it (after inserting the batch's FTS rows) before the
-- commit, so a killed indexer rolls the row back with the rest of the batch. Every other writer
-- (live updates, tools, tests) gets the trigger as before.
CREATE TABLE fts_deferred (
  id          INTEGER PRIMARY KEY CHECK (id = 1)
);

DROP TRIGGER chunks_ai;
CREATE TRIGGER chunks_ai AFTER INSERT ON chunks WHEN NOT EXISTS (SELECT 1 FROM fts_deferred) BEGIN
  INSERT INTO chunks_fts(rowid, title, headings, body, tags) VALUES (new.id, new.title, new.headings, new.body, new.tags);
END;

-- documents.hash is only read row by row (the indexer keeps the stored hashes in memory), so its
-- index was never used, while every new note wrote a random-order entry into it: with the
-- rollback journal that is a page journaled and written again at every batch commit.
DROP INDEX documents_hash;
