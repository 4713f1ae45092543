{#- Delivery contract section 1: every file is a full extract, and for each
    (source, municipality, file) the latest delivery supersedes all earlier ones.
    Intake keeps every delivery; this filter, used by every staging model, keeps
    the latest delivery month per supplier (_supplier is the GMxxxx code for
    gemeente files and the source name otherwise). A supplier that skipped a
    month keeps its latest earlier delivery. -#}
{% macro latest_delivery_only() -%}
    qualify _delivery_month = max(_delivery_month) over (partition by _supplier)
{%- endmacro %}
