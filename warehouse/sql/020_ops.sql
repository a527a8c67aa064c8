-- Run bookkeeping: one row per run, written at start ("running") and closed at the end.
create table if not exists ops.runs (
    run_id             varchar primary key,
    flow_run_id        varchar,
    started_at         timestamp not null,
    ended_at           timestamp,
    status             varchar not null,   -- running | completed | failed | abandoned
    message            varchar,
    sources            varchar[],
    pipeline_version   varchar not null,
    reprocess          boolean not null,
    docs_seen          bigint,             -- inputs read (documents + rejected inputs)
    docs_new           bigint,             -- documents not loaded before (or reprocessed)
    docs_unchanged     bigint,             -- already loaded by this pipeline version: skipped
    docs_loaded        bigint,             -- documents published by this run
    docs_quarantined   bigint,             -- inputs or documents refused, see quarantine.documents
    statements         bigint,
    calls              bigint,
    actor_mentions     bigint,
    extract_seconds    double,
    transform_seconds  double,
    validate_seconds   double,
    stage_seconds      double,
    publish_seconds    double
);

create table if not exists ops.validation_results (
    run_id            varchar not null,
    batch_index       integer,
    suite             varchar not null,
    expectation       varchar not null,
    column_name       varchar,
    success           boolean not null,
    observed_value    varchar,
    unexpected_count  bigint,
    element_count     bigint,
    blocking          boolean not null,
    details           varchar,
    validated_at      timestamp not null
);
