-- Published copy of dim_period (reference data, nothing person-level).
{{ config(alias='dim_period', schema='published', materialized='view') }}

with

dimension as (

    select * from {{ ref('dim_period') }}

),

final as (

    select * from dimension

)

select * from final
