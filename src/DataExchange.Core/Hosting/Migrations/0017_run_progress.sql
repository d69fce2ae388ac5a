-- Progress of a running run (issue 18, item 4): the runner writes its counts so far every
-- Ingestion:ProgressInterval while it reads, so the API, dx and the console can show them.
-- phase: reading (parse, validate, stage) | publishing (de-duplicate, diff, publish); null before the first report.
-- payload_bytes: the spooled payload's size; bytes_read: how far the reader is into it (compressed bytes for gzip).
alter table dx.ingestion_runs
    add column phase text,
    add column payload_bytes bigint,
    add column bytes_read bigint,
    add column progress_at timestamptz;
