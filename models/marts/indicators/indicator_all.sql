-- All indicator rows of the five layers in one table: a plain union, the
-- layers share one column set and disclosure control is already applied.
with

context as (

    select * from {{ ref('indicator_context') }}

),

inputs as (

    select * from {{ ref('indicator_input') }}

),

outputs as (

    select * from {{ ref('indicator_output') }}

),

outcomes as (

    select * from {{ ref('indicator_outcome') }}

),

impacts as (

    select * from {{ ref('indicator_impact') }}

),

final as (

    select * from context
    union all by name
    select * from inputs
    union all by name
    select * from outputs
    union all by name
    select * from outcomes
    union all by name
    select * from impacts

)

select * from final
