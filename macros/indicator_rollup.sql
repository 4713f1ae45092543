{#- Rolls indicator facts up to every reporting cell of definitions.md section 5:
    per municipality and for REGIO, per action and for ALLE (when by_action),
    per target group and for ALL (when with_all_groups), and for TOTAAL plus
    each breakdown in `breakdowns` (one breakdown at a time). The rows of a
    single action have only the breakdowns named in `action_breakdowns`: an
    action's participants split by municipality and age band, sex or benefit
    are nearly all below min_cell_size, so those cells would only be
    suppressed (see docs/interpretations.md).

    Every fact row is copied once into each kind of cell it counts for (the
    rollup_cells list), then one GROUP BY counts distinct units per cell: a
    person seen in two municipalities or actions in a period counts once in
    REGIO and in ALLE. (GROUPING SETS with DISTINCT aggregates gives the same
    result but was about six times slower on the region.)

    `facts` has the columns indicator_code, measure, period_type, period,
    municipality_code, target_group, action_code and the breakdown columns (a
    breakdown is named by its column, or given as [name, column]), and
    either
      - unit_key (what is counted: a person, contact, activity or employer),
        is_hit (whether the unit counts in a share's numerator) and amount (a
        score, change or hours to sum), when distinct_units; or
      - n_units, n_hits and amount already summed per fact row, when not
        distinct_units (cells in which every unit occurs once, e.g. persons at
        a peildatum or answers, so sums are exact).
    Returns indicator_code, measure, period_type, period, municipality_code,
    target_group, action_code, breakdown, breakdown_value, n_units, n_hits,
    amount. A fact without municipality (not resident in the region) counts
    for REGIO only; a fact without action (a regular instrument) for ALLE only;
    an empty breakdown value is reported as ONBEKEND. -#}
{% macro indicator_rollup(
    facts, breakdowns=[], by_action=false, with_all_groups=false, distinct_units=true, action_breakdowns=[]
) -%}
    {#- a breakdown is a column name, or [breakdown name, column] when they differ -#}
    {%- set breakdown_pairs = [] -%}
    {%- for breakdown in breakdowns -%}
        {%- do breakdown_pairs.append([breakdown, breakdown] if breakdown is string else breakdown) -%}
    {%- endfor -%}
    {%- set cells = [] -%}
    {%- for by_municipality in ['true', 'false'] -%}
        {%- for by_action_code in (['true', 'false'] if by_action else ['false']) -%}
            {%- for by_group in (['true', 'false'] if with_all_groups else ['true']) -%}
                {%- set cell_breakdowns = breakdown_pairs | map('first') | list -%}
                {%- if by_action_code == 'true' -%}
                    {%- set cell_breakdowns = cell_breakdowns | select('in', action_breakdowns) | list -%}
                {%- endif -%}
                {%- for breakdown_name in ['TOTAAL'] + cell_breakdowns -%}
                    {%- do cells.append("(" ~ by_municipality ~ ", " ~ by_action_code ~ ", " ~ by_group ~ ", '" ~ breakdown_name ~ "')") -%}
                {%- endfor -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    with

    rollup_cells as (

        select * from (
            values
            {{ cells | join(',\n            ') }}
        ) as cells (by_municipality, by_action, by_group, breakdown)

    ),

    rollup_expanded as (

        select
            facts.indicator_code,
            facts.measure,
            facts.period_type,
            facts.period,
            case when rollup_cells.by_municipality then facts.municipality_code else 'REGIO' end as municipality_code,
            case when rollup_cells.by_group then facts.target_group else 'ALL' end as target_group,
            case when rollup_cells.by_action then facts.action_code else 'ALLE' end as action_code,
            rollup_cells.breakdown,
            case rollup_cells.breakdown
                when 'TOTAAL' then 'TOTAAL'
                {%- for breakdown_name, column in breakdown_pairs %}
                when '{{ breakdown_name }}' then coalesce(cast(facts.{{ column }} as varchar), 'ONBEKEND')
                {%- endfor %}
            end as breakdown_value,
            {% if distinct_units -%}
            facts.unit_key,
            facts.is_hit,
            {%- else -%}
            facts.n_units,
            facts.n_hits,
            {%- endif %}
            facts.amount
        from {{ facts }} as facts
        cross join rollup_cells
        where
            (not rollup_cells.by_municipality or facts.municipality_code is not null)
            and (not rollup_cells.by_action or facts.action_code is not null)

    ),

    rollup_final as (

        select
            indicator_code,
            measure,
            period_type,
            period,
            municipality_code,
            target_group,
            action_code,
            breakdown,
            breakdown_value,
            {% if distinct_units -%}
            count(distinct unit_key) as n_units,
            count(distinct case when is_hit then unit_key end) as n_hits,
            {%- else -%}
            sum(n_units) as n_units,
            sum(n_hits) as n_hits,
            {%- endif %}
            sum(amount) as amount
        from rollup_expanded
        group by
            indicator_code,
            measure,
            period_type,
            period,
            municipality_code,
            target_group,
            action_code,
            breakdown,
            breakdown_value

    )

    select * from rollup_final
{%- endmacro %}


{#- Turns rolled-up cells (macro indicator_rollup) into indicator rows
    (definitions.md section 5) with the period and catalogue columns:
      - measure 'value' is the number the catalogue defines, in the catalogue's
        unit: count: value = numerator = units, no denominator; share: numerator
        = units in the numerator, denominator = units, value = their ratio;
        mean: numerator = sum of scores, denominator = answers, value = mean;
        hours (a sum): numerator = value = the sum, denominator = the persons it
        is summed over (for disclosure control).
      - survey indicators add measure share_positive and share_improved (unit
        share) and mean_change (unit points: mean NA minus VOOR score).
    `cells` is the rollup; `periods` and `catalogue` are the relations
    dim_period and the indicators seed. -#}
{% macro indicator_rows(cells, periods, catalogue) -%}
    with

    cells_with_unit as (

        select
            cells.*,
            catalogue.layer,
            case cells.measure
                when 'value' then catalogue.unit
                when 'mean_change' then 'points'
                else 'share'
            end as unit
        from {{ cells }} as cells
        inner join {{ catalogue }} as catalogue
            on cells.indicator_code = catalogue.indicator_code

    ),

    final as (

        select
            cells_with_unit.indicator_code,
            cells_with_unit.layer,
            cells_with_unit.measure,
            cells_with_unit.period_type,
            cells_with_unit.period,
            periods.period_start,
            periods.period_end,
            periods.is_complete,
            cells_with_unit.municipality_code,
            cells_with_unit.target_group,
            cells_with_unit.action_code,
            cells_with_unit.breakdown,
            cells_with_unit.breakdown_value,
            cast(case cells_with_unit.unit
                when 'count' then cells_with_unit.n_units
                when 'share' then cells_with_unit.n_hits
                else cells_with_unit.amount
            end as double) as numerator,
            cast(case cells_with_unit.unit
                when 'count' then null
                else cells_with_unit.n_units
            end as double) as denominator,
            cast(case cells_with_unit.unit
                when 'count' then cells_with_unit.n_units
                when 'share' then cells_with_unit.n_hits / nullif(cells_with_unit.n_units, 0)
                when 'hours' then cells_with_unit.amount
                else cells_with_unit.amount / nullif(cells_with_unit.n_units, 0)
            end as double) as value,
            cells_with_unit.unit
        from cells_with_unit
        inner join {{ periods }} as periods
            on
                cells_with_unit.period_type = periods.period_type
                and cells_with_unit.period = periods.period

    )

    select * from final
{%- endmacro %}
