{#- Schemas are named after the layer (staging, intermediate, reference) and marts
    stay in main, so analysts write `select * from werkdefinitie_population`
    instead of dbt's default `main_marts` prefixing. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
