-- definitions.md section 6, secondary suppression (macro disclosure_control):
-- no group of cells that add up to a total may hold exactly one suppressed
-- cell next to a shown one, or the suppressed cell could be derived by
-- subtraction. Groups: the values of one breakdown (they add up to TOTAAL)
-- and the municipalities (they add up to REGIO). Returns the offending groups.
with

indicators as (

    select * from {{ ref('indicator_all') }}

),

breakdown_groups as (

    select
        'breakdown' as group_kind,
        indicator_code,
        measure,
        period_type,
        period,
        municipality_code,
        target_group,
        action_code,
        breakdown,
        null as breakdown_value,
        count(*) filter (where is_suppressed) as suppressed_cells,
        count(*) filter (where not is_suppressed) as shown_cells
    from indicators
    where breakdown != 'TOTAAL'
    group by
        indicator_code,
        measure,
        period_type,
        period,
        municipality_code,
        target_group,
        action_code,
        breakdown

),

municipality_groups as (

    select
        'municipality' as group_kind,
        indicator_code,
        measure,
        period_type,
        period,
        null as municipality_code,
        target_group,
        action_code,
        breakdown,
        breakdown_value,
        count(*) filter (where is_suppressed) as suppressed_cells,
        count(*) filter (where not is_suppressed) as shown_cells
    from indicators
    where municipality_code != 'REGIO'
    group by
        indicator_code,
        measure,
        period_type,
        period,
        target_group,
        action_code,
        breakdown,
        breakdown_value

),

final as (

    select * from breakdown_groups
    where suppressed_cells = 1 and shown_cells > 0

    union all

    select * from municipality_groups
    where suppressed_cells = 1 and shown_cells > 0

)

select * from final
