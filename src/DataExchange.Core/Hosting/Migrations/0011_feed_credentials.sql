-- Issue 13, item 11: how a feed authenticates to its HTTP source. The secret (token, user:password,
-- header value) is sealed with AES-256-GCM under a key derived from the server secret and bound to the
-- dataset, kind, header and host it was set for; no endpoint returns it.
create table dx.feed_credentials (
    dataset_id   text primary key references dx.feeds (dataset_id) on delete cascade,
    kind         text not null check (kind in ('bearer', 'basic', 'header')),
    header_name  text,
    host         text not null,
    sealed       bytea not null,
    updated_at   timestamptz not null
);
