-- Deletions are deliberate (issue 12).
-- kept: published records a snapshot left unchanged because their key's row was rejected in that run.
alter table dx.ingestion_runs add column kept_count bigint not null default 0;

-- A run held for a steward (status 'held'): the version its diff was computed against. Release
-- publishes only while that is still the dataset's latest version; otherwise the diff is stale.
create table dx.held_runs (
    run_id        bigint primary key references dx.ingestion_runs (id),
    dataset_id    text not null references dx.datasets (id),
    base_version  int not null,              -- 0 when nothing had been published
    reason        text not null,
    held_at       timestamptz not null
);

-- The held run's changes, exactly as staged: the stage is a temp table that dies with the run's
-- connection, so release rebuilds it from here. op I | U | D; hash and data null for D. No primary
-- key on key: keys can be longer than a btree entry (2.7 kB); release reads one run's rows as a set.
create table dx.held_changes (
    run_id   bigint not null references dx.held_runs (run_id),
    line     bigint,                          -- the payload line; null for a key deleted by omission
    key      text collate "C" not null,
    op       char(1) not null,
    hash     bytea,
    data     text
);
create index held_changes_run on dx.held_changes (run_id);
