create or replace view analytics.documents as
with source as (
    select * from core.documents
),
renamed as (
    select
        doc_id, external_id, source_uri, title, outlet, url, author, published_date,
        published_date_source, text, char_count, ingested_at, pipeline_version
    from source
)
select * from renamed;
