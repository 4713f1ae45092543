-- Published copy of dim_municipality (reference data, nothing person-level).
{{ config(alias='dim_municipality', schema='published', materialized='view') }}

with

dimension as (

    select * from {{ ref('dim_municipality') }}

),

final as (

    select * from dimension

)

select * from final
