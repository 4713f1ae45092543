with

source as (

    select * from {{ source('gemeente', 'trajecten') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        traject_id as trajectory_id,
        person_id,

        ---------- strings
        actie_code as action_code,
        instrument,
        reden_einde as end_reason,

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
