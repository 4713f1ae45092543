with

source as (

    select * from {{ source('enquetes', 'antwoorden') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        antwoord_id as answer_id,
        person_id,
        werkgever_id as employer_id,
        event_id,

        ---------- strings
        respondent_type,
        actie_code as action_code,
        meting as measurement,
        vraag_code as question_code,

        ---------- numerics
        score,

        ---------- dates
        datum as answer_date,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
