-- Published copy of indicator_all: suppressed cells blanked (macro disclosure_control).
{{ config(alias='indicator_all', schema='published', materialized='view') }}

with

indicators as (

    select * from {{ ref('indicator_all') }}

),

final as (

    {{ published_indicator_rows('indicators') }}

)

select * from final
