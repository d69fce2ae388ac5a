-- Shared schema components (issue 15): reusable schemas an agency registers under a stable URI, in versions;
-- dataset schemas $ref them by that URI, and each dataset schema version pins the component versions it was
-- compiled against, so a later component version never changes a published dataset's rules.
create table dx.schema_components (
    uri              text not null,          -- absolute, without fragment, as $ref names it
    version          int not null,
    owner_agency_id  text not null references dx.agencies (id),
    schema_text      text not null,          -- exactly as registered
    fingerprint      text not null,          -- SHA-256 of the canonical JSON
    draft            text not null,          -- the draft a schema without $schema is read as: draft-07 or 2020-12
    created_at       timestamptz not null,
    primary key (uri, version)
);

create table dx.schema_version_components (
    dataset_id         text not null,
    schema_version     int not null,
    component_uri      text not null,
    component_version  int not null,
    primary key (dataset_id, schema_version, component_uri),
    foreign key (dataset_id, schema_version) references dx.schema_versions (dataset_id, version),
    foreign key (component_uri, component_version) references dx.schema_components (uri, version)
);
