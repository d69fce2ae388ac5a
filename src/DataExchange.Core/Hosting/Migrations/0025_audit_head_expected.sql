-- Issue 16: the audit writer's group commit in one round trip. The writer chains a group's entries on from
-- the head it last committed, without reading it first; this locks the head (after the group's usage rows,
-- as every writer does) and fails the transaction — nothing of the group commits — unless the head is still
-- that one, for whatever moved it (another process's writer, an append inside a caller's transaction, or
-- someone cutting the log). The writer then commits the group again with the head read under its lock.
create function dx.audit_head_expected(expected_seq bigint, expected_hash bytea) returns void language plpgsql as $$
begin
    perform 1 from dx.audit_head where id = 1 and seq = expected_seq and hash = expected_hash for update;
    if not found then
        raise exception 'the audit head is no longer at %', expected_seq using errcode = 'serialization_failure';
    end if;
end $$;
