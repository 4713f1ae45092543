with

source as (

    select * from {{ source('onderwijs', 'leeractiviteiten') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        activiteit_id as activity_id,
        person_id,

        ---------- strings
        bron as provider_type,
        onderwijstype as education_type,
        vorm as learning_form,
        actie_code as action_code,
        resultaat as result,

        ---------- numerics
        stap_categorie as stap_category,
        uren as study_hours,

        ---------- booleans
        voltijd as is_fulltime,

        ---------- dates
        datum_start as start_date,
        datum_einde as end_date,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
