with

source as (

    select * from {{ source('gemeente', 'participatieladder') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        _supplier || '-' || _delivery_month || '-' || _line_number as measurement_id,
        person_id,

        ---------- numerics
        trede as participation_rung,

        ---------- dates
        meetdatum as measured_on,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
