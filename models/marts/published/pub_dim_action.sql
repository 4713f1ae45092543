-- Published copy of dim_action (reference data, nothing person-level).
{{ config(alias='dim_action', schema='published', materialized='view') }}

with

dimension as (

    select * from {{ ref('dim_action') }}

),

final as (

    select * from dimension

)

select * from final
