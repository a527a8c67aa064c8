create or replace view analytics.call_participants as
with source as (
    select * from core.call_participants
),
renamed as (
    select call_id, actor_id, actor_name_ar, surface_ar, is_initiator, char_start, char_end
    from source
)
select * from renamed;
