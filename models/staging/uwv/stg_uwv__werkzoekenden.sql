with

source as (

    select * from {{ source('uwv', 'werkzoekenden') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        _supplier || '-' || _delivery_month || '-' || _line_number as registration_id,
        person_id,

        ---------- dates
        datum_inschrijving as start_date,
        datum_uitschrijving as end_date,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
