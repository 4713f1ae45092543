-- Impact indicators (catalogue layer impact). Stocks (rung distribution,
-- learning participation, volunteering, employees' learning) at the peildatum
-- of complete periods; 12-month flows (upward move, into work, hours up,
-- growth-sector switch) on the cohort at the period's first day s, counting
-- only persons in the population at s and at s + var flow_months, and absent
-- while s + var flow_months is after the as-of date; durable work on the work
-- starts of the period, absent until var durable_work_months after the
-- period's end.
with

population as (

    select * from {{ ref('werkdefinitie_population') }}

),

cohort_states as (

    select * from {{ ref('int_population_at_quarter_starts') }}

),

work_starts as (

    select * from {{ ref('int_work_starts') }}

),

trajectories as (

    select * from {{ ref('int_trajectories') }}

),

employment as (

    select * from {{ ref('int_employment_spells') }}

),

employers as (

    select * from {{ ref('int_region_employers') }}

),

employer_reach as (

    select * from {{ ref('int_employer_reach') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

catalogue as (

    select * from {{ ref('indicators') }}

),

-------------------------------------------------------------- stocks

complete_population as (

    select
        periods.period_type,
        periods.period,
        population.*
    from population
    inner join periods
        on population.peildatum = periods.peildatum
    where periods.is_complete

),

-- IMP_AV_VOLUNTEERING: a VRIJWILLIGERSWERK trajectory active on any day of the
-- 12 months up to the peildatum (the window of the learning flags)
volunteers as (

    select distinct
        population.person_id,
        population.peildatum
    from population
    inner join trajectories
        on
            population.person_id = trajectories.person_id
            and {{ is_active_in_window(
                'trajectories.start_date',
                'trajectories.end_date',
                "population.peildatum - to_months(" ~ var('llo_window_months') ~ ") + to_days(1)",
                'population.peildatum'
            ) }}
    where trajectories.instrument = 'VRIJWILLIGERSWERK'

),

-- every person occurs once per peildatum, so the counts per cell add up exactly
population_cells as (

    select
        complete_population.period_type,
        complete_population.period,
        complete_population.municipality_code,
        complete_population.target_group,
        complete_population.age_band,
        complete_population.sex,
        complete_population.benefit_type,
        complete_population.rung,
        count(*) as n_persons,
        count_if(complete_population.has_llo_12m) as n_llo_12m,
        count_if(complete_population.has_formal_12m) as n_formal_12m,
        count_if(complete_population.has_informal_12m) as n_informal_12m,
        count_if(volunteers.person_id is not null) as n_volunteering_12m,
        count_if(
            complete_population.age between {{ var('llo_short_window_min_age') }}
            and {{ var('llo_short_window_max_age') }}
        ) as n_short_window_age,
        count_if(
            complete_population.has_llo_4w
            and complete_population.age between {{ var('llo_short_window_min_age') }}
            and {{ var('llo_short_window_max_age') }}
        ) as n_llo_4w
    from complete_population
    left join volunteers
        on
            complete_population.person_id = volunteers.person_id
            and complete_population.peildatum = volunteers.peildatum
    group by
        complete_population.period_type,
        complete_population.period,
        complete_population.municipality_code,
        complete_population.target_group,
        complete_population.age_band,
        complete_population.sex,
        complete_population.benefit_type,
        complete_population.rung

),

stock_measures as (

    select
        'IMP_LLO_12M' as indicator_code,
        *,
        n_persons as n_units,
        n_llo_12m as n_hits
    from population_cells

    union all

    select
        'IMP_LLO_4W_25_64' as indicator_code,
        *,
        n_short_window_age as n_units,
        n_llo_4w as n_hits
    from population_cells

    union all

    select
        'IMP_AV_FORMAL_EDU' as indicator_code,
        *,
        n_persons as n_units,
        n_formal_12m as n_hits
    from population_cells
    where target_group = 'AV'

    union all

    select
        'IMP_AV_SELF_STUDY' as indicator_code,
        *,
        n_persons as n_units,
        n_informal_12m as n_hits
    from population_cells
    where target_group = 'AV'

    union all

    select
        'IMP_AV_VOLUNTEERING' as indicator_code,
        *,
        n_persons as n_units,
        n_volunteering_12m as n_hits
    from population_cells
    where target_group = 'AV'

    union all

    select
        'IMP_AH_LLO' as indicator_code,
        *,
        n_persons as n_units,
        n_llo_12m as n_hits
    from population_cells
    where target_group = 'AH'

    union all

    select
        'IMP_AH_FORMAL_EDU' as indicator_code,
        *,
        n_persons as n_units,
        n_formal_12m as n_hits
    from population_cells
    where target_group = 'AH'

    union all

    select
        'IMP_AH_SELF_STUDY' as indicator_code,
        *,
        n_persons as n_units,
        n_informal_12m as n_hits
    from population_cells
    where target_group = 'AH'

),

stock_facts as (

    select
        indicator_code,
        'value' as measure,
        period_type,
        period,
        municipality_code,
        target_group,
        cast(null as varchar) as action_code,
        age_band,
        sex,
        benefit_type,
        n_units,
        n_hits,
        cast(null as double) as amount
    from stock_measures

),

ladder as (

    select unnest(range(0, 8)) as rung_value

),

-- IMP_RUNG_DISTRIBUTION: for each rung 0-7 the whole population is the
-- denominator and the persons at that rung the numerator
rung_facts as (

    select
        'IMP_RUNG_DISTRIBUTION' as indicator_code,
        'value' as measure,
        population_cells.period_type,
        population_cells.period,
        population_cells.municipality_code,
        population_cells.target_group,
        cast(null as varchar) as action_code,
        ladder.rung_value,
        population_cells.n_persons as n_units,
        case when population_cells.rung = ladder.rung_value then population_cells.n_persons else 0 end as n_hits,
        cast(null as double) as amount
    from population_cells
    cross join ladder

),

-------------------------------------------------------------- 12-month flows

cohort_pairs as (

    select
        periods.period_type,
        periods.period,
        at_start.municipality_code,
        at_start.target_group,
        at_start.age_band,
        at_start.sex,
        at_start.benefit_type,
        at_start.rung,
        at_start.is_working,
        at_start.is_parttime,
        at_start.total_hours,
        at_start.works_in_growth_sector,
        after_flow.target_group as target_group_after,
        after_flow.rung as rung_after,
        after_flow.is_working as is_working_after,
        after_flow.total_hours as total_hours_after,
        after_flow.works_in_growth_sector as works_in_growth_sector_after
    from cohort_states as at_start
    inner join periods
        on at_start.state_date = periods.period_start
    -- int_population_at_quarter_starts holds population members only, so both
    -- joins keep persons in the population at s and at s + flow_months
    inner join cohort_states as after_flow
        on
            at_start.person_id = after_flow.person_id
            and after_flow.state_date = cast(at_start.state_date + to_months({{ var('flow_months') }}) as date)

),

cohort_cells as (

    select
        period_type,
        period,
        municipality_code,
        target_group,
        age_band,
        sex,
        benefit_type,
        count(*) as n_persons,
        count_if(rung_after > rung) as n_moved_up,
        count_if(rung <= 4) as n_not_working_rung,
        count_if(rung <= 4 and is_working_after) as n_not_working_rung_to_work,
        count_if(is_parttime and target_group_after = 'AH') as n_parttime_still_ah,
        count_if(is_parttime and target_group_after = 'AH' and total_hours_after > total_hours) as n_hours_up,
        count_if(not works_in_growth_sector) as n_outside_growth_sector,
        count_if(not works_in_growth_sector and works_in_growth_sector_after) as n_into_growth_sector
    from cohort_pairs
    group by
        period_type,
        period,
        municipality_code,
        target_group,
        age_band,
        sex,
        benefit_type

),

cohort_measures as (

    select
        'IMP_AV_UPWARD_12M' as indicator_code,
        *,
        n_persons as n_units,
        n_moved_up as n_hits
    from cohort_cells
    where target_group = 'AV'

    union all

    select
        'IMP_AV_TO_WORK_12M' as indicator_code,
        *,
        n_not_working_rung as n_units,
        n_not_working_rung_to_work as n_hits
    from cohort_cells
    where target_group = 'AV'

    union all

    select
        'IMP_AH_HOURS_UP_12M' as indicator_code,
        *,
        n_parttime_still_ah as n_units,
        n_hours_up as n_hits
    from cohort_cells
    where target_group = 'AH'

    union all

    select
        'IMP_AH_GROWTH_SECTOR_12M' as indicator_code,
        *,
        n_outside_growth_sector as n_units,
        n_into_growth_sector as n_hits
    from cohort_cells
    where target_group = 'AH'

),

-- IMP_AV_DURABLE_WORK: the first work start of each person in the period,
-- not working (hence AV) and in the population the day before, and in the
-- population var durable_work_months later
durable_work_starts as (

    select
        periods.period_type,
        periods.period,
        work_starts.municipality_code,
        work_starts.target_group,
        work_starts.age_band,
        work_starts.sex,
        work_starts.benefit_type,
        work_starts.is_working_at_follow_up
    from work_starts
    inner join periods
        on work_starts.work_start_date between periods.period_start and periods.period_end
    where
        work_starts.in_population_before
        and work_starts.in_population_at_follow_up
        and work_starts.target_group = 'AV'
        and periods.period_end + to_months({{ var('durable_work_months') }}) <= periods.as_of_date
    qualify row_number() over (
        partition by periods.period_type, periods.period, work_starts.person_id
        order by work_starts.work_start_date asc
    ) = 1

),

flow_facts as (

    select
        indicator_code,
        'value' as measure,
        period_type,
        period,
        municipality_code,
        target_group,
        cast(null as varchar) as action_code,
        age_band,
        sex,
        benefit_type,
        n_units,
        n_hits,
        cast(null as double) as amount
    from cohort_measures

    union all

    select
        'IMP_AV_DURABLE_WORK' as indicator_code,
        'value' as measure,
        period_type,
        period,
        municipality_code,
        target_group,
        cast(null as varchar) as action_code,
        age_band,
        sex,
        benefit_type,
        1 as n_units,
        case when is_working_at_follow_up then 1 else 0 end as n_hits,
        cast(null as double) as amount
    from durable_work_starts

),

-------------------------------------------------------------- employers

reached_employers as (

    select distinct
        periods.period_type,
        periods.period,
        employer_reach.employer_id
    from employer_reach
    inner join periods
        on employer_reach.reach_date between periods.period_start and periods.period_end

),

-- IMP_WG_EMPLOYEES_LLO: jobs at region employers active at the peildatum held
-- by population members, by whether the employer was reached in the period.
-- Counted per job, as employees of their employer: a person working for two
-- employers is an employee of both. The indicator (TOTAAL) is the employees of
-- reached employers; the breakdown reached gives JA (the same) and NEE, the
-- employees of employers not reached, to compare with.
employee_jobs as (

    select distinct
        complete_population.period_type,
        complete_population.period,
        employers.municipality_code,
        employers.employer_id,
        complete_population.person_id,
        complete_population.has_llo_12m,
        case when reached_employers.employer_id is null then 'NEE' else 'JA' end as reached
    from complete_population
    inner join employment
        on
            complete_population.person_id = employment.person_id
            and {{ is_active_at('employment.start_date', 'employment.end_date', 'complete_population.peildatum') }}
    inner join employers
        on employment.employer_id = employers.employer_id
    left join reached_employers
        on
            employment.employer_id = reached_employers.employer_id
            and complete_population.period_type = reached_employers.period_type
            and complete_population.period = reached_employers.period

),

employee_facts as (

    select
        'IMP_WG_EMPLOYEES_LLO' as indicator_code,
        'value' as measure,
        period_type,
        period,
        municipality_code,
        'WG' as target_group,
        cast(null as varchar) as action_code,
        reached,
        count(*) as n_units,
        count_if(has_llo_12m) as n_hits,
        cast(null as double) as amount
    from employee_jobs
    group by
        period_type,
        period,
        municipality_code,
        reached

),

-------------------------------------------------------------- rows

stock_cells as (

    {{ indicator_rollup(
        'stock_facts', breakdowns=var('person_breakdowns'), with_all_groups=true, distinct_units=false
    ) }}

),

rung_cells as (

    {{ indicator_rollup(
        'rung_facts', breakdowns=[['rung', 'rung_value']], with_all_groups=true, distinct_units=false
    ) }}

),

flow_cells as (

    {{ indicator_rollup('flow_facts', breakdowns=var('person_breakdowns'), distinct_units=false) }}

),

employee_cells_by_reach as (

    {{ indicator_rollup('employee_facts', breakdowns=['reached'], distinct_units=false) }}

),

employee_cells as (

    select *
    from employee_cells_by_reach
    where breakdown = 'reached'

    union all

    select * replace ('TOTAAL' as breakdown, 'TOTAAL' as breakdown_value)
    from employee_cells_by_reach
    where breakdown = 'reached' and breakdown_value = 'JA'

),

all_cells as (

    select * from stock_cells
    union all
    select * from rung_cells
    union all
    select * from flow_cells
    union all
    select * from employee_cells

),

-- an indicator of a single target group keeps only that group's rows; the
-- rung distribution is given for the whole population (in AH everybody is at
-- rung 7) and for the breakdown rung only (no TOTAAL: the shares add up to 1)
kept_cells as (

    select all_cells.*
    from all_cells
    inner join catalogue
        on all_cells.indicator_code = catalogue.indicator_code
    where
        (catalogue.target_group = 'ALL' or all_cells.target_group = catalogue.target_group)
        and not (
            all_cells.indicator_code = 'IMP_RUNG_DISTRIBUTION'
            and (all_cells.breakdown = 'TOTAAL' or all_cells.target_group != 'ALL')
        )

),

indicator_rows as (

    {{ indicator_rows('kept_cells', 'periods', 'catalogue') }}

),

final as (

    {{ disclosure_control('indicator_rows') }}

)

select * from final
