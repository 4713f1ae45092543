-- Published copy of indicator_impact: suppressed cells blanked (macro disclosure_control).
{{ config(alias='indicator_impact', schema='published', materialized='view') }}

with

indicators as (

    select * from {{ ref('indicator_impact') }}

),

final as (

    {{ published_indicator_rows('indicators') }}

)

select * from final
