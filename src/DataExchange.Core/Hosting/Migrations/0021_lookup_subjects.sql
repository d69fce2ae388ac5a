-- Issue 16: per-subject traceability of lookups. Lookup entries name their subjects in details.subjects
-- (HMACs of dataset and key, never keys in clear); this index answers "who looked up this subject" for
-- the access report without scanning the log. Partial: only lookup entries carry subjects.
create index audit_log_lookup_subjects on dx.audit_log using gin ((details -> 'subjects') jsonb_path_ops)
    where action in ('record-looked-up', 'lookup-refused');
