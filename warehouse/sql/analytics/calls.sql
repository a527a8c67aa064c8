create or replace view analytics.calls as
with source as (
    select * from core.calls
),
renamed as (
    select
        call_id, doc_id, call_date, date_expression_ar, initiator_actor_id, initiator_name_ar, topics,
        evidence_ar, char_start, char_end
    from source
)
select * from renamed;
