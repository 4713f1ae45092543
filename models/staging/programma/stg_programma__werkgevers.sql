with

source as (

    select * from {{ source('programma', 'werkgevers') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        werkgever_id as employer_id,

        ---------- strings
        upper(sbi_code) as sbi_code,
        {{ current_municipality_code('gemeentecode') }} as municipality_code,

        ---------- numerics
        aantal_werknemers as employee_count,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
