-- genexp warehouse, schema version 9 (DuckDB): each batch records how
-- refine.bio scaled its values.
--
-- refine.bio can scale a download's values (its aggregated_metadata.json
-- says scale_by: NONE, MINMAX, STANDARD or ROBUST): with anything but NONE
-- each gene's values were rescaled across the download's samples, so they
-- are neither the technology's scale nor comparable with another study's.
-- meta_batch.scale_by keeps what the metadata said for the content a batch
-- holds (NULL when it did not say: sample sheets and older JSON do not),
-- staged with the batch in staging.load_batches. Earlier batches keep NULL.
--
-- Neither table has a column default that calls a function, so DuckDB
-- 1.5.6 replays these ALTERs from its write-ahead log (see
-- 004_load_signature.sql).

ALTER TABLE meta_batch ADD COLUMN scale_by VARCHAR;

ALTER TABLE staging.load_batches ADD COLUMN scale_by VARCHAR;
