-- Pairs of a VOOR (baseline) and a NA (follow-up) answer by the same
-- respondent on the same question for the same action (definitions.md
-- section 5, outcome). With several answers, the first VOOR is paired with the
-- last NA on or after it: the change over the whole trajectory.
with

answers as (

    select * from {{ ref('int_survey_answers') }}
    where respondent_id is not null

),

first_baselines as (

    select
        respondent_type,
        respondent_id,
        action_code,
        question_code,
        answer_id,
        score,
        answer_date
    from answers
    where measurement = 'VOOR'
    qualify row_number() over (
        partition by respondent_type, respondent_id, action_code, question_code
        order by answer_date asc, answer_id asc
    ) = 1

),

last_follow_ups as (

    select
        answers.respondent_type,
        answers.respondent_id,
        answers.action_code,
        answers.question_code,
        answers.indicator_code,
        answers.answer_id,
        answers.score,
        answers.answer_date,
        first_baselines.answer_id as baseline_answer_id,
        first_baselines.score as baseline_score,
        first_baselines.answer_date as baseline_date
    from answers
    inner join first_baselines
        on
            answers.respondent_type = first_baselines.respondent_type
            and answers.respondent_id = first_baselines.respondent_id
            and answers.action_code is not distinct from first_baselines.action_code
            and answers.question_code = first_baselines.question_code
            and answers.answer_date >= first_baselines.answer_date
    where answers.measurement = 'NA'
    qualify row_number() over (
        partition by answers.respondent_type, answers.respondent_id, answers.action_code, answers.question_code
        order by answers.answer_date desc, answers.answer_id desc
    ) = 1

),

final as (

    select
        answer_id as follow_up_answer_id,
        baseline_answer_id,
        respondent_type,
        respondent_id,
        action_code,
        question_code,
        indicator_code,
        baseline_score,
        score as follow_up_score,
        score - baseline_score as score_change,
        score > baseline_score as is_improved,
        baseline_date,
        answer_date as follow_up_date
    from last_follow_ups

)

select * from final
