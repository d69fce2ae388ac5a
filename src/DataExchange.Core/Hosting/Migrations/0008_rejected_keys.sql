-- The key of a rejected row, where one could be read from it (issue 12): a snapshot keeps the published
-- record of a key whose row was rejected instead of deleting it. Null when the row had no readable key
-- (malformed JSON, an empty key cell). No index: keys can be longer than a btree entry (2.7 kB), and the
-- diff reads one run's rejects as a set.
alter table dx.rejected_records add column key text;
