-- Context indicators (catalogue layer context): the werkdefinitie population
-- at the peildatum. Stocks exist only for complete periods: the peildatum of
-- the running period lies after the as-of date and is not known yet.
with

population as (

    select * from {{ ref('werkdefinitie_population') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

catalogue as (

    select * from {{ ref('indicators') }}

),

-- one row per combination of the dimensions; every person occurs once per
-- peildatum, so counts add up exactly
population_cells as (

    select
        periods.period_type,
        periods.period,
        population.municipality_code,
        population.target_group,
        population.age_band,
        population.sex,
        population.benefit_type,
        count(*) as n_persons
    from population
    inner join periods
        on population.peildatum = periods.peildatum
    where periods.is_complete
    group by
        periods.period_type,
        periods.period,
        population.municipality_code,
        population.target_group,
        population.age_band,
        population.sex,
        population.benefit_type

),

population_indicators as (

    select unnest(['POP_TOTAL', 'POP_GROUP']) as indicator_code

),

facts as (

    select
        population_indicators.indicator_code,
        'value' as measure,
        population_cells.period_type,
        population_cells.period,
        population_cells.municipality_code,
        population_cells.target_group,
        cast(null as varchar) as action_code,
        population_cells.age_band,
        population_cells.sex,
        population_cells.benefit_type,
        population_cells.target_group as population_group,
        population_cells.n_persons as n_units,
        0 as n_hits,
        cast(null as double) as amount
    from population_cells
    cross join population_indicators

),

cells as (

    {{ indicator_rollup(
        'facts',
        breakdowns=var('person_breakdowns') + [['target_group', 'population_group']],
        with_all_groups=true,
        distinct_units=false
    ) }}

),

-- POP_TOTAL: the whole population (target group ALL). POP_GROUP: per target
-- group AV and AH, both as the catalogue's breakdown target_group of ALL and
-- as rows of the groups themselves with the person breakdowns.
kept_cells as (

    select * from cells
    where
        (indicator_code = 'POP_TOTAL' and target_group = 'ALL' and breakdown != 'target_group')
        or (indicator_code = 'POP_GROUP' and target_group = 'ALL' and breakdown in ('TOTAAL', 'target_group'))
        or (indicator_code = 'POP_GROUP' and target_group != 'ALL' and breakdown != 'target_group')

),

indicator_rows as (

    {{ indicator_rows('kept_cells', 'periods', 'catalogue') }}

),

final as (

    {{ disclosure_control('indicator_rows') }}

)

select * from final
