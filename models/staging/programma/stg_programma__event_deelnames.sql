with

source as (

    select * from {{ source('programma', 'event_deelnames') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        _supplier || '-' || _delivery_month || '-' || _line_number as attendance_id,
        event_id,
        person_id,
        werkgever_id as employer_id,

        ---------- booleans
        werkend_opgegeven as reported_working,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
