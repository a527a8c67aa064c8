create or replace view analytics.actor_mentions as
with source as (
    select * from core.actor_mentions
),
renamed as (
    select mention_id, doc_id, actor_id, surface_ar, char_start, char_end, resolution
    from source
)
select * from renamed;
