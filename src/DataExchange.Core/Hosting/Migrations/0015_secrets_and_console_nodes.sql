-- Issue 13, items 8, 10 and 16.

-- Item 10: an answer that carries a secret (an issued API key, a webhook signing secret) is never
-- kept for replay: its row keeps status and location, and body stays null. Clear what was kept before.
update dx.idempotency_keys set body = null
where status is not null
  and (location like '/api/v1/agencies/%/keys/%'
       or position(convert_to('"key":"dx_', 'UTF8') in body) > 0
       or position(convert_to('"secret":', 'UTF8') in body) > 0);
-- The hourly purge deletes rows older than 24 hours.
create index idempotency_keys_created_at on dx.idempotency_keys (created_at);

-- Item 8: refused console sign-ins counted per source (an IPv4 address or an IPv6 /64) for one audit
-- window: the first refusal of a window is audited at once, the count when the window closes.
create table dx.console_sign_in_refusals (
    source        text primary key,
    attempts      int not null,
    rate_limited  int not null,
    first_at      timestamptz not null,
    last_at       timestamptz not null,
    window_end    timestamptz not null
);
create index console_sign_in_refusals_window_end on dx.console_sign_in_refusals (window_end);

-- Item 16: the ASP.NET Core Data Protection key ring (console cookies, anti-forgery tokens) shared by
-- every API node. Each element's key material is sealed (AES-256-GCM under a key derived from the
-- server secret) before it is stored here.
create table dx.data_protection_keys (
    id             bigint generated always as identity primary key,
    friendly_name  text not null,
    xml            text not null,
    created_at     timestamptz not null
);
