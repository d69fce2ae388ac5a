-- One-off maintenance steps done in code after the SQL migrations (issue 12): a row marks a step done,
-- so every later start-up skips it. The first is the re-hash of dx.records under the lossless canonical form.
create table dx.maintenance_steps (
    name     text primary key,
    done_at  timestamptz not null default now()
);
