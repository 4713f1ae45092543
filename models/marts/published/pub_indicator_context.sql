-- Published copy of indicator_context: suppressed cells blanked (macro disclosure_control).
{{ config(alias='indicator_context', schema='published', materialized='view') }}

with

indicators as (

    select * from {{ ref('indicator_context') }}

),

final as (

    {{ published_indicator_rows('indicators') }}

)

select * from final
