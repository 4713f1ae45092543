{#- The state of persons at dates: THE one place where the werkdefinitie
    (definitions.md section 1), the rung of the WIZ ladder (section 2), the target
    group (section 3) and the learning flags (section 4) are computed.

    `person_dates` names a CTE or relation with columns person_id and state_date
    (any dates, not only peildata). Returns a select with one row per distinct
    (person_id, state_date) pair; see the macro's yml for its columns. With
    population_only=true it returns the population members only, and skips the
    work for the others. Usage:

        states as (
            {{ person_state_at('my_person_dates') }}
        ),

    Every fact is an interval join on person_id and the date range of the
    intermediate models: person-days are never expanded. Each pair gets an
    integer pair_id so the facts are aggregated and joined back on a small key
    (at scale 1 about 12 million pairs). CTE names carry a `state_` prefix so
    they cannot shadow the caller's CTEs.

    For millions of pairs, let `person_dates` select from a table (a model
    materialised as table), not from joins in a CTE: DuckDB picks the build side
    of each interval join from the estimated row counts, and a CTE's estimate can
    be so small that it hashes the pairs instead of the spells (at scale 1 that
    ran out of memory; int_residents_at_peildata exists for this reason). -#}
{% macro person_state_at(person_dates, population_only=false) %}
    {%- set min_age = var('population_min_age') -%}
    {%- set max_age_exclusive = var('population_max_age_exclusive') -%}
    {%- set llo_window_start -%}
        cast(state_subjects.state_date - to_months({{ var('llo_window_months') }}) + to_days(1) as date)
    {%- endset -%}
    {%- set llo_short_window_start -%}
        cast(state_subjects.state_date - to_weeks({{ var('llo_short_window_weeks') }}) + to_days(1) as date)
    {%- endset -%}
    with

    state_distinct_pairs as (
        select distinct
            person_id,
            state_date
        from {{ person_dates }}
    ),

    state_pairs as (
        select
            person_id,
            state_date,
            row_number() over () as pair_id
        from state_distinct_pairs
    ),

    -- section 1: residence (at most one active interval), death and age
    state_residents as (
        select
            state_pairs.pair_id,
            state_pairs.person_id,
            state_pairs.state_date,
            residence.municipality_code,
            persons.sex,
            {{ age_in_years('persons.birth_date', 'state_pairs.state_date') }} as age,
            coalesce(persons.death_date <= state_pairs.state_date, false) as is_deceased
        from state_pairs
        left join {{ ref('int_residence_periods') }} as residence
            on
                state_pairs.person_id = residence.person_id
                and {{ is_active_at('residence.start_date', 'residence.end_date', 'state_pairs.state_date') }}
        left join {{ ref('int_persons') }} as persons
            on state_pairs.person_id = persons.person_id
    ),

    state_people as (
        select
            *,
            coalesce(
                municipality_code is not null
                and not is_deceased
                and age >= {{ min_age }}
                and age < {{ max_age_exclusive }},
                false
            ) as in_population
        from state_residents
    ),

    state_subjects as (
        select *
        from state_people
        {%- if population_only %}
        where in_population
        {%- endif %}
    ),

    state_employment as (
        select
            state_subjects.pair_id,
            sum(employment.hours_per_week) as total_hours,
            bool_or(employment.is_growth_sector) as works_in_growth_sector
        from state_subjects
        inner join {{ ref('int_employment_spells') }} as employment
            on
                state_subjects.person_id = employment.person_id
                and {{ is_active_at('employment.start_date', 'employment.end_date', 'state_subjects.state_date') }}
        group by state_subjects.pair_id
    ),

    state_benefits as (
        select
            state_subjects.pair_id,
            -- PW wins when a PW and a UWV benefit are both active
            case when bool_or(benefits.benefit_type = 'PW') then 'PW' else 'UWV' end as benefit_type
        from state_subjects
        inner join {{ ref('int_benefit_spells') }} as benefits
            on
                state_subjects.person_id = benefits.person_id
                and {{ is_active_at('benefits.start_date', 'benefits.end_date', 'state_subjects.state_date') }}
        group by state_subjects.pair_id
    ),

    state_trajectories as (
        select
            state_subjects.pair_id,
            bool_or(trajectories.is_lks and trajectories.rung = 4) as has_lks,
            bool_or(trajectories.is_support) as has_support,
            max(trajectories.rung) as highest_instrument_rung
        from state_subjects
        inner join {{ ref('int_trajectories') }} as trajectories
            on
                state_subjects.person_id = trajectories.person_id
                and {{ is_active_at('trajectories.start_date', 'trajectories.end_date', 'state_subjects.state_date') }}
        group by state_subjects.pair_id
    ),

    -- joined on the widest window; each flag then checks its own window
    state_learning as (
        select
            state_subjects.pair_id,
            bool_or(
                learning.is_formal_or_nonformal
                and {{ is_active_at('learning.start_date', 'learning.end_date', 'state_subjects.state_date') }}
            ) as is_learning,
            bool_or(
                learning.is_post_initial
                and learning.is_formal_or_nonformal
                and {{ is_active_in_window(
                    'learning.start_date', 'learning.end_date', llo_window_start, 'state_subjects.state_date'
                ) }}
            ) as has_llo_12m,
            bool_or(
                learning.is_post_initial
                and learning.is_formal_or_nonformal
                and {{ is_active_in_window(
                    'learning.start_date', 'learning.end_date', llo_short_window_start, 'state_subjects.state_date'
                ) }}
            ) as has_llo_4w,
            bool_or(
                learning.is_post_initial
                and learning.is_formal
                and {{ is_active_in_window(
                    'learning.start_date', 'learning.end_date', llo_window_start, 'state_subjects.state_date'
                ) }}
            ) as has_formal_12m,
            -- informal learning counts at any stage of life: only education is initial or post-initial
            bool_or(
                learning.is_informal
                and {{ is_active_in_window(
                    'learning.start_date', 'learning.end_date', llo_window_start, 'state_subjects.state_date'
                ) }}
            ) as has_informal_12m
        from state_subjects
        inner join {{ ref('int_learning_activities') }} as learning
            on
                state_subjects.person_id = learning.person_id
                and {{ is_active_in_window(
                    'learning.start_date',
                    'learning.end_date',
                    'least(' ~ llo_window_start ~ ', ' ~ llo_short_window_start ~ ')',
                    'state_subjects.state_date'
                ) }}
        group by state_subjects.pair_id
    ),

    state_facts as (
        select
            state_subjects.person_id,
            state_subjects.state_date,
            state_subjects.in_population,
            state_subjects.municipality_code,
            state_subjects.sex,
            state_subjects.age,
            state_employment.pair_id is not null as is_working,
            coalesce(state_employment.total_hours, 0) as total_hours,
            coalesce(state_employment.works_in_growth_sector, false) as works_in_growth_sector,
            coalesce(state_benefits.benefit_type, 'GEEN') as benefit_type,
            coalesce(state_trajectories.has_lks, false) as has_lks,
            coalesce(state_trajectories.has_support, false) as has_support,
            coalesce(state_trajectories.highest_instrument_rung, 0) as highest_instrument_rung,
            coalesce(state_learning.is_learning, false) as is_learning,
            coalesce(state_learning.has_llo_12m, false) as has_llo_12m,
            coalesce(state_learning.has_llo_4w, false) as has_llo_4w,
            coalesce(state_learning.has_formal_12m, false) as has_formal_12m,
            coalesce(state_learning.has_informal_12m, false) as has_informal_12m
        from state_subjects
        left join state_employment
            on state_subjects.pair_id = state_employment.pair_id
        left join state_benefits
            on state_subjects.pair_id = state_benefits.pair_id
        left join state_trajectories
            on state_subjects.pair_id = state_trajectories.pair_id
        left join state_learning
            on state_subjects.pair_id = state_learning.pair_id
    ),

    -- section 2: the rung; section 3: the target group
    state_rungs as (
        select
            *,
            benefit_type != 'GEEN' as has_benefit,
            is_working and total_hours < {{ var('fulltime_hours') }} as is_parttime,
            case
                when is_working and has_lks then 4
                when is_working and benefit_type != 'GEEN' then 5
                when is_working and has_support then 6
                when is_working then 7
                -- not working: the highest active instrument rung; learning counts as rung 3
                when is_learning then greatest(highest_instrument_rung, 3)
                else highest_instrument_rung
            end as rung
        from state_facts
    ),

    state_final as (
        select
            person_id,
            state_date,
            in_population,
            municipality_code,
            age,
            {{ age_band('age') }} as age_band,
            sex,
            is_working,
            total_hours,
            is_parttime,
            benefit_type,
            has_benefit,
            rung,
            case
                when not in_population then null
                when rung <= 6 then 'AV'
                else 'AH'
            end as target_group,
            has_llo_12m,
            has_llo_4w,
            has_formal_12m,
            has_informal_12m,
            works_in_growth_sector
        from state_rungs
    )

    select * from state_final
{% endmacro %}
