-- Outcome indicators (catalogue layer outcome): survey answers and coach
-- assessments per question. Measures: the mean score on the question's own
-- scale (value) and the share of answers at or above its positive threshold
-- over all answers of the period (breakdown measurement: VOOR, NA,
-- EENMALIG); over the VOOR/NA pairs whose NA answer falls in the period, the
-- share improved and the mean change. Rows keep the catalogue's target group
-- (the question's audience); the respondent's own group at the answer date
-- is the breakdown target_group.
with

answers as (

    select * from {{ ref('int_survey_answers') }}

),

pairs as (

    select * from {{ ref('int_survey_pairs') }}

),

states as (

    select * from {{ ref('int_person_states_at_activity_dates') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

catalogue as (

    select * from {{ ref('indicators') }}

),

-- a resident is placed by residence at the answer date, else where the event
-- was; an employer where it is established; else REGIO only
placed_answers as (

    select
        answers.answer_id,
        answers.indicator_code,
        answers.action_code,
        answers.measurement,
        answers.answer_date,
        answers.score,
        answers.is_positive,
        catalogue.target_group,
        coalesce(states.municipality_code, answers.employer_municipality_code, answers.event_municipality_code)
            as municipality_code,
        coalesce(states.target_group, case when answers.respondent_type = 'WERKGEVER' then 'WG' end)
            as respondent_group,
        states.age_band,
        states.sex,
        states.benefit_type
    from answers
    inner join catalogue
        on answers.indicator_code = catalogue.indicator_code
    left join states
        on
            answers.person_id = states.person_id
            and answers.answer_date = states.state_date
            and states.in_population
    where catalogue.layer = 'outcome'

),

answer_measures as (

    select unnest(['value', 'share_positive']) as measure

),

pair_measures as (

    select unnest(['share_improved', 'mean_change']) as measure

),

answer_facts as (

    select
        placed_answers.indicator_code,
        answer_measures.measure,
        periods.period_type,
        periods.period,
        placed_answers.municipality_code,
        placed_answers.target_group,
        placed_answers.action_code,
        placed_answers.respondent_group,
        placed_answers.measurement,
        placed_answers.age_band,
        placed_answers.sex,
        placed_answers.benefit_type,
        1 as n_units,
        case when placed_answers.is_positive then 1 else 0 end as n_hits,
        case when answer_measures.measure = 'value' then placed_answers.score end as amount
    from placed_answers
    inner join periods
        on placed_answers.answer_date between periods.period_start and periods.period_end
    cross join answer_measures

),

-- a pair counts in the period of its NA answer and is placed like that answer;
-- answers and pairs occur once per period and measure, so their counts add up
pair_facts as (

    select
        pairs.indicator_code,
        pair_measures.measure,
        periods.period_type,
        periods.period,
        placed_answers.municipality_code,
        placed_answers.target_group,
        pairs.action_code,
        placed_answers.respondent_group,
        placed_answers.age_band,
        placed_answers.sex,
        placed_answers.benefit_type,
        1 as n_units,
        case when pairs.is_improved then 1 else 0 end as n_hits,
        case when pair_measures.measure = 'mean_change' then cast(pairs.score_change as double) end as amount
    from pairs
    inner join placed_answers
        on pairs.follow_up_answer_id = placed_answers.answer_id
    inner join periods
        on pairs.follow_up_date between periods.period_start and periods.period_end
    cross join pair_measures

),

answer_cells as (

    {{ indicator_rollup(
        'answer_facts',
        breakdowns=[['target_group', 'respondent_group'], 'measurement'] + var('person_breakdowns'),
        by_action=true,
        distinct_units=false,
        action_breakdowns=['target_group', 'measurement']
    ) }}

),

pair_cells as (

    {{ indicator_rollup(
        'pair_facts',
        breakdowns=[['target_group', 'respondent_group']] + var('person_breakdowns'),
        by_action=true,
        distinct_units=false,
        action_breakdowns=['target_group']
    ) }}

),

all_cells as (

    select * from answer_cells
    union all
    select * from pair_cells

),

indicator_rows as (

    {{ indicator_rows('all_cells', 'periods', 'catalogue') }}

),

final as (

    {{ disclosure_control('indicator_rows', quarters_add_up=true) }}

)

select * from final
