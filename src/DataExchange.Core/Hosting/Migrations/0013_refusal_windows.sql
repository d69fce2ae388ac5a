-- Issue 13, item 5: every refused API request is audited, but a caller without a valid key could
-- grow the log without bound (10,000 garbage keys, 10,000 entries). Such refusals are audited once
-- per source address, kind and window (Audit:RefusalWindow): the first opens the window with an
-- entry (seq), the rest only count here.
create table dx.refusal_windows (
    source        text not null,
    kind          text not null,
    window_start  timestamptz not null,
    refused       bigint not null,
    seq           bigint,
    last_at       timestamptz not null,
    primary key (source, kind, window_start)
);
