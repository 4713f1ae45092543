with

activities as (

    select * from {{ ref('stg_onderwijs__leeractiviteiten') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

classified as (

    select
        activities.activity_id,
        activities.person_id,
        activities.provider_type,
        activities.education_type,
        activities.learning_form,
        activities.stap_category,
        activities.action_code,
        activities.start_date,
        activities.end_date,
        activities.study_hours,
        activities.result,
        -- definitions.md section 4: post-initial when it starts on or after the
        -- labour-market entry, or at the fallback age or older
        coalesce(
            activities.start_date >= persons.labour_market_entry_date
            or {{ age_in_years('persons.birth_date', 'activities.start_date') }}
            >= {{ var('post_initial_fallback_age') }},
            false
        ) as is_post_initial,
        -- self-study is informal whatever its vorm, so the three kinds exclude each other
        activities.learning_form = 'INFORMEEL' or activities.education_type = 'ZELFSTUDIE' as is_informal
    from activities
    left join persons
        on activities.person_id = persons.person_id

),

final as (

    select
        *,
        learning_form in ('FORMEEL', 'NON_FORMEEL') and not is_informal as is_formal_or_nonformal,
        learning_form = 'FORMEEL' and not is_informal as is_formal
    from classified

)

select * from final
