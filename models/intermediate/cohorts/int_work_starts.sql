-- definitions catalogue IMP_AV_DURABLE_WORK: a work start is the first day of
-- working after at least one day of not working (working = an active
-- dienstverband). Concurrent and back-to-back dienstverbanden form one working
-- spell; its first day is the work start. Each start carries the person's
-- state the day before and var durable_work_months later; starts whose
-- follow-up date is after the as-of date are not yet observable and left out.
with

employment as (

    select * from {{ ref('int_employment_spells') }}

),

-- a spell opens a new working spell when it starts after every earlier spell
-- of the person has ended (a gap of at least one day)
ordered_spells as (

    select
        person_id,
        start_date,
        max(coalesce(end_date, date '9999-12-31')) over (
            partition by person_id
            order by start_date asc, end_date asc nulls last
            rows between unbounded preceding and 1 preceding
        ) as previous_latest_end
    from employment

),

work_starts as (

    select distinct
        person_id,
        start_date as work_start_date,
        cast(start_date - to_days(1) as date) as baseline_date,
        cast(start_date + to_months({{ var('durable_work_months') }}) as date) as follow_up_date
    from ordered_spells
    where
        (previous_latest_end is null or previous_latest_end < start_date - to_days(1))
        and start_date >= cast('{{ var("monitor_start") }}' as date)
        and start_date + to_months({{ var('durable_work_months') }}) <= {{ as_of_date() }}

),

person_dates as (

    select
        person_id,
        baseline_date as state_date
    from work_starts

    union all

    select
        person_id,
        follow_up_date as state_date
    from work_starts

),

states as (

    {{ person_state_at('person_dates') }}

),

final as (

    select
        work_starts.person_id,
        work_starts.work_start_date,
        work_starts.follow_up_date,
        before_start.in_population as in_population_before,
        before_start.municipality_code,
        before_start.target_group,
        before_start.age_band,
        before_start.sex,
        before_start.benefit_type,
        after_start.in_population as in_population_at_follow_up,
        after_start.is_working as is_working_at_follow_up
    from work_starts
    inner join states as before_start
        on
            work_starts.person_id = before_start.person_id
            and work_starts.baseline_date = before_start.state_date
    inner join states as after_start
        on
            work_starts.person_id = after_start.person_id
            and work_starts.follow_up_date = after_start.state_date

)

select * from final
