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

-- Staged quarantine rows of the current run, published with the run (a failed run leaves no trace
-- in quarantine.*, only in ops.runs and staging).
create table if not exists staging.quarantine_documents as select * from quarantine.documents limit 0;
create table if not exists staging.quarantine_actors as select * from quarantine.actors limit 0;
create table if not exists staging.quarantine_actor_mentions as select * from quarantine.actor_mentions limit 0;
create table if not exists staging.quarantine_statements as select * from quarantine.statements limit 0;
create table if not exists staging.quarantine_calls as select * from quarantine.calls limit 0;
create table if not exists staging.quarantine_call_participants as select * from quarantine.call_participants limit 0;
