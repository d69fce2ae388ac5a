-- Idempotency-Key (API.md): a retried create returns the first result instead of creating twice.
create table dx.idempotency_keys (
    client_id     text not null,
    key           text not null,
    request_hash  bytea not null,            -- SHA-256 of method, path and body: the same key on another request is refused
    status        int,                       -- null while the first request is still running
    location      text,
    body          bytea,
    created_at    timestamptz not null,
    primary key (client_id, key)
);
