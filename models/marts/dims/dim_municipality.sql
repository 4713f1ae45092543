with

municipalities as (

    select * from {{ ref('municipalities') }}

),

final as (

    select
        municipality_code,
        municipality_name,
        province,
        false as is_region
    from municipalities

    union all

    -- the whole region, as indicator rows report it (definitions.md section 5)
    select
        'REGIO' as municipality_code,
        'Regio Groningen en Noord-Drenthe' as municipality_name,
        null as province,
        true as is_region
    from (select 1) as region_row (one)

)

select * from final
