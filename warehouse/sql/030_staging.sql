-- Staging mirrors core without keys or NOT NULL (CTAS copies no constraints): a run writes here batch
-- by batch, is audited here, and only then published to core in one transaction.
create table if not exists staging.documents as select * from core.documents limit 0;
create table if not exists staging.document_sources as select * from core.document_sources limit 0;
create table if not exists staging.actors as select * from core.actors limit 0;
create table if not exists staging.actor_mentions as select * from core.actor_mentions limit 0;
create table if not exists staging.statements as select * from core.statements limit 0;
create table if not exists staging.calls as select * from core.calls limit 0;
create table if not exists staging.call_participants as select * from core.call_participants limit 0;
