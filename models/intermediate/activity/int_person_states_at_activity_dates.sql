-- The state of every person (macro person_state_at, the one place where the
-- werkdefinitie, rung and target group are computed) at each date the
-- activity indicators look at: the day of a contact, event attendance, survey
-- answer or trajectory start; the start and end of a learning activity that
-- ended with a certificate; and, for what works for whom (definitions.md
-- section 7), the baseline of a participation (the day before its start) and
-- the baseline plus var flow_months. Dates after the as-of date are unknown and
-- left out.
with

participations as (

    select * from {{ ref('int_action_participations') }}

),

trajectories as (

    select * from {{ ref('int_trajectories') }}

),

learning_activities as (

    select * from {{ ref('int_learning_activities') }}

),

answers as (

    select * from {{ ref('int_survey_answers') }}

),

activity_dates as (

    select
        person_id,
        start_date as state_date
    from participations

    union all

    select
        person_id,
        start_date as state_date
    from trajectories

    union all

    select
        person_id,
        unnest([start_date, end_date]) as state_date
    from learning_activities
    where result in ('DIPLOMA', 'CERTIFICAAT', 'DEELCERTIFICAAT')

    union all

    select
        person_id,
        answer_date as state_date
    from answers
    where person_id is not null

    union all

    select
        person_id,
        unnest([
            cast(start_date - to_days(1) as date),
            cast(start_date - to_days(1) + to_months({{ var('flow_months') }}) as date)
        ]) as state_date
    from participations
    where participation_type in ('TRAJECT', 'LEERACTIVITEIT')

),

person_dates as (

    select distinct
        person_id,
        state_date
    from activity_dates
    where state_date <= {{ as_of_date() }}

),

states as (

    {{ person_state_at('person_dates') }}

),

final as (

    select * from states

)

select * from final
