-- Published tables. Facts are replaced per document when a document is reprocessed.
-- Offsets are 0-based, end-exclusive character indices into core.documents.text.
--
-- Keys (doc_id, mention_id, statement_id, call_id, (call_id, actor_id), a source's
-- (source_uri, record_index, doc_id)) are unique by construction: fact ids hash the document and
-- the offsets, publish replaces a document's facts wholesale, and the quality gate blocks a batch
-- whose keys repeat. They are not declared as primary keys: DuckDB holds a table's key index in
-- memory whenever a write checks it, so the index of a growing warehouse would grow into every
-- nightly publish (measured: +53 MB at 72k documents for mentions and statements alone), and
-- maintaining the indexes was a third of publish time. Only actors, a small table published by
-- upsert, keeps its key.
create table if not exists core.documents (
    doc_id                 varchar not null,      -- content hash of text
    content_hash           varchar not null,
    external_id            varchar not null,      -- file name, or JSON Lines record id
    source_uri             varchar not null,      -- where it was first read
    record_index           bigint not null,
    content_format         varchar not null,
    encoding               varchar,
    title                  varchar,
    outlet                 varchar,
    url                    varchar,
    author                 varchar,
    published_at_raw       varchar,
    retrieved_at_raw       varchar,
    published_date         date,
    published_date_source  varchar,
    text                   varchar not null,
    char_count             bigint not null,
    pipeline_version       varchar not null,
    run_id                 varchar not null,
    ingested_at            timestamp not null
);

-- Every input that produced a document (the same article read from two places is one document).
create table if not exists core.document_sources (
    source_uri     varchar not null,
    record_index   bigint not null,
    external_id    varchar not null,
    doc_id         varchar not null,
    first_run_id   varchar not null,
    last_run_id    varchar not null
);

create table if not exists core.actors (
    actor_id          varchar primary key,
    name_ar           varchar not null,
    name_en           varchar,
    actor_type        varchar not null,
    country_code      varchar,
    role              varchar,
    role_ar           varchar,
    aliases           varchar[] not null,
    is_discovered     boolean not null,
    pipeline_version  varchar not null,
    run_id            varchar not null
);

create table if not exists core.actor_mentions (
    mention_id        varchar not null,
    doc_id            varchar not null,
    actor_id          varchar not null,
    surface_ar        varchar not null,
    char_start        bigint not null,
    char_end          bigint not null,
    resolution        varchar,
    pipeline_version  varchar not null,
    run_id            varchar not null
);

create table if not exists core.statements (
    statement_id        varchar not null,
    doc_id              varchar not null,
    speaker_actor_id    varchar,
    speaker_name_ar     varchar,
    speaker_surface_ar  varchar,
    cue_ar              varchar,
    kind                varchar not null,
    content_ar          varchar not null,
    sentence_ar         varchar not null,
    char_start          bigint not null,
    char_end            bigint not null,
    statement_date      date,
    call_id             varchar,
    pipeline_version    varchar not null,
    run_id              varchar not null
);

create table if not exists core.calls (
    call_id             varchar not null,
    doc_id              varchar not null,
    call_date           date,
    date_expression_ar  varchar,
    initiator_actor_id  varchar,
    initiator_name_ar   varchar,
    topics              varchar[] not null,
    evidence_ar         varchar not null,
    char_start          bigint not null,
    char_end            bigint not null,
    pipeline_version    varchar not null,
    run_id              varchar not null
);

create table if not exists core.call_participants (
    call_id           varchar not null,
    actor_id          varchar not null,
    actor_name_ar     varchar not null,
    surface_ar        varchar,
    is_initiator      boolean not null,
    char_start        bigint,
    char_end          bigint,
    pipeline_version  varchar not null,
    run_id            varchar not null
);
