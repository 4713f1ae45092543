-- Survey answers and coach assessments with their question's scale and the
-- indicator the question feeds (seed survey_questions).
with

answers as (

    select * from {{ ref('stg_enquetes__antwoorden') }}

),

questions as (

    select * from {{ ref('survey_questions') }}

),

employers as (

    select * from {{ ref('int_region_employers') }}

),

events as (

    select * from {{ ref('stg_programma__events') }}

),

final as (

    select
        answers.answer_id,
        answers.respondent_type,
        answers.person_id,
        answers.employer_id,
        -- who answered: the person for residents, the employer for employers; empty when anonymous
        case answers.respondent_type
            when 'INWONER' then answers.person_id
            when 'WERKGEVER' then answers.employer_id
        end as respondent_id,
        answers.event_id,
        answers.action_code,
        answers.measurement,
        answers.question_code,
        questions.indicator_code,
        answers.score,
        answers.score >= questions.positive_threshold as is_positive,
        answers.answer_date,
        employers.municipality_code as employer_municipality_code,
        events.municipality_code as event_municipality_code
    from answers
    inner join questions
        on answers.question_code = questions.question_code
    left join employers
        on answers.employer_id = employers.employer_id
    left join events
        on answers.event_id = events.event_id

)

select * from final
