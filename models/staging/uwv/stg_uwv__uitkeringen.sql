with

source as (

    select * from {{ source('uwv', 'uitkeringen') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        _supplier || '-' || _delivery_month || '-' || _line_number as benefit_id,
        person_id,

        ---------- strings
        uitkeringssoort as benefit_kind,

        ---------- dates
        ingangsdatum as start_date,
        einddatum as end_date,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
