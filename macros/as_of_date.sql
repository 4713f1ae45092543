{#- The data's as-of date (definitions.md, general conventions): var as_of_date
    when set, else the last day of the latest delivery month taken in. Until the
    intake manifest is a model, the latest delivery month is read from the
    staging models of the person data. Returns a scalar SQL expression. -#}
{% macro as_of_date() -%}
    {%- if var('as_of_date') -%}
        cast('{{ var("as_of_date") }}' as date)
    {%- else -%}
        (
            select last_day(cast(max(delivery_month) || '-01' as date))
            from (
                select delivery_month from {{ ref('stg_gemeente__brp_verblijf') }}
                union all
                select delivery_month from {{ ref('stg_uwv__dienstverbanden') }}
                union all
                select delivery_month from {{ ref('stg_onderwijs__leeractiviteiten') }}
            ) as deliveries
        )
    {%- endif -%}
{%- endmacro %}
