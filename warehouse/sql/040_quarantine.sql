-- What a run refused, with why. Documents: inputs that could not be read or parsed, and documents that
-- failed a row-level expectation. Facts: rows that failed a row-level expectation (the rest published).
create table if not exists quarantine.documents (
    source_uri      varchar not null,
    record_index    bigint not null,
    external_id     varchar,
    doc_id          varchar,
    reason          varchar not null,
    detail          varchar,
    excerpt         varchar,
    suite           varchar,
    expectation     varchar,
    run_id          varchar not null,
    quarantined_at  timestamp not null
);
create table if not exists quarantine.actors as
    select *, ''::varchar as suite, ''::varchar as expectation, ''::varchar as reason,
           now()::timestamp as quarantined_at
    from core.actors limit 0;
create table if not exists quarantine.actor_mentions as
    select *, ''::varchar as suite, ''::varchar as expectation, ''::varchar as reason,
           now()::timestamp as quarantined_at
    from core.actor_mentions limit 0;
create table if not exists quarantine.statements as
    select *, ''::varchar as suite, ''::varchar as expectation, ''::varchar as reason,
           now()::timestamp as quarantined_at
    from core.statements limit 0;
create table if not exists quarantine.calls as
    select *, ''::varchar as suite, ''::varchar as expectation, ''::varchar as reason,
           now()::timestamp as quarantined_at
    from core.calls limit 0;
create table if not exists quarantine.call_participants as
    select *, ''::varchar as suite, ''::varchar as expectation, ''::varchar as reason,
           now()::timestamp as quarantined_at
    from core.call_participants limit 0;
