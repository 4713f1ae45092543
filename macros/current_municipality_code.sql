{#- Maps a municipality code of a municipality merged since 2018 to the current
    code (seed municipality_code_history); current codes pass unchanged. A
    scalar lookup rather than a join keeps staging models free of joins. -#}
{% macro current_municipality_code(column) -%}
    coalesce(
        (
            select code_history.municipality_code
            from {{ ref('municipality_code_history') }} as code_history
            where code_history.old_municipality_code = {{ column }}
        ),
        {{ column }}
    )
{%- endmacro %}
