with

pw_benefits as (

    select * from {{ ref('stg_gemeente__pw_uitkeringen') }}

),

uwv_benefits as (

    select * from {{ ref('stg_uwv__uitkeringen') }}

),

final as (

    -- every regeling of the Participatiewet counts as benefit PW
    select
        benefit_id,
        person_id,
        'PW' as benefit_type,
        scheme,
        start_date,
        end_date
    from pw_benefits

    union all

    select
        benefit_id,
        person_id,
        'UWV' as benefit_type,
        benefit_kind as scheme,
        start_date,
        end_date
    from uwv_benefits

)

select * from final
