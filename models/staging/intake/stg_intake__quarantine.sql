with

source as (

    select * from {{ source('intake', 'quarantine') }}

),

renamed as (

    select
        ---------- ids
        file_path,
        file_sha256,
        line_number,

        ---------- strings
        file_kind,
        source_name,
        supplier_code,
        delivery_month,
        check_code,
        column_name,
        delivered_value,
        reason,

        ---------- timestamps
        intake_at

    from source

)

select * from renamed
