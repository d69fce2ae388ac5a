-- Issue 5: policies with quotas, auto-approval of public datasets, the hashing key, webhook notifications.

-- Rows served per subscription per UTC day, for the policy's dailyRowQuota.
create table dx.pull_usage (
    subscription_id  text not null references dx.subscriptions (id),
    day              date not null,
    rows             bigint not null,
    primary key (subscription_id, day)
);

-- A public dataset's default policy: requests are approved on arrival with it.
create table dx.auto_approvals (
    dataset_id  text primary key references dx.datasets (id),
    policy      jsonb not null,
    set_by      text not null,
    set_at      timestamptz not null
);

-- Generated server secrets (the HMAC key of hash masks) when configuration supplies none.
create table dx.server_secrets (
    name        text primary key,
    value       bytea not null,
    created_at  timestamptz not null
);

-- Written in the publish transaction; a dispatcher turns each row into webhook deliveries.
create table dx.outbox (
    id             bigint generated always as identity primary key,
    dataset_id     text not null,
    version        int not null,
    payload        jsonb not null,
    created_at     timestamptz not null,
    dispatched_at  timestamptz
);
create index outbox_pending on dx.outbox (id) where dispatched_at is null;

create table dx.webhooks (
    subscription_id  text primary key references dx.subscriptions (id),
    url              text not null,
    secret           text not null,          -- shown once to the subscriber; needed in clear to sign
    created_at       timestamptz not null
);

create table dx.webhook_deliveries (
    id               bigint generated always as identity primary key,
    subscription_id  text not null references dx.subscriptions (id),
    dataset_id       text not null,
    version          int not null,
    body             text not null,
    status           text not null,          -- pending | delivered | failed
    attempts         int not null default 0,
    last_status      int,
    last_error       text,
    created_at       timestamptz not null,
    delivered_at     timestamptz
);
create index webhook_deliveries_subscription on dx.webhook_deliveries (subscription_id, id desc);
