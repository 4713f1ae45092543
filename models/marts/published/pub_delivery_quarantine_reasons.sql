-- Published quarantine summary (delivery contract section 5): how many lines of
-- each delivered file were rejected for which check on which column. Aggregates
-- only: no line numbers, no delivered values and no reasons in words (those
-- quote the delivered values); suppliers find their lines in the restricted
-- quarantine.
{{ config(alias='delivery_quarantine_reasons', schema='published', materialized='view') }}

with

quarantine as (

    select * from {{ ref('stg_intake__quarantine') }}

),

final as (

    select
        file_path,
        left(file_sha256, 12) as file_version,
        file_kind,
        source_name,
        supplier_code,
        delivery_month,
        check_code,
        column_name,
        count(*) as rows_quarantined
    from quarantine
    group by
        file_path,
        file_sha256,
        file_kind,
        source_name,
        supplier_code,
        delivery_month,
        check_code,
        column_name

)

select * from final
