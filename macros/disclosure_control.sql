{#- Statistical disclosure control (definitions.md section 6), the one place where
    cells are suppressed. `indicator_rows` is a CTE or relation with the indicator
    row columns (definitions.md section 5, plus `measure`); the macro returns the
    same rows plus `is_suppressed`. Values are never changed here: the warehouse
    keeps them for the restricted analysts' view and the published views blank
    numerator, denominator and value where is_suppressed.

    Primary suppression: a cell is suppressed when a person count it rests on is
    below var min_cell_size:
      - unit count: the numerator (persons, contacts, activities, employers);
      - unit share: the numerator or the denominator;
      - every other unit (mean, points, eur, hours): the denominator, which holds
        the number of respondents, participants or persons the figure is over.
    Money and staff amounts of the input layer (budget, spent, material, fte,
    staff hours) have no denominator and are never suppressed. Cost per
    participant is: its denominator is a person count.

    Secondary suppression (macro secondary_suppression), so that no suppressed
    cell can be derived by subtraction. Cells that add up to a total form a
    group:
      - the values of one breakdown (age_band, sex, ...) of one indicator,
        measure, period, municipality, target group and action add up to its
        TOTAAL row, except for the breakdowns in var non_additive_breakdowns;
      - the municipalities of one indicator, measure, period, target group,
        action, breakdown and breakdown value add up to its REGIO row;
      - with quarters_add_up (the output and outcome layers, which count
        events in the period): the quarters of a calendar year add up to the
        year for counts of records (contacts, certificates, answers); for
        distinct persons they do not quite, but they bound it, so they are
        treated as a group too. Stocks and cohorts (a year's value is its
        last or first quarter's) form no such group.
    Target groups and actions are not treated as groups that add up: a person
    can be in AV and AH within one period and in several actions, so ALL and
    ALLE are not sums of their parts. The data test
    assert_secondary_suppression_complete checks the result. -#}
{% macro disclosure_control(indicator_rows, quarters_add_up=false) -%}
    {%- set groups = [
        'indicator_code, measure, period_type, period, municipality_code, target_group, action_code, breakdown,'
        ~ ' case when breakdown in ' ~ non_additive_breakdowns() ~ ' then breakdown_value end',
        "indicator_code, measure, period_type, period, target_group, action_code, breakdown, breakdown_value,"
        ~ " municipality_code = 'REGIO'",
    ] -%}
    {%- if quarters_add_up -%}
        {%- do groups.append(
            "indicator_code, measure, municipality_code, target_group, action_code, breakdown, breakdown_value,"
            ~ " period_type, case when period_type = 'quarter' then left(period, 4) else period end"
        ) -%}
    {%- endif -%}
    with

    primary_suppression as (

        select
            *,
            coalesce(
                (unit in ('count', 'share') and numerator < {{ var('min_cell_size') }})
                or denominator < {{ var('min_cell_size') }},
                false
            ) as is_suppressed,
            case when unit in ('count', 'share') then numerator else denominator end as disclosure_size
        from {{ indicator_rows }}

    ),

    secondary as (

        {{ secondary_suppression(
            'primary_suppression',
            groups=groups,
            key=[
                'indicator_code', 'measure', 'period_type', 'period', 'municipality_code', 'target_group',
                'action_code', 'breakdown', 'breakdown_value',
            ],
            order_by='disclosure_size, breakdown_value, municipality_code, period'
        ) }}

    ),

    disclosure_final as (

        select * exclude (disclosure_size) from secondary

    )

    select * from disclosure_final
{%- endmacro %}


{#- Secondary suppression over `cells` (a CTE or relation with a boolean
    is_suppressed). `groups` are PARTITION BY lists, each defining cells that
    add up to a total (the total itself must fall in a partition of its own);
    `key` lists the columns that identify a cell. When exactly one cell of a
    group is suppressed, the shown cell of the group that sorts first by
    `order_by` (the smallest) is suppressed too. Fixing one kind of group can
    leave a single suppressed cell in another, so the passes over all groups
    are repeated until a round suppresses nothing more: a recursive CTE keyed
    on the cell (DuckDB's USING KEY), whose `recurring` table holds the cells
    as the last round left them. Every round suppresses at least one more cell,
    so it ends. Returns the rows of `cells` with the updated is_suppressed. -#}
{% macro secondary_suppression(cells, groups, key, order_by) -%}
    with recursive

    cells_until_stable using key ({{ key | join(', ') }}) as (

        select * from {{ cells }}

        union

        (
            with
            {% for group in groups %}
            {%- set input_name = 'recurring.cells_until_stable' if loop.first else 'secondary_pass_' ~ (loop.index - 1) %}
            secondary_pass_{{ loop.index }} as (

                select
                    * exclude (is_suppressed, suppressed_in_group, order_in_group),
                    is_suppressed
                    or (suppressed_in_group = 1 and order_in_group = 1) as is_suppressed
                from (
                    select
                        *,
                        count(*) filter (where is_suppressed) over (partition by {{ group }}) as suppressed_in_group,
                        -- shown cells first (false sorts before true), smallest first
                        row_number() over (
                            partition by {{ group }}
                            order by is_suppressed asc, {{ order_by }}
                        ) as order_in_group
                    from {{ input_name }}
                ) as ranked

            ){{ ',' if not loop.last }}
            {%- endfor %}

            -- only the cells this round newly suppressed; recursion ends when there are none
            select round_result.*
            from secondary_pass_{{ groups | length }} as round_result
            inner join recurring.cells_until_stable as before_round
                on
                {%- for column in key %}
                    {{ 'and ' if not loop.first }}round_result.{{ column }} = before_round.{{ column }}
                {%- endfor %}
            where
                round_result.is_suppressed
                and not before_round.is_suppressed
        )

    ),

    secondary_final as (

        select * from cells_until_stable

    )

    select * from secondary_final
{%- endmacro %}


{#- The published copy of an indicator mart (definitions.md section 6): the same
    rows and columns, with numerator, denominator and value blanked where
    disclosure_control set is_suppressed. -#}
{% macro published_indicator_rows(indicator_mart) -%}
    select
        indicator_code,
        layer,
        measure,
        period_type,
        period,
        period_start,
        period_end,
        is_complete,
        municipality_code,
        target_group,
        action_code,
        breakdown,
        breakdown_value,
        case when not is_suppressed then numerator end as numerator,
        case when not is_suppressed then denominator end as denominator,
        case when not is_suppressed then value end as value,
        unit,
        is_suppressed
    from {{ indicator_mart }}
{%- endmacro %}


{#- var non_additive_breakdowns as a SQL list, e.g. ('reached'): breakdowns whose
    values do not add up to the TOTAAL row, so they form no suppression group. -#}
{% macro non_additive_breakdowns() -%}
    ('{{ var('non_additive_breakdowns') | join("', '") }}')
{%- endmacro %}
