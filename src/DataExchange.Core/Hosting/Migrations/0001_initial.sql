-- DataExchange initial schema. Everything of ours lives in schema dx; Hangfire keeps its own schema.
create schema if not exists dx;

create table dx.agencies (
    id          text primary key,            -- the agency code, e.g. gd-amr
    name        text not null,
    created_at  timestamptz not null
);

create table dx.api_clients (
    id             text primary key,         -- the public key id, part of the presented key
    agency_id      text not null references dx.agencies (id),
    name           text not null,
    roles          text[] not null,
    secret_sha256  bytea not null,           -- SHA-256 of a 256-bit random secret; never the secret
    created_at     timestamptz not null,
    expires_at     timestamptz,
    revoked_at     timestamptz
);
create index api_clients_agency on dx.api_clients (agency_id);

-- array_to_string is only STABLE; generated columns need IMMUTABLE, and joining text with spaces is.
create function dx.words(text[]) returns text language sql immutable parallel safe as $$ select array_to_string($1, ' ') $$;

create table dx.datasets (
    id              text primary key,        -- <agency-code>.<slug>
    owner_agency_id text not null references dx.agencies (id),
    title           text not null,
    description     text not null,
    key_fields      text[] not null,
    classification  text not null,
    tags            text[] not null,
    compatibility   text not null,
    created_at      timestamptz not null,
    search          tsvector generated always as (
        to_tsvector('simple', replace(id, '.', ' ') || ' ' || title || ' ' || description || ' ' || dx.words(tags))) stored
);
create index datasets_search on dx.datasets using gin (search);

create table dx.schema_versions (
    dataset_id   text not null references dx.datasets (id),
    version      int not null,
    schema_text  text not null,              -- exactly as registered, so old versions read back unchanged
    fingerprint  text not null,              -- SHA-256 of the canonical JSON
    created_at   timestamptz not null,
    primary key (dataset_id, version)
);

create table dx.feeds (
    dataset_id     text primary key references dx.datasets (id),
    source         text not null,            -- file:<path under the drop root> | http(s)://… | upload
    format         text not null,            -- csv | json | ndjson
    options        jsonb not null,           -- delimiter, quote, encoding, gzip, rejectThreshold…
    cron           text,
    mode           text not null,            -- snapshot | incremental
    etag           text,
    last_modified  text,
    updated_at     timestamptz not null
);

create table dx.ingestion_runs (
    id               bigint generated always as identity primary key,
    dataset_id       text not null references dx.datasets (id),
    trigger          text not null,          -- schedule | manual | upload | replay
    status           text not null,          -- queued | running | succeeded | unchanged | failed | skipped
    schema_version   int not null,
    upload_path      text,
    queued_at        timestamptz not null,
    started_at       timestamptz,
    finished_at      timestamptz,
    payload_sha256   text,
    read_count       bigint not null default 0,
    valid_count      bigint not null default 0,
    rejected_count   bigint not null default 0,
    duplicate_count  bigint not null default 0,
    inserted_count   bigint not null default 0,
    updated_count    bigint not null default 0,
    deleted_count    bigint not null default 0,
    unchanged_count  bigint not null default 0,
    published_version int,
    error            text
);
create index ingestion_runs_dataset on dx.ingestion_runs (dataset_id, id desc);

create table dx.rejected_records (
    run_id          bigint not null references dx.ingestion_runs (id),
    line            bigint not null,
    raw             text not null,
    errors          jsonb not null,          -- [{code, pointer, schemaPointer, message}]
    schema_version  int not null,
    primary key (run_id, line)
);

create table dx.dataset_versions (
    dataset_id      text not null references dx.datasets (id),
    version         int not null,
    run_id          bigint not null references dx.ingestion_runs (id),
    schema_version  int not null,
    published_at    timestamptz not null,
    inserted_count  bigint not null,
    updated_count   bigint not null,
    deleted_count   bigint not null,
    row_count       bigint not null,
    primary key (dataset_id, version)
);

-- Versioned rows: a snapshot at v is valid_from <= v and (valid_to is null or valid_to > v);
-- the change feed since v is the rows whose validity starts or ends after v.
create table dx.records (
    dataset_id      text not null,
    key             text collate "C" not null,  -- byte order: fast keyset paging, same order everywhere
    valid_from      int not null,
    valid_to        int,
    hash            bytea not null,          -- SHA-256 of the canonical JSON of data
    schema_version  int not null,
    data            jsonb not null,
    primary key (dataset_id, key, valid_from)
);
create unique index records_current on dx.records (dataset_id, key) where valid_to is null;

create table dx.subscriptions (
    id                  text primary key,
    dataset_id          text not null references dx.datasets (id),
    consumer_agency_id  text not null references dx.agencies (id),
    purpose             text not null,
    fields              text[],
    status              text not null,       -- pending | approved | rejected | revoked
    policy              jsonb,
    expires_at          timestamptz,
    requested_by        text not null,
    created_at          timestamptz not null,
    decided_at          timestamptz,
    decided_by          text,
    reason              text
);
create index subscriptions_dataset on dx.subscriptions (dataset_id, consumer_agency_id);

-- Append-only, hash-chained audit log. audit_head is the single row that writers lock to take the
-- next position, so concurrent writers form one chain, never a fork.
create table dx.audit_log (
    seq           bigint primary key,
    at            timestamptz not null,
    actor_agency  text,
    actor_client  text,
    action        text not null,
    target        text,
    dataset_id    text,
    outcome       text not null,
    details       jsonb not null,
    prev_hash     bytea not null,
    hash          bytea not null
);
create index audit_log_dataset on dx.audit_log (dataset_id, seq) where dataset_id is not null;
create index audit_log_agency on dx.audit_log (actor_agency, seq);

create table dx.audit_head (
    id    int primary key check (id = 1),
    seq   bigint not null,
    hash  bytea not null
);
insert into dx.audit_head values (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');

create function dx.audit_log_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'dx.audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end $$;
create trigger audit_log_no_update_delete before update or delete on dx.audit_log
    for each row execute function dx.audit_log_refuse_change();
create trigger audit_log_no_truncate before truncate on dx.audit_log
    for each statement execute function dx.audit_log_refuse_change();

-- Pushed payloads, in 1 MiB chunks: kept in PostgreSQL (the one store) so that any worker, not
-- only the API node that received the upload, can run it.
create table dx.upload_chunks (
    run_id  bigint not null references dx.ingestion_runs (id),
    seq     int not null,
    data    bytea not null,
    primary key (run_id, seq)
);
