-- Issue 4: admin-managed feed hosts (merged with Feeds:AllowedHosts), quarantine replay.

create table dx.feed_hosts (
    host      text primary key,             -- lower-case IDN host name
    added_by  text not null,                -- client id of the admin
    added_at  timestamptz not null
);

alter table dx.ingestion_runs
    add column replay_of  bigint references dx.ingestion_runs (id),  -- trigger 'replay': the run whose quarantine is re-read
    add column csv_header text[];                                     -- the payload's CSV header, so a replay can re-read raw rows
