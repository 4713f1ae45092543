-- Peildata are the quarter ends up to the as-of date: a stock at a later
-- peildatum is not known yet. Candidates are the persons with a region
-- residence period active at a peildatum; person_state_at applies the rest of
-- the werkdefinitie (population_only keeps the members) and computes every
-- column.
with

periods as (

    select * from {{ ref('dim_period') }}

),

residence_periods as (

    select * from {{ ref('int_residence_periods') }}

),

peildata as (

    select peildatum
    from periods
    where period_type = 'quarter' and is_complete

),

residents_at_peildata as (

    select
        residence_periods.person_id,
        peildata.peildatum as state_date
    from peildata
    inner join residence_periods
        on {{ is_active_at('residence_periods.start_date', 'residence_periods.end_date', 'peildata.peildatum') }}

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
