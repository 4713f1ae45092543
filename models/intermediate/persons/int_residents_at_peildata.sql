-- The candidates of werkdefinitie_population: every person with a region
-- residence interval active at a peildatum (the quarter ends up to the as-of
-- date; a stock at a later peildatum is not known yet). A table rather than a
-- CTE: person_state_at's interval joins are sized from its real row count
-- (about 12 million at scale 1), which a CTE's estimate falls far short of.
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

final as (

    select
        residence_periods.person_id,
        peildata.peildatum,
        residence_periods.municipality_code
    from peildata
    inner join residence_periods
        on {{ is_active_at('residence_periods.start_date', 'residence_periods.end_date', 'peildata.peildatum') }}

)

select * from final
