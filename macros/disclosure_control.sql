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

    Secondary suppression, so that no suppressed cell can be derived by
    subtraction. Cells that add up to a total form a group:
      - the values of one breakdown (age_band, sex, ...) of one indicator,
        measure, period, municipality, target group and action add up to its
        TOTAAL row;
      - the municipalities of one indicator, measure, period, target group,
        action, breakdown and breakdown value add up to its REGIO row.
    When exactly one cell of a group is suppressed, the shown cell of that group
    with the smallest count (the numerator for counts and shares, the
    denominator otherwise; ties broken by code) is suppressed too. Suppressing a
    cell in one kind of group can leave a single suppressed cell in the other
    kind, so both passes are repeated `rounds` times. The data test
    secondary_suppression_complete checks that no group is left with exactly
    one suppressed cell. Target groups and actions are not treated as groups
    that add up: a person can be in AV and AH within one period and in several
    actions, so ALL and ALLE are not sums of their parts. -#}
{% macro disclosure_control(indicator_rows, rounds=3) -%}
    {%- set breakdown_group = 'indicator_code, measure, period_type, period, municipality_code, target_group, action_code, breakdown' -%}
    {%- set municipality_group = "indicator_code, measure, period_type, period, target_group, action_code, breakdown, breakdown_value, municipality_code = 'REGIO'" -%}
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

    {% set previous = namespace(name='primary_suppression') -%}
    {%- for round in range(1, rounds + 1) %}
    {%- for pass_name, group in [('breakdown', breakdown_group), ('municipality', municipality_group)] %}
    {{ pass_name }}_pass_{{ round }} as (

        select
            * exclude (is_suppressed, suppressed_in_group, order_in_group),
            is_suppressed
            or (not is_suppressed and suppressed_in_group = 1 and order_in_group = 1) as is_suppressed
        from (
            select
                *,
                count(*) filter (where is_suppressed) over (partition by {{ group }}) as suppressed_in_group,
                -- shown cells first (false sorts before true), smallest first
                row_number() over (
                    partition by {{ group }}
                    order by is_suppressed asc, disclosure_size asc, breakdown_value asc, municipality_code asc
                ) as order_in_group
            from {{ previous.name }}
        ) as ranked

    ),
    {% set previous.name = pass_name ~ '_pass_' ~ round -%}
    {%- endfor %}
    {%- endfor %}

    disclosure_final as (

        select * exclude (disclosure_size) from {{ previous.name }}

    )

    select * from disclosure_final
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
