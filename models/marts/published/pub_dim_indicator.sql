-- Published copy of dim_indicator (reference data, nothing person-level).
{{ config(alias='dim_indicator', schema='published', materialized='view') }}

with

dimension as (

    select * from {{ ref('dim_indicator') }}

),

final as (

    select * from dimension

)

select * from final
