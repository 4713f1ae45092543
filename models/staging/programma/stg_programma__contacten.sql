with

source as (

    select * from {{ source('programma', 'contacten') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        contact_id,
        person_id,

        ---------- strings
        actie_code as action_code,
        kanaal as channel,

        ---------- dates
        datum as contact_date,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
