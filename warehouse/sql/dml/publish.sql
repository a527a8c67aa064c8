-- Publish the staged run (executed inside one transaction by warehouse.store.publish). The run's
-- staged Parquet parts are read through the temporary views staged_<table> (warehouse/staging.py).
-- Facts of every staged document are replaced wholesale, so reprocessing never leaves duplicates.

-- An edited article is a new document (its text hashes differently). Its previous version is retired
-- when every source that gave the previous version (file + external id) was read in this run and now
-- gives something else; a version that another, unread source still gives is kept.
create or replace temporary table retired_documents as
with moved as (
    select distinct c.source_uri, c.external_id, c.doc_id
    from core.document_sources c
    join staged_document_sources s on s.source_uri = c.source_uri and s.external_id = c.external_id
    where not exists (
        select 1 from staged_document_sources same
        where same.source_uri = c.source_uri and same.external_id = c.external_id and same.doc_id = c.doc_id
    )
)
select distinct m.doc_id
from moved m
where not exists (
    select 1 from core.document_sources other
    where other.doc_id = m.doc_id
      and not exists (
          select 1 from moved x
          where x.doc_id = other.doc_id and x.source_uri = other.source_uri and x.external_id = other.external_id
      )
)
and m.doc_id not in (select doc_id from staged_documents);

delete from core.call_participants
where call_id in (select call_id from core.calls where doc_id in (select doc_id from retired_documents));
delete from core.calls where doc_id in (select doc_id from retired_documents);
delete from core.statements where doc_id in (select doc_id from retired_documents);
delete from core.actor_mentions where doc_id in (select doc_id from retired_documents);
delete from core.document_sources where doc_id in (select doc_id from retired_documents);
delete from core.documents where doc_id in (select doc_id from retired_documents);
delete from core.call_participants
where call_id in (select call_id from core.calls where doc_id in (select doc_id from staged_documents));
delete from core.calls where doc_id in (select doc_id from staged_documents);
delete from core.statements where doc_id in (select doc_id from staged_documents);
delete from core.actor_mentions where doc_id in (select doc_id from staged_documents);

-- A document staged again (reprocessing) replaces its row. Delete + insert, not `insert or replace`:
-- DuckDB keeps an upsert's rows in memory until commit, a plain insert writes large appends to disk.
delete from core.documents where doc_id in (select doc_id from staged_documents);
insert into core.documents by name select * from staged_documents;
-- An actor met in several batches is staged once per batch, with what each batch read of it (a
-- discovered person's role, a newspaper's country, a spelling of its name). Kept is the row that says
-- the most, then the first name in code-point order, then the first staged (corpus order): the order
-- of transforms.actors.preferred, so batches and validation groups of any size give the same row.
insert or replace into core.actors by name
    select * exclude (staged_order) from staged_actors
    qualify row_number() over (
        partition by actor_id
        order by (name_en is not null)::int + (country_code is not null)::int + (role is not null)::int
                 + (role_ar is not null)::int desc,
                 name_ar,
                 staged_order
    ) = 1;
insert into core.actor_mentions by name select * from staged_actor_mentions;
insert into core.statements by name select * from staged_statements;
insert into core.calls by name select * from staged_calls;
insert into core.call_participants by name select * from staged_call_participants;

-- One row per source record and document: a record read again keeps its first run and notes this one.
update core.document_sources c
set last_run_id = s.last_run_id
from staged_document_sources s
where c.source_uri = s.source_uri and c.record_index = s.record_index and c.doc_id = s.doc_id;
insert into core.document_sources by name
    select * from staged_document_sources s
    where not exists (
        select 1 from core.document_sources c
        where c.source_uri = s.source_uri and c.record_index = s.record_index and c.doc_id = s.doc_id
    )
    qualify row_number() over (partition by source_uri, record_index, doc_id order by external_id) = 1;

insert into quarantine.documents by name select * from staged_quarantine_documents;
insert into quarantine.actors by name select * from staged_quarantine_actors;
insert into quarantine.actor_mentions by name select * from staged_quarantine_actor_mentions;
insert into quarantine.statements by name select * from staged_quarantine_statements;
insert into quarantine.calls by name select * from staged_quarantine_calls;
insert into quarantine.call_participants by name select * from staged_quarantine_call_participants;

drop table retired_documents;
