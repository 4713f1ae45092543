with

source as (

    select * from {{ source('uwv', 'dienstverbanden') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        _supplier || '-' || _delivery_month || '-' || _line_number as employment_id,
        person_id,
        werkgever_id as employer_id,

        ---------- strings
        upper(sbi_code) as sbi_code,
        contractsoort as contract_type,

        ---------- numerics
        uren_per_week as hours_per_week,

        ---------- dates
        datum_aanvang as start_date,
        datum_einde as end_date,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
