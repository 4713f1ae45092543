-- Input indicators (catalogue layer input): per action per quarter from
-- programma/inzet, and per year: budget, spent, staff hours and material as
-- the sum of the year's quarters, FTE as their mean (quarters delivered).
-- ALLE is the sum over the actions (its FTE per year the mean of the quarterly
-- sums). Cost per participant = spent / distinct persons taking part in the
-- action in the period (trajectory active, event attended or contact made);
-- for ALLE, spent of all actions / distinct persons in any action. The
-- programme reports its inputs for the region as a whole: REGIO only.
with

inputs as (

    select * from {{ ref('stg_programma__inzet') }}

),

participations as (

    select * from {{ ref('int_action_participations') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

catalogue as (

    select * from {{ ref('indicators') }}

),

inputs_in_quarters as (

    select
        periods.period,
        periods.period_start,
        inputs.action_code,
        inputs.budget_eur,
        inputs.spent_eur,
        inputs.fte,
        inputs.staff_hours,
        inputs.material_eur
    from inputs
    inner join periods
        on
            periods.period_type = 'quarter'
            and inputs.quarter_code = periods.period

),

quarter_inputs as (

    select
        period,
        period_start,
        case when grouping(action_code) = 1 then 'ALLE' else action_code end as action_code,
        sum(budget_eur) as budget_eur,
        sum(spent_eur) as spent_eur,
        sum(fte) as fte,
        sum(staff_hours) as staff_hours,
        sum(material_eur) as material_eur
    from inputs_in_quarters
    group by grouping sets ((period, period_start, action_code), (period, period_start))

),

period_inputs as (

    select
        'quarter' as period_type,
        period,
        action_code,
        budget_eur,
        spent_eur,
        fte,
        staff_hours,
        material_eur
    from quarter_inputs

    union all

    select
        'year' as period_type,
        cast(year(period_start) as varchar) as period,
        action_code,
        sum(budget_eur) as budget_eur,
        sum(spent_eur) as spent_eur,
        avg(fte) as fte,
        sum(staff_hours) as staff_hours,
        sum(material_eur) as material_eur
    from quarter_inputs
    group by year(period_start), action_code

),

participations_in_periods as (

    select
        periods.period_type,
        periods.period,
        participations.action_code,
        participations.person_id
    from participations
    inner join periods
        on {{ is_active_in_window(
            'participations.start_date', 'participations.end_date', 'periods.period_start', 'periods.period_end'
        ) }}
    where participations.participation_type in ('TRAJECT', 'EVENT', 'CONTACT')

),

participants as (

    select
        period_type,
        period,
        case when grouping(action_code) = 1 then 'ALLE' else action_code end as action_code,
        count(distinct person_id) as n_participants
    from participations_in_periods
    group by grouping sets ((period_type, period, action_code), (period_type, period))

),

amounts as (

    select
        'IN_BUDGET_EUR' as indicator_code,
        period_type,
        period,
        action_code,
        budget_eur as numerator
    from period_inputs

    union all

    select
        'IN_SPENT_EUR' as indicator_code,
        period_type,
        period,
        action_code,
        spent_eur as numerator
    from period_inputs

    union all

    select
        'IN_FTE' as indicator_code,
        period_type,
        period,
        action_code,
        fte as numerator
    from period_inputs

    union all

    select
        'IN_STAFF_HOURS' as indicator_code,
        period_type,
        period,
        action_code,
        staff_hours as numerator
    from period_inputs

    union all

    select
        'IN_MATERIAL_EUR' as indicator_code,
        period_type,
        period,
        action_code,
        material_eur as numerator
    from period_inputs

),

input_cells as (

    select
        indicator_code,
        period_type,
        period,
        action_code,
        numerator,
        cast(null as double) as denominator,
        numerator as value
    from amounts
    where numerator is not null

    union all

    select
        'IN_COST_PER_PARTICIPANT' as indicator_code,
        period_inputs.period_type,
        period_inputs.period,
        period_inputs.action_code,
        period_inputs.spent_eur as numerator,
        coalesce(participants.n_participants, 0) as denominator,
        period_inputs.spent_eur / nullif(participants.n_participants, 0) as value
    from period_inputs
    left join participants
        on
            period_inputs.period_type = participants.period_type
            and period_inputs.period = participants.period
            and period_inputs.action_code = participants.action_code
    where period_inputs.spent_eur is not null

),

indicator_rows as (

    select
        input_cells.indicator_code,
        catalogue.layer,
        'value' as measure,
        input_cells.period_type,
        input_cells.period,
        periods.period_start,
        periods.period_end,
        periods.is_complete,
        'REGIO' as municipality_code,
        'ALL' as target_group,
        input_cells.action_code,
        'TOTAAL' as breakdown,
        'TOTAAL' as breakdown_value,
        cast(input_cells.numerator as double) as numerator,
        cast(input_cells.denominator as double) as denominator,
        cast(input_cells.value as double) as value,
        catalogue.unit
    from input_cells
    inner join catalogue
        on input_cells.indicator_code = catalogue.indicator_code
    inner join periods
        on
            input_cells.period_type = periods.period_type
            and input_cells.period = periods.period

),

final as (

    {{ disclosure_control('indicator_rows') }}

)

select * from final
