-- Issue 17: DCAT-AP metadata a steward gives at registration (licence, contact point, themes, spatial and
-- temporal coverage, open), kept as the manifest's `metadata` object; the catalogue derives the rest.
alter table dx.datasets add column metadata jsonb not null default '{}'::jsonb;
