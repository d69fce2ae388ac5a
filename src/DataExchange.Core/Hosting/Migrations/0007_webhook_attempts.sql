-- Every webhook delivery attempt, so a subscriber sees why earlier attempts failed (webhook_deliveries
-- keeps only the last status); one row per attempt, at most Webhooks:MaxAttempts (default 9) per delivery.
create table dx.webhook_attempts (
    delivery_id  bigint not null references dx.webhook_deliveries (id),
    attempt      int not null,
    at           timestamptz not null,
    status       int,                    -- the HTTP status, null when no answer came (network error, timeout, refused)
    error        text,
    primary key (delivery_id, attempt)
);
