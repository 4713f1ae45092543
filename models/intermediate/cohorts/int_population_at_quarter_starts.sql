-- The state (macro person_state_at) of every region resident aged 15-74 on the
-- first day s of every quarter from var monitor_start up to the as-of date: the
-- cohorts of the 12-month flow indicators (definitions.md section 5), which
-- compare a person's state at s with the state at s + 12 months. A year starts
-- on a quarter's first day, so years use the same rows. s is not a peildatum,
-- hence this model next to werkdefinitie_population.
-- Built after werkdefinitie_population (depends_on below): both evaluate the
-- macro for millions of person-dates and would not fit in memory side by side.
-- depends_on: {{ ref('werkdefinitie_population') }}
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

-- only residents of population age can be in the population: fewer pairs for the macro
person_dates as (

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

),

states as (

    {{ person_state_at('person_dates') }}

),

final as (

    select * from states
    where in_population

)

select * from final
