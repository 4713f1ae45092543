-- person_state_at applies the werkdefinitie to the region's residents at each
-- peildatum (population_only keeps the members) and computes every column.
with

residents_at_peildata as (

    select
        person_id,
        peildatum as state_date
    from {{ ref('int_residents_at_peildata') }}

),

states as (

    {{ person_state_at('residents_at_peildata', population_only=true) }}

),

final as (

    select
        person_id,
        state_date as peildatum,
        municipality_code,
        cast(age as integer) as age,
        age_band,
        sex,
        is_working,
        cast(total_hours as double) as total_hours,
        is_parttime,
        benefit_type,
        cast(rung as integer) as rung,
        target_group,
        has_llo_12m,
        has_llo_4w,
        has_formal_12m,
        has_informal_12m,
        works_in_growth_sector
    from states

)

select * from final
