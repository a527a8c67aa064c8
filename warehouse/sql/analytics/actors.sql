create or replace view analytics.actors as
with source as (
    select * from core.actors
),
renamed as (
    select actor_id, name_ar, name_en, actor_type, country_code, role, role_ar, aliases, is_discovered
    from source
)
select * from renamed;
