create or replace view analytics.statements as
with source as (
    select * from core.statements
),
renamed as (
    select
        statement_id, doc_id, speaker_actor_id, speaker_name_ar, speaker_surface_ar, cue_ar, kind,
        content_ar, sentence_ar, char_start, char_end, statement_date, call_id
    from source
)
select * from renamed;
