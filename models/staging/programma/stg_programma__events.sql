with

source as (

    select * from {{ source('programma', 'events') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        event_id,

        ---------- strings
        actie_code as action_code,
        {{ current_municipality_code('gemeentecode') }} as municipality_code,
        doelgroep as target_group,
        naam as event_name,

        ---------- dates
        datum as event_date,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
