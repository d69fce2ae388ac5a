-- Issue 14: the SHA-256 of the source row a record was read from (its CSV line or JSON element, under the
-- reading of the run that published it; see SourceRowHash). A re-ingest stages a row whose hash is that of a
-- current record under the same schema version by its hash alone: no parse into a record, no validation and no
-- canonical hash. Null for records published before, released from a hold, or read otherwise: those rows take
-- the full path, as before.
alter table dx.records add column raw_hash bytea;
alter table dx.held_changes add column raw_hash bytea;
