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

residents_at_quarter_starts as (

    select * from {{ ref('int_residents_at_quarter_starts') }}

),

states as (

    {{ person_state_at('residents_at_quarter_starts', population_only=true) }}

),

final as (

    select * from states

)

select * from final
