-- Issue 6: signed checkpoints of the audit log, and privileges that keep the log append-only.

-- A checkpoint signs (tree size, RFC 9162 Merkle tree head, hash of the last entry) with the
-- exchange's ECDSA P-256 key, whose private half lives outside the database (AuditOptions).
create table dx.audit_checkpoints (
    tree_size   bigint primary key,
    root_hash   bytea not null,
    chain_hash  bytea not null,
    signed_at   timestamptz not null,
    key_id      text not null,
    signature   bytea not null
);

create trigger audit_checkpoints_no_update_delete before update or delete on dx.audit_checkpoints
    for each row execute function dx.audit_log_refuse_change();
create trigger audit_checkpoints_no_truncate before truncate on dx.audit_checkpoints
    for each statement execute function dx.audit_log_refuse_change();

-- Privileges, the second wall after the triggers. A trigger stops an honest mistake but not the
-- table's owner, who may disable it; so in production the application must connect as a role that
-- does NOT own these tables (the migrations run as the owner). That role gets, on the audit tables,
-- only what appending and reading need (README, "Audit trail"):
--   grant usage on schema dx to app;
--   grant select, insert on dx.audit_log, dx.audit_checkpoints to app;
--   grant select, update on dx.audit_head to app;
-- and never UPDATE, DELETE, TRUNCATE, TRIGGER or ownership of dx.audit_log / dx.audit_checkpoints.
-- PUBLIC holds none of these by default; revoking states the intent and undoes any broad grant.
revoke update, delete, truncate, trigger, references on dx.audit_log from public;
revoke update, delete, truncate, trigger, references on dx.audit_checkpoints from public;
