-- Published copy of indicator_output: suppressed cells blanked (macro disclosure_control).
{{ config(alias='indicator_output', schema='published', materialized='view') }}

with

indicators as (

    select * from {{ ref('indicator_output') }}

),

final as (

    {{ published_indicator_rows('indicators') }}

)

select * from final
