-- Output indicators (catalogue layer output): what the programme did and for
-- whom, per period (the running period included, is_complete = false),
-- municipality, action and target group. A person's group, municipality, age
-- band, sex and benefit are taken at the date of the event, contact,
-- trajectory start or answer (int_person_states_at_activity_dates); rung 5
-- and 6 are stocks at the peildatum of complete periods.
with

attendances as (

    select * from {{ ref('int_event_attendances') }}

),

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

employer_reach as (

    select * from {{ ref('int_employer_reach') }}

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

catalogue as (

    select * from {{ ref('indicators') }}

),

-------------------------------------------------------------- events

-- OUT_AV/AH_EVENT_PARTICIPANTS: named visitors by their group at the event
-- date, anonymous visitors by the working status they reported; each
-- anonymous attendance counts as one participant. Placed where the event was.
-- A visitor who came for an employer counts for OUT_WG_REACHED instead.
event_visitors as (

    select
        case
            when attendances.person_id is not null and states.target_group = 'AV' then 'OUT_AV_EVENT_PARTICIPANTS'
            when attendances.person_id is not null and states.target_group = 'AH' then 'OUT_AH_EVENT_PARTICIPANTS'
            when attendances.person_id is null and not attendances.reported_working then 'OUT_AV_EVENT_PARTICIPANTS'
            when attendances.person_id is null and attendances.reported_working then 'OUT_AH_EVENT_PARTICIPANTS'
        end as indicator_code,
        coalesce(attendances.person_id, attendances.attendance_id) as unit_key,
        attendances.event_date as fact_date,
        attendances.municipality_code,
        coalesce(states.target_group, case when attendances.reported_working then 'AH' else 'AV' end) as target_group,
        attendances.action_code,
        states.age_band,
        states.sex,
        states.benefit_type
    from attendances
    left join states
        on
            attendances.person_id = states.person_id
            and attendances.event_date = states.state_date
    where attendances.employer_id is null

),

-------------------------------------------------------------- contacts

contacts as (

    select
        participations.participation_id as contact_id,
        participations.person_id,
        participations.action_code,
        participations.start_date as contact_date,
        states.municipality_code,
        states.target_group,
        states.is_parttime,
        states.age_band,
        states.sex,
        states.benefit_type
    from participations
    inner join states
        on
            participations.person_id = states.person_id
            and participations.start_date = states.state_date
    where participations.participation_type = 'CONTACT' and states.in_population

),

contact_facts as (

    select
        'OUT_AV_CONTACTS' as indicator_code,
        contact_id as unit_key,
        contact_date as fact_date,
        municipality_code,
        target_group,
        action_code,
        age_band,
        sex,
        benefit_type
    from contacts
    where target_group = 'AV'

    union all

    select
        'OUT_AV_CONTACT_PERSONS' as indicator_code,
        person_id as unit_key,
        contact_date as fact_date,
        municipality_code,
        target_group,
        action_code,
        age_band,
        sex,
        benefit_type
    from contacts
    where target_group = 'AV'

    union all

    select
        'OUT_AH_PARTTIMERS_CONTACTED' as indicator_code,
        person_id as unit_key,
        contact_date as fact_date,
        municipality_code,
        target_group,
        action_code,
        age_band,
        sex,
        benefit_type
    from contacts
    where target_group = 'AH' and is_parttime

),

-------------------------------------------------------------- referrals

-- OUT_AV_REFERRED_R1-R4: AV persons starting a trajectory of an instrument of
-- that rung (seed instruments), in or outside the programme
referral_facts as (

    select
        'OUT_AV_REFERRED_R' || trajectories.rung as indicator_code,
        trajectories.person_id as unit_key,
        trajectories.start_date as fact_date,
        states.municipality_code,
        states.target_group,
        trajectories.action_code,
        states.age_band,
        states.sex,
        states.benefit_type
    from trajectories
    inner join states
        on
            trajectories.person_id = states.person_id
            and trajectories.start_date = states.state_date
    where trajectories.rung between 1 and 4 and states.target_group = 'AV'

),

-------------------------------------------------------------- certificates

-- post-initial activities ended with a diploma or (partial) certificate;
-- placed by residence at the end date, the day the certificate was obtained
certified_activities as (

    select
        learning_activities.activity_id,
        learning_activities.person_id,
        learning_activities.action_code,
        learning_activities.end_date,
        learning_activities.learning_form,
        learning_activities.study_hours,
        at_start.target_group as target_group_at_start,
        at_end.in_population as in_population_at_end,
        at_end.municipality_code,
        at_end.target_group as target_group_at_end,
        at_end.age_band,
        at_end.sex,
        at_end.benefit_type
    from learning_activities
    inner join states as at_start
        on
            learning_activities.person_id = at_start.person_id
            and learning_activities.start_date = at_start.state_date
    inner join states as at_end
        on
            learning_activities.person_id = at_end.person_id
            and learning_activities.end_date = at_end.state_date
    where
        learning_activities.is_post_initial
        and learning_activities.result in ('DIPLOMA', 'CERTIFICAAT', 'DEELCERTIFICAAT')

),

certificate_indicators as (

    select unnest(['OUT_AH_FORMAL_CERT_PERSONS', 'OUT_AH_FORMAL_CERT_HOURS']) as indicator_code

),

certificate_facts as (

    -- OUT_AH_FORMAL_CERT_PERSONS and _HOURS: in AH at the activity's start
    select
        certificate_indicators.indicator_code,
        certified_activities.person_id as unit_key,
        certified_activities.end_date as fact_date,
        certified_activities.municipality_code,
        'AH' as target_group,
        certified_activities.action_code,
        certified_activities.age_band,
        certified_activities.sex,
        certified_activities.benefit_type,
        certified_activities.study_hours as amount
    from certified_activities
    cross join certificate_indicators
    where
        certified_activities.target_group_at_start = 'AH'
        and certified_activities.learning_form = 'FORMEEL'
        and certified_activities.in_population_at_end

),

-- OUT_CERTIFICATES: every such activity of a population member, by the group
-- at the end date; an activity ends once, so the counts add up
certificate_count_facts as (

    select
        'OUT_CERTIFICATES' as indicator_code,
        'value' as measure,
        periods.period_type,
        periods.period,
        certified_activities.municipality_code,
        certified_activities.target_group_at_end as target_group,
        certified_activities.action_code,
        certified_activities.age_band,
        certified_activities.sex,
        certified_activities.benefit_type,
        1 as n_units,
        0 as n_hits,
        cast(null as double) as amount
    from certified_activities
    inner join periods
        on certified_activities.end_date between periods.period_start and periods.period_end
    where certified_activities.in_population_at_end

),

-------------------------------------------------------------- employers

-- OUT_WG_REACHED: distinct region employers with a contact or an event
-- attendance, placed where they are established
employer_facts as (

    select
        'OUT_WG_REACHED' as indicator_code,
        employer_id as unit_key,
        reach_date as fact_date,
        municipality_code,
        'WG' as target_group,
        action_code
    from employer_reach

),

-------------------------------------------------------------- satisfaction

-- OUT_SATISFACTION_*: mean score of the question, and the share of answers at
-- or above its positive threshold. A resident is placed by residence at the
-- answer date, else where the event was; an employer where it is
-- established; an answer that cannot be placed counts for REGIO only. The
-- respondent's group at the answer date is the breakdown target_group.
answer_facts as (

    select
        answers.indicator_code,
        answers.answer_date as fact_date,
        coalesce(states.municipality_code, answers.employer_municipality_code, answers.event_municipality_code)
            as municipality_code,
        catalogue.target_group,
        answers.action_code,
        coalesce(states.target_group, case when answers.respondent_type = 'WERKGEVER' then 'WG' end)
            as respondent_group,
        states.age_band,
        states.sex,
        states.benefit_type,
        answers.is_positive,
        answers.score
    from answers
    inner join catalogue
        on answers.indicator_code = catalogue.indicator_code
    left join states
        on
            answers.person_id = states.person_id
            and answers.answer_date = states.state_date
            and states.in_population
    where catalogue.layer = 'output'

),

-------------------------------------------------------------- stocks

-- OUT_AV_PARTTIME_SUPPORTED (rung 5) and OUT_AV_WORKERS_SUPPORTED (rung 6)
supported_facts as (

    select
        case population.rung
            when 5 then 'OUT_AV_PARTTIME_SUPPORTED'
            when 6 then 'OUT_AV_WORKERS_SUPPORTED'
        end as indicator_code,
        'value' as measure,
        periods.period_type,
        periods.period,
        population.municipality_code,
        population.target_group,
        cast(null as varchar) as action_code,
        population.age_band,
        population.sex,
        population.benefit_type,
        count(*) as n_units,
        0 as n_hits,
        cast(null as double) as amount
    from population
    inner join periods
        on population.peildatum = periods.peildatum
    where periods.is_complete and population.rung in (5, 6)
    group by
        population.rung,
        periods.period_type,
        periods.period,
        population.municipality_code,
        population.target_group,
        population.age_band,
        population.sex,
        population.benefit_type

),

-------------------------------------------------------------- per period

person_facts as (

    select
        person_activity.indicator_code,
        'value' as measure,
        periods.period_type,
        periods.period,
        person_activity.municipality_code,
        person_activity.target_group,
        person_activity.action_code,
        person_activity.age_band,
        person_activity.sex,
        person_activity.benefit_type,
        person_activity.unit_key,
        cast(null as boolean) as is_hit,
        person_activity.amount
    from (
        select
            *,
            cast(null as double) as amount
        from event_visitors
        union all
        select
            *,
            cast(null as double) as amount
        from contact_facts
        union all
        select
            *,
            cast(null as double) as amount
        from referral_facts
        union all
        select * from certificate_facts
    ) as person_activity
    inner join periods
        on person_activity.fact_date between periods.period_start and periods.period_end
    where person_activity.indicator_code is not null

),

employer_period_facts as (

    select
        employer_facts.indicator_code,
        'value' as measure,
        periods.period_type,
        periods.period,
        employer_facts.municipality_code,
        employer_facts.target_group,
        employer_facts.action_code,
        employer_facts.unit_key,
        cast(null as boolean) as is_hit,
        cast(null as double) as amount
    from employer_facts
    inner join periods
        on employer_facts.fact_date between periods.period_start and periods.period_end

),

answer_measures as (

    select unnest(['value', 'share_positive']) as measure

),

answer_period_facts as (

    select
        answer_facts.indicator_code,
        answer_measures.measure,
        periods.period_type,
        periods.period,
        answer_facts.municipality_code,
        answer_facts.target_group,
        answer_facts.action_code,
        answer_facts.respondent_group,
        answer_facts.age_band,
        answer_facts.sex,
        answer_facts.benefit_type,
        1 as n_units,
        case when answer_facts.is_positive then 1 else 0 end as n_hits,
        case when answer_measures.measure = 'value' then answer_facts.score end as amount
    from answer_facts
    inner join periods
        on answer_facts.fact_date between periods.period_start and periods.period_end
    cross join answer_measures

),

person_cells as (

    {{ indicator_rollup('person_facts', breakdowns=var('person_breakdowns'), by_action=true) }}

),

certificate_count_cells as (

    {{ indicator_rollup(
        'certificate_count_facts',
        breakdowns=var('person_breakdowns'),
        by_action=true,
        with_all_groups=true,
        distinct_units=false
    ) }}

),

supported_cells as (

    {{ indicator_rollup('supported_facts', breakdowns=var('person_breakdowns'), distinct_units=false) }}

),

employer_cells as (

    {{ indicator_rollup('employer_period_facts', by_action=true) }}

),

answer_cells as (

    {{ indicator_rollup(
        'answer_period_facts',
        breakdowns=[['target_group', 'respondent_group']] + var('person_breakdowns'),
        by_action=true,
        distinct_units=false,
        action_breakdowns=['target_group']
    ) }}

),

all_cells as (

    select * from person_cells
    union all
    select * from certificate_count_cells
    union all
    select * from supported_cells
    union all
    select * from employer_cells
    union all
    select * from answer_cells

),

-- an indicator of a single target group keeps only that group's rows
kept_cells as (

    select all_cells.*
    from all_cells
    inner join catalogue
        on all_cells.indicator_code = catalogue.indicator_code
    where catalogue.target_group = 'ALL' or all_cells.target_group = catalogue.target_group

),

indicator_rows as (

    {{ indicator_rows('kept_cells', 'periods', 'catalogue') }}

),

final as (

    {{ disclosure_control('indicator_rows', quarters_add_up=true) }}

)

select * from final
