-- The candidates of int_population_at_quarter_starts: every person with a
-- region residence interval active on the first day of a quarter from var
-- monitor_start up to the as-of date, and of population age on that day.
-- A table rather than a CTE for the reason int_residents_at_peildata is one:
-- person_state_at's interval joins are planned from the real row count (about
-- 9 million at scale 1); from a CTE's far smaller estimate DuckDB hashed the
-- pairs instead of the spells and ran out of its 8 GB at scale 1.
with

residence as (

    select * from {{ ref('int_residence_periods') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

quarter_starts as (

    select cast(unnest(generate_series(
        cast('{{ var("monitor_start") }}' as date),
        {{ as_of_date() }},
        to_months(3)
    )) as date) as state_date

),

final as (

    select distinct
        residence.person_id,
        quarter_starts.state_date
    from quarter_starts
    inner join residence
        on {{ is_active_at('residence.start_date', 'residence.end_date', 'quarter_starts.state_date') }}
    inner join persons
        on residence.person_id = persons.person_id
    where
        {{ age_in_years('persons.birth_date', 'quarter_starts.state_date') }}
        between {{ var('population_min_age') }} and {{ var('population_max_age_exclusive') }} - 1

)

select * from final
