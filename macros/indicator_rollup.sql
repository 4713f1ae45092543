{#- Rolls indicator facts up to every reporting cell of definitions.md section 5:
    per municipality and for REGIO, per action and for ALLE (when by_action),
    per target group and for ALL (when with_all_groups), and for TOTAAL plus
    each breakdown in `breakdowns` (one breakdown at a time). One GROUPING SETS
    query, so a distinct count is distinct within every cell (a person counted
    once in REGIO even when seen in two municipalities in the period).

    `facts` has the columns indicator_code, measure, period_type, period,
    municipality_code, target_group, action_code and the breakdown columns (a
    breakdown is named by its column, or given as [name, column]), and
    either
      - unit_key (what is counted: a person, contact, answer, activity or
        employer), is_hit (whether the unit counts in a share's numerator) and
        amount (a score, change or hours to sum), when distinct_units; or
      - n_units, n_hits and amount already summed per fact row, when not
        distinct_units (pre-aggregated stock cells, where every person occurs
        once per peildatum so sums are exact).
    Returns indicator_code, measure, period_type, period, municipality_code,
    target_group, action_code, breakdown, breakdown_value, n_units, n_hits,
    amount. A fact without municipality (not resident in the region) counts
    for REGIO only; a fact without action (a regular instrument) for ALLE only;
    an empty breakdown value is reported as ONBEKEND. -#}
{% macro indicator_rollup(facts, breakdowns=[], by_action=false, with_all_groups=false, distinct_units=true) -%}
    {%- set keys = ['indicator_code', 'measure', 'period_type', 'period'] -%}
    {#- a breakdown is a column name, or [breakdown name, column] when they differ -#}
    {%- set breakdown_pairs = [] -%}
    {%- for breakdown in breakdowns -%}
        {%- do breakdown_pairs.append([breakdown, breakdown] if breakdown is string else breakdown) -%}
    {%- endfor -%}
    {%- set grouping_sets = [] -%}
    {%- for municipality in [['municipality_code'], []] -%}
        {%- for action in ([['action_code'], []] if by_action else [[]]) -%}
            {%- for group in ([['target_group'], []] if with_all_groups else [['target_group']]) -%}
                {%- do grouping_sets.append(keys + municipality + action + group) -%}
                {%- for breakdown_name, column in breakdown_pairs -%}
                    {%- do grouping_sets.append(keys + municipality + action + group + [column]) -%}
                {%- endfor -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    select
        indicator_code,
        measure,
        period_type,
        period,
        case when grouping(municipality_code) = 1 then 'REGIO' else municipality_code end as municipality_code,
        {% if with_all_groups -%}
        case when grouping(target_group) = 1 then 'ALL' else target_group end as target_group,
        {%- else -%}
        target_group,
        {%- endif %}
        {% if by_action -%}
        case when grouping(action_code) = 1 then 'ALLE' else action_code end as action_code,
        {%- else -%}
        'ALLE' as action_code,
        {%- endif %}
        {% if breakdowns -%}
        case
            {%- for breakdown_name, column in breakdown_pairs %}
            when grouping({{ column }}) = 0 then '{{ breakdown_name }}'
            {%- endfor %}
            else 'TOTAAL'
        end as breakdown,
        case
            {%- for breakdown_name, column in breakdown_pairs %}
            when grouping({{ column }}) = 0 then coalesce(cast({{ column }} as varchar), 'ONBEKEND')
            {%- endfor %}
            else 'TOTAAL'
        end as breakdown_value,
        {%- else -%}
        'TOTAAL' as breakdown,
        'TOTAAL' as breakdown_value,
        {%- endif %}
        {% if distinct_units -%}
        count(distinct unit_key) as n_units,
        count(distinct case when is_hit then unit_key end) as n_hits,
        sum(amount) as amount
        {%- else -%}
        sum(n_units) as n_units,
        sum(n_hits) as n_hits,
        sum(amount) as amount
        {%- endif %}
    from {{ facts }}
    group by grouping sets (
        {%- for grouping_set in grouping_sets %}
        ({{ grouping_set | join(', ') }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
    having
        (grouping(municipality_code) = 1 or municipality_code is not null)
        {%- if by_action %}
        and (grouping(action_code) = 1 or action_code is not null)
        {%- endif %}
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
