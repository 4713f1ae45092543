-- Published copy of indicator_outcome: suppressed cells blanked (macro disclosure_control).
{{ config(alias='indicator_outcome', schema='published', materialized='view') }}

with

indicators as (

    select * from {{ ref('indicator_outcome') }}

),

final as (

    {{ published_indicator_rows('indicators') }}

)

select * from final
