-- definitions.md section 6, secondary suppression (macros disclosure_control
-- and secondary_suppression): no group of cells that add up to a total may
-- hold exactly one suppressed cell next to a shown one, or the suppressed cell
-- could be derived by subtraction. Groups: the values of one breakdown (they
-- add up to TOTAAL; not those of var non_additive_breakdowns), the
-- municipalities (to REGIO), in the output and outcome layers the quarters of
-- a year (to the year), and in action_effect the municipalities and the years
-- (to the window). Returns the offending groups.
with

indicators as (

    select * from {{ ref('indicator_all') }}

),

effects as (

    select * from {{ ref('action_effect') }}

),

indicator_cells as (

    select
        indicator_code,
        measure,
        period_type,
        period,
        case when period_type = 'quarter' then left(period, 4) end as quarter_year,
        municipality_code,
        target_group,
        action_code,
        breakdown,
        breakdown_value,
        layer in ('output', 'outcome') as quarters_add_up,
        is_suppressed
    from indicators

),

groups as (

    select
        'breakdown' as group_kind,
        indicator_code || ' ' || measure || ' ' || period || ' ' || municipality_code || ' ' || target_group
        || ' ' || action_code || ' ' || breakdown as group_key,
        is_suppressed
    from indicator_cells
    where breakdown != 'TOTAAL' and breakdown not in {{ non_additive_breakdowns() }}

    union all

    select
        'municipality' as group_kind,
        indicator_code || ' ' || measure || ' ' || period || ' ' || target_group || ' ' || action_code
        || ' ' || breakdown || ' ' || breakdown_value as group_key,
        is_suppressed
    from indicator_cells
    where municipality_code != 'REGIO'

    union all

    select
        'quarter' as group_kind,
        indicator_code || ' ' || measure || ' ' || quarter_year || ' ' || municipality_code || ' ' || target_group
        || ' ' || action_code || ' ' || breakdown || ' ' || breakdown_value as group_key,
        is_suppressed
    from indicator_cells
    where quarters_add_up and quarter_year is not null

    union all

    select
        'action_effect municipality' as group_kind,
        action_code || ' ' || target_group || ' ' || period as group_key,
        is_suppressed
    from effects
    where municipality_code != 'REGIO'

    union all

    select
        'action_effect year' as group_kind,
        action_code || ' ' || target_group || ' ' || municipality_code as group_key,
        is_suppressed
    from effects
    where period_type = 'year'

),

final as (

    select
        group_kind,
        group_key,
        count(*) filter (where is_suppressed) as suppressed_cells,
        count(*) filter (where not is_suppressed) as shown_cells
    from groups
    group by group_kind, group_key
    having count(*) filter (where is_suppressed) = 1 and count(*) filter (where not is_suppressed) > 0

)

select * from final
