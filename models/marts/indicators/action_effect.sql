-- What works for whom (definitions.md section 7): per action, target group,
-- period and municipality, the share of participants at a higher rung 12
-- months after baseline next to the same share among comparable
-- non-participants. Descriptive only: participants choose or are chosen, so
-- the difference is not a causal effect estimate.
--
-- Participants: the first start of a trajectory or learning activity of the
-- action per person per quarter; baseline b = the day before the start; in
-- the population at b (target group AV or AH) and at b + var flow_months,
-- which must not be after the as-of date. Comparison: population members at
-- the day before the quarter starts (a peildatum, hence werkdefinitie_population)
-- and at that day + var flow_months, without a trajectory or learning activity
-- of the action during those months. The quarter's baseline must lie in the
-- monitoring window, so the first quarter is the one after monitor_start's.
-- Strata: quarter x target group x baseline rung x age band x benefit yes/no
-- (and municipality for a municipality's row). The comparison rate is the
-- mean of the strata's rates weighted by the participants' stratum mix; strata
-- without comparison members are left out and counted.
-- 95% interval: difference +- 1.96 * sqrt(p (1 - p) / n + sum_s w_s^2 c_s (1 - c_s) / m_s),
-- p the participant rate over n participants, c_s the comparison rate over m_s
-- members of stratum s, w_s the stratum's share of the participants.
with

participations as (

    select * from {{ ref('int_action_participations') }}

),

states as (

    select * from {{ ref('int_person_states_at_activity_dates') }}

),

population as (

    select * from {{ ref('werkdefinitie_population') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

window_bounds as (

    select
        cast('{{ var("monitor_start") }}' as date) as monitor_start,
        -- a participant starting on this day has baseline + flow_months = the as-of date
        cast(max(as_of_date) - to_months({{ var('flow_months') }}) + to_days(1) as date) as last_observable_start
    from periods

),

-------------------------------------------------------------- participants

starts as (

    select
        person_id,
        action_code,
        start_date,
        cast(date_trunc('quarter', start_date) as date) as quarter_start
    from participations
    where participation_type in ('TRAJECT', 'LEERACTIVITEIT')
    qualify row_number() over (
        partition by person_id, action_code, date_trunc('quarter', start_date)
        order by start_date asc
    ) = 1

),

participants as (

    select
        starts.action_code,
        starts.quarter_start,
        at_baseline.municipality_code,
        at_baseline.target_group,
        at_baseline.rung,
        at_baseline.age_band,
        at_baseline.has_benefit,
        after_flow.rung > at_baseline.rung as moved_up,
        after_flow.is_working as is_working_after
    from starts
    inner join states as at_baseline
        on
            starts.person_id = at_baseline.person_id
            and at_baseline.state_date = cast(starts.start_date - to_days(1) as date)
    -- states are known up to the as-of date only: later follow-ups drop out here
    inner join states as after_flow
        on
            starts.person_id = after_flow.person_id
            and after_flow.state_date
            = cast(starts.start_date - to_days(1) + to_months({{ var('flow_months') }}) as date)
    cross join window_bounds
    where
        at_baseline.in_population
        and after_flow.in_population
        and starts.quarter_start - to_days(1) >= window_bounds.monitor_start

),

participant_cells as (

    select
        action_code,
        quarter_start,
        case when grouping(municipality_code) = 1 then 'REGIO' else municipality_code end as municipality_code,
        target_group,
        rung,
        age_band,
        has_benefit,
        count(*) as n_participants,
        count_if(moved_up) as n_participants_up,
        count_if(is_working_after) as n_participants_working
    from participants
    group by grouping sets (
        (action_code, quarter_start, municipality_code, target_group, rung, age_band, has_benefit),
        (action_code, quarter_start, target_group, rung, age_band, has_benefit)
    )

),

-------------------------------------------------------------- comparison

-- every population member at the day before a quarter with participants
-- starts, followed to that day + flow_months
pool as (

    select
        population.person_id,
        cast(population.peildatum + to_days(1) as date) as quarter_start,
        population.peildatum as baseline_date,
        population.municipality_code,
        population.target_group,
        population.rung,
        population.age_band,
        population.benefit_type != 'GEEN' as has_benefit,
        after_flow.rung > population.rung as moved_up,
        after_flow.is_working as is_working_after
    from population
    inner join population as after_flow
        on
            population.person_id = after_flow.person_id
            and after_flow.peildatum = last_day(population.peildatum + to_months({{ var('flow_months') }}))
    where cast(population.peildatum + to_days(1) as date) in (select starts.quarter_start from starts)

),

pool_cells as (

    select
        quarter_start,
        case when grouping(municipality_code) = 1 then 'REGIO' else municipality_code end as municipality_code,
        target_group,
        rung,
        age_band,
        has_benefit,
        count(*) as n_members,
        count_if(moved_up) as n_members_up,
        count_if(is_working_after) as n_members_working
    from pool
    group by grouping sets (
        (quarter_start, municipality_code, target_group, rung, age_band, has_benefit),
        (quarter_start, target_group, rung, age_band, has_benefit)
    )

),

-- pool members in the action during their follow-up are not comparison members
members_in_action as (

    select distinct
        participations.action_code,
        pool.person_id,
        pool.quarter_start,
        pool.municipality_code,
        pool.target_group,
        pool.rung,
        pool.age_band,
        pool.has_benefit,
        pool.moved_up,
        pool.is_working_after
    from pool
    inner join participations
        on
            pool.person_id = participations.person_id
            and {{ is_active_in_window(
                'participations.start_date',
                'participations.end_date',
                'pool.baseline_date',
                'pool.baseline_date + to_months(' ~ var('flow_months') ~ ')'
            ) }}
    where participations.participation_type in ('TRAJECT', 'LEERACTIVITEIT')

),

members_in_action_cells as (

    select
        action_code,
        quarter_start,
        case when grouping(municipality_code) = 1 then 'REGIO' else municipality_code end as municipality_code,
        target_group,
        rung,
        age_band,
        has_benefit,
        count(*) as n_members,
        count_if(moved_up) as n_members_up,
        count_if(is_working_after) as n_members_working
    from members_in_action
    group by grouping sets (
        (action_code, quarter_start, municipality_code, target_group, rung, age_band, has_benefit),
        (action_code, quarter_start, target_group, rung, age_band, has_benefit)
    )

),

-------------------------------------------------------------- strata

strata as (

    select
        participant_cells.*,
        coalesce(pool_cells.n_members, 0) - coalesce(members_in_action_cells.n_members, 0) as n_comparison,
        coalesce(pool_cells.n_members_up, 0) - coalesce(members_in_action_cells.n_members_up, 0) as n_comparison_up,
        coalesce(pool_cells.n_members_working, 0) - coalesce(members_in_action_cells.n_members_working, 0)
            as n_comparison_working
    from participant_cells
    left join pool_cells
        on
            participant_cells.quarter_start = pool_cells.quarter_start
            and participant_cells.municipality_code = pool_cells.municipality_code
            and participant_cells.target_group = pool_cells.target_group
            and participant_cells.rung = pool_cells.rung
            and participant_cells.age_band = pool_cells.age_band
            and participant_cells.has_benefit = pool_cells.has_benefit
    left join members_in_action_cells
        on
            participant_cells.action_code = members_in_action_cells.action_code
            and participant_cells.quarter_start = members_in_action_cells.quarter_start
            and participant_cells.municipality_code = members_in_action_cells.municipality_code
            and participant_cells.target_group = members_in_action_cells.target_group
            and participant_cells.rung = members_in_action_cells.rung
            and participant_cells.age_band = members_in_action_cells.age_band
            and participant_cells.has_benefit = members_in_action_cells.has_benefit

),

-- each stratum counts in the year of its quarter and in the whole window
strata_per_period as (

    select
        strata.*,
        'year' as period_type,
        cast(year(strata.quarter_start) as varchar) as period
    from strata

    union all

    select
        strata.*,
        'window' as period_type,
        'ALL' as period
    from strata

),

estimates as (

    select
        action_code,
        target_group,
        period_type,
        period,
        municipality_code,
        min(quarter_start) as first_quarter_start,
        max(quarter_start) as last_quarter_start,
        sum(n_participants) as participants,
        sum(n_participants) filter (where n_comparison > 0) as n_participants,
        sum(n_comparison) filter (where n_comparison > 0) as n_comparison,
        count(*) filter (where n_comparison = 0) as strata_dropped,
        sum(n_participants_up) filter (where n_comparison > 0) as n_participants_up,
        sum(n_participants_working) filter (where n_comparison > 0) as n_participants_working,
        -- sums of n_s * c_s and n_s^2 * c_s (1 - c_s) / m_s; divided by n and n^2 below
        sum(n_participants * n_comparison_up / n_comparison) filter (where n_comparison > 0)
            as weighted_comparison_up,
        sum(n_participants * n_comparison_working / n_comparison) filter (where n_comparison > 0)
            as weighted_comparison_working,
        sum(
            power(n_participants, 2) * (n_comparison_up / n_comparison) * (1 - n_comparison_up / n_comparison)
            / n_comparison
        ) filter (where n_comparison > 0) as weighted_comparison_variance_up,
        sum(
            power(n_participants, 2) * (n_comparison_working / n_comparison) * (1 - n_comparison_working / n_comparison)
            / n_comparison
        ) filter (where n_comparison > 0) as weighted_comparison_variance_working
    from strata_per_period
    group by
        action_code,
        target_group,
        period_type,
        period,
        municipality_code

),

rates as (

    select
        *,
        n_participants_up / n_participants as participant_rate,
        weighted_comparison_up / n_participants as comparison_rate,
        sqrt(
            (n_participants_up / n_participants) * (1 - n_participants_up / n_participants) / n_participants
            + weighted_comparison_variance_up / power(n_participants, 2)
        ) as standard_error,
        n_participants_working / n_participants as participant_rate_working,
        weighted_comparison_working / n_participants as comparison_rate_working,
        sqrt(
            (n_participants_working / n_participants) * (1 - n_participants_working / n_participants)
            / n_participants
            + weighted_comparison_variance_working / power(n_participants, 2)
        ) as standard_error_working
    from estimates

),

-- used inside the recursive CTE of secondary_suppression, which sqlfluff cannot parse (USING KEY)
effects as (  -- noqa: ST03

    select
        rates.action_code,
        rates.target_group,
        rates.period_type,
        rates.period,
        case
            when rates.period_type = 'year' then periods.period_start
            else rates.first_quarter_start
        end as period_start,
        -- the window runs up to the last start whose follow-up is known
        case
            when rates.period_type = 'year' then periods.period_end
            else window_bounds.last_observable_start
        end as period_end,
        case
            when rates.period_type = 'year' then periods.period_end <= window_bounds.last_observable_start
            else true
        end as is_complete,
        rates.municipality_code,
        cast(rates.participants as bigint) as participants,
        cast(coalesce(rates.n_participants, 0) as bigint) as n_participants,
        cast(coalesce(rates.n_comparison, 0) as bigint) as n_comparison,
        cast(rates.strata_dropped as bigint) as strata_dropped,
        rates.participant_rate,
        rates.comparison_rate,
        100 * (rates.participant_rate - rates.comparison_rate) as difference_pp,
        100 * (rates.participant_rate - rates.comparison_rate - 1.96 * rates.standard_error) as ci_low_pp,
        100 * (rates.participant_rate - rates.comparison_rate + 1.96 * rates.standard_error) as ci_high_pp,
        rates.participant_rate_working,
        rates.comparison_rate_working,
        100 * (rates.participant_rate_working - rates.comparison_rate_working) as difference_working_pp,
        100 * (
            rates.participant_rate_working - rates.comparison_rate_working - 1.96 * rates.standard_error_working
        ) as ci_low_working_pp,
        100 * (
            rates.participant_rate_working - rates.comparison_rate_working + 1.96 * rates.standard_error_working
        ) as ci_high_working_pp,
        'beschrijvend, geen causaal effect' as label,
        -- primary suppression (definitions.md section 6)
        coalesce(rates.n_participants, 0) < {{ var('min_cell_size') }}
        or coalesce(rates.n_comparison, 0) < {{ var('min_cell_size') }} as is_suppressed
    from rates
    cross join window_bounds
    left join periods
        on
            rates.period_type = periods.period_type
            and rates.period = periods.period

),

-- secondary suppression: the municipalities' participants add up to REGIO's
-- and the years' to the window's, so a single suppressed row of either group
-- takes the next smallest with it (macro secondary_suppression)
final as (

    {{ secondary_suppression(
        'effects',
        groups=[
            "action_code, target_group, period_type, period, municipality_code = 'REGIO'",
            'action_code, target_group, municipality_code, period_type',
        ],
        key=['action_code', 'target_group', 'period_type', 'period', 'municipality_code'],
        order_by='participants, municipality_code, period'
    ) }}

)

select * from final
