with

source as (

    select * from {{ source('gemeente', 'pw_uitkeringen') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        _supplier || '-' || _delivery_month || '-' || _line_number as benefit_id,
        person_id,

        ---------- strings
        regeling as scheme,

        ---------- dates
        datum_begin as start_date,
        datum_einde as end_date,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
