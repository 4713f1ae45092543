-- LLO participation (IMP_LLO_12M, definitions.md section 4) per municipality at
-- the latest complete quarter, unsuppressed: for restricted analysts only.
with

impact as (

    select * from {{ ref('indicator_impact') }}

),

latest_quarter as (

    select max(period) as period
    from impact
    where indicator_code = 'IMP_LLO_12M' and period_type = 'quarter' and is_complete

),

final as (

    select
        impact.municipality_code,
        impact.numerator,
        impact.denominator,
        impact.value
    from impact
    inner join latest_quarter
        on impact.period = latest_quarter.period
    where
        impact.indicator_code = 'IMP_LLO_12M'
        and impact.period_type = 'quarter'
        and impact.target_group = 'ALL'
        and impact.breakdown = 'TOTAAL'
    order by impact.municipality_code

)

select * from final
