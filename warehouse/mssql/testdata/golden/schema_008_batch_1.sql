-- genexp warehouse, schema version 8 (SQL Server 2022): each batch records
-- how refine.bio scaled its values. The same change as the DuckDB
-- backend's version 9 makes to meta_batch.
--
-- refine.bio can scale a download's values (its aggregated_metadata.json
-- says scale_by: NONE, MINMAX, STANDARD or ROBUST): with anything but NONE
-- each gene's values were rescaled across the download's samples, so they
-- are neither the technology's scale nor comparable with another study's.
-- meta_batch.scale_by keeps what the metadata said for the content a batch
-- holds (NULL when it did not say: sample sheets and older JSON do not).
-- Earlier batches keep NULL.

ALTER TABLE dbo.meta_batch ADD scale_by NVARCHAR(16) NULL;
