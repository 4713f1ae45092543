-- Published delivery quality (delivery contract section 5): the intake manifest
-- per delivered file version, counts only. Left out: the sha256 (64 hex
-- characters, indistinguishable from a pseudonym for the publish check; its
-- first 12 characters still identify the version), the file size (a 9-digit
-- number of bytes looks like a bsn to the check), the archive path (a path
-- into the restricted area) and the warnings in words (codes suffice).
{{ config(alias='delivery_files', schema='published', materialized='view') }}

with

manifest as (

    select * from {{ ref('stg_intake__manifest') }}

),

final as (

    select
        file_path,
        left(file_sha256, 12) as file_version,
        file_kind,
        source_name,
        supplier_code,
        delivery_month,
        status,
        is_latest_delivery,
        rows_read,
        rows_accepted,
        rows_quarantined,
        bsn_padded_rows,
        encoding,
        delimiter,
        warning_codes,
        extra_columns,
        duplicate_of,
        message,
        intake_at
    from manifest

)

select * from final
