-- 0005: the active embedding model, its coverage kept by the database, and vectors stamped with
-- the embeddings generation that wrote them.
--
-- The vault's stats found the active model by scanning for the newest vector (every row of
-- `embeddings` carries two BLOBs, so that read the whole table: 291 ms at 20k vectors, after
-- every save) and then counted covered chunks with one probe per chunk. Now the active model is
-- a row of its own and its count of covered chunks is kept up to date by triggers, so reading
-- coverage costs the same at any size.
-- "Has this chunk text a vector of that model?" is asked once per chunk (these triggers, the
-- backfill's pending chunks, coverage): through the primary key each probe reads a leaf of the
-- table, whose rows carry two BLOBs; this narrow index answers it from small pages (20k probes:
-- ~4 s through the primary key, ~0.2-0.6 s through it, measured here under load).
CREATE INDEX embeddings_key ON embeddings(chunk_hash, model);

CREATE TABLE embedding_coverage (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  model       TEXT NOT NULL,              -- the active embedding model's key
  embedded    INTEGER NOT NULL            -- chunks whose text has a vector of that model
);

-- An existing vault starts with the model written last (what the stats used to find).
INSERT INTO embedding_coverage (id, model, embedded)
  SELECT 1, m.model, (SELECT count(*) FROM chunks c WHERE EXISTS (SELECT 1 FROM embeddings e INDEXED BY embeddings_key WHERE e.model = m.model AND e.chunk_hash = c.hash))
  FROM (SELECT model FROM embeddings ORDER BY created_at DESC LIMIT 1) m;

-- A chunk counts when its text has a vector of the active model (a probe of embeddings_key).
CREATE TRIGGER embedding_coverage_chunk_ai AFTER INSERT ON chunks BEGIN
  UPDATE embedding_coverage SET embedded = embedded + 1
    WHERE EXISTS (SELECT 1 FROM embeddings e INDEXED BY embeddings_key WHERE e.model = embedding_coverage.model AND e.chunk_hash = new.hash);
END;
CREATE TRIGGER embedding_coverage_chunk_ad AFTER DELETE ON chunks BEGIN
  UPDATE embedding_coverage SET embedded = embedded - 1
    WHERE EXISTS (SELECT 1 FROM embeddings e INDEXED BY embeddings_key WHERE e.model = embedding_coverage.model AND e.chunk_hash = old.hash);
END;
CREATE TRIGGER embedding_coverage_chunk_au AFTER UPDATE OF hash ON chunks BEGIN
  UPDATE embedding_coverage SET embedded = embedded
      - EXISTS (SELECT 1 FROM embeddings e INDEXED BY embeddings_key WHERE e.model = embedding_coverage.model AND e.chunk_hash = old.hash)
      + EXISTS (SELECT 1 FROM embeddings e INDEXED BY embeddings_key WHERE e.model = embedding_coverage.model AND e.chunk_hash = new.hash);
END;
-- A vector of the active model covers every chunk with its text. Vectors are written with an
-- upsert (never INSERT OR REPLACE, whose delete fires no trigger), so a replaced vector is an
-- UPDATE and counts once.
CREATE TRIGGER embedding_coverage_vec_ai AFTER INSERT ON embeddings BEGIN
  UPDATE embedding_coverage SET embedded = embedded + (SELECT count(*) FROM chunks WHERE hash = new.chunk_hash)
    WHERE model = new.model;
END;
CREATE TRIGGER embedding_coverage_vec_ad AFTER DELETE ON embeddings BEGIN
  UPDATE embedding_coverage SET embedded = embedded - (SELECT count(*) FROM chunks WHERE hash = old.chunk_hash)
    WHERE model = old.model;
END;

-- The embeddings generation (settings 'embeddings.generation') that wrote each vector, so a
-- loaded vector index appends what was written since it loaded instead of reading every vector
-- again. Vectors from before this migration have 0.
ALTER TABLE embeddings ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
CREATE INDEX embeddings_generation ON embeddings(model, generation);
