-- Published copy of indicator_input: suppressed cells blanked (macro disclosure_control).
{{ config(alias='indicator_input', schema='published', materialized='view') }}

with

indicators as (

    select * from {{ ref('indicator_input') }}

),

final as (

    {{ published_indicator_rows('indicators') }}

)

select * from final
