{#- The data's as-of date (definitions.md, general conventions): var as_of_date
    when set, else the last day of the latest delivery month of a file intake
    accepted (intake manifest). Returns a scalar SQL expression; empty when
    nothing has been taken in yet. -#}
{% macro as_of_date() -%}
    {%- if var('as_of_date') -%}
        cast('{{ var("as_of_date") }}' as date)
    {%- else -%}
        (
            select last_day(cast(max(manifest.delivery_month) || '-01' as date))
            from {{ ref('stg_intake__manifest') }} as manifest
            where manifest.status = 'ACCEPTED'
        )
    {%- endif -%}
{%- endmacro %}
