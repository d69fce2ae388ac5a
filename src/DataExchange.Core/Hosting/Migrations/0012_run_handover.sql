-- Runs that are accepted must happen (issue 13, items 14 and 15).
-- job_ticket: the one Hangfire job allowed to execute the run carries it; a hand-over or a recovery issues a
--   new one, so a late or duplicate job finds itself superseded and does nothing.
-- job_id: that job's Hangfire id, which the recovery sweep asks Hangfire about.
-- waiting_since: set while the run waits behind an earlier run of its dataset (audited run-deferred), until a
--   run that ends hands the dataset over to it.
alter table dx.ingestion_runs
    add column job_ticket uuid not null default gen_random_uuid(),
    add column job_id text,
    add column waiting_since timestamptz;

-- The queue of each dataset, oldest first: the hand-over and the sweep read only its head.
create index ingestion_runs_queued on dx.ingestion_runs (dataset_id, id) where status = 'queued';
