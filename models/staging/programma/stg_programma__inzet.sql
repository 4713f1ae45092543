with

source as (

    select * from {{ source('programma', 'inzet') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- strings
        actie_code as action_code,
        kwartaal as quarter_code,
        werkwijzen as working_methods,

        ---------- numerics
        budget_eur,
        besteed_eur as spent_eur,
        fte,
        uren as staff_hours,
        materieel_eur as material_eur,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
