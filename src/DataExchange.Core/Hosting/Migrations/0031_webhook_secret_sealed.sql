-- Session 13 (security): webhook signing secrets were kept in clear in dx.webhooks.secret. They are sealed now
-- (AES-256-GCM under a key derived from the server secret, bound to the subscription and URL), like feed
-- credentials. SQL cannot seal (the key is not in the database), so the server seals the rows still in clear when
-- its outbox dispatcher starts (WebhookSecrets.SealStoredAsync) and clears `secret`; until then deliveries sign
-- with the clear value.
alter table dx.webhooks add column secret_sealed bytea;
alter table dx.webhooks alter column secret drop not null;
alter table dx.webhooks add constraint webhooks_secret_kept check (secret is not null or secret_sealed is not null);
