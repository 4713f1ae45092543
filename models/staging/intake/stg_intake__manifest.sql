with

source as (

    select * from {{ source('intake', 'manifest') }}

),

renamed as (

    select
        ---------- ids
        file_path,
        file_sha256,

        ---------- strings
        file_kind,
        source_name,
        supplier_code,
        delivery_month,
        status,
        encoding,
        delimiter,
        warning_codes,
        warnings,
        extra_columns,
        duplicate_of,
        message,
        archive_path,

        ---------- numerics
        rows_read,
        rows_accepted,
        rows_quarantined,
        bsn_padded_rows,
        size_bytes,

        ---------- booleans
        coalesce(
            status = 'ACCEPTED'
            and rows_accepted > 0
            and delivery_month = max(
                case when status = 'ACCEPTED' and rows_accepted > 0 then delivery_month end
            ) over (partition by file_kind, supplier_code),
            false
        ) as is_latest_delivery,

        ---------- timestamps
        intake_at

    from source

)

select * from renamed
