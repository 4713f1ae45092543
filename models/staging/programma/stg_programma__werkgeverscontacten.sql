with

source as (

    select * from {{ source('programma', 'werkgeverscontacten') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        contact_id as employer_contact_id,
        werkgever_id as employer_id,

        ---------- strings
        actie_code as action_code,
        type as contact_type,

        ---------- dates
        datum as contact_date,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
