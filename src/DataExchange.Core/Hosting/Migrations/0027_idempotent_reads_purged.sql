-- Session 13 (security): only creates (201, 202) are kept for an idempotent replay. Answers of reads sent with an
-- Idempotency-Key — lookups' and CKAN actions' records — were stored for 24 hours and replayed without an access
-- decision or an audit entry, even after the subscription was revoked. Drop those copies.
delete from dx.idempotency_keys where status is not null and status not in (201, 202);
