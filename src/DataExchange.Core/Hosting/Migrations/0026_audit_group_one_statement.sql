-- Issue 16: the audit writer's usual group (its head known, no quota to share out) in one statement, in its own
-- implicit transaction: the group's row charges (usage rows locked first, as every writer does), then the head
-- moved only if it is still the one the group chained on from, then the entries. This is the check the head's
-- update makes; when anything else moved the head it fails the statement (40001), so neither the charges nor the
-- entries commit, and the writer commits the group again with the head read under its lock (as with 0025).
create function dx.audit_head_at(seq bigint, hash bytea, expected_seq bigint, expected_hash bytea) returns boolean language plpgsql as $$
begin
    if seq is distinct from expected_seq or hash is distinct from expected_hash then
        raise exception 'the audit head is no longer at %', expected_seq using errcode = 'serialization_failure';
    end if;
    return true;
end $$;
