with

source as (

    select * from {{ source('gemeente', 'brp_verblijf') }}
    {{ latest_delivery_only() }}

),

renamed as (

    select
        ---------- ids
        _supplier || '-' || _delivery_month || '-' || _line_number as residence_record_id,
        person_id,

        ---------- strings
        upper(geslacht) as sex,
        {{ current_municipality_code('gemeentecode') }} as municipality_code,
        postcode4,

        ---------- dates
        geboortedatum as birth_date,
        datum_inschrijving as start_date,
        datum_uitschrijving as end_date,
        datum_overlijden as death_date,

        ---------- delivery
        _supplier as supplier_code,
        _delivery_month as delivery_month,
        _line_number as source_line_number

    from source

)

select * from renamed
