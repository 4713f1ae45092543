with

indicators as (

    select * from {{ ref('indicators') }}

),

final as (

    select
        indicator_code,
        layer,
        target_group,
        unit,
        name_nl,
        definition
    from indicators

)

select * from final
