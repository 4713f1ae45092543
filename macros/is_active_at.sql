{#- definitions.md, general conventions: a period covers both its start and its
    end date, an empty end date means still running, so a period is active at d
    when start <= d and (end is empty or end >= d). -#}
{% macro is_active_at(start_date, end_date, on_date) -%}
    ({{ start_date }} <= {{ on_date }} and ({{ end_date }} is null or {{ end_date }} >= {{ on_date }}))
{%- endmacro %}

{#- A period is active on some day of the window [window_start, window_end]
    (both inclusive) when it starts on or before the window's last day and has
    not ended before its first day. -#}
{% macro is_active_in_window(start_date, end_date, window_start, window_end) -%}
    ({{ start_date }} <= {{ window_end }} and ({{ end_date }} is null or {{ end_date }} >= {{ window_start }}))
{%- endmacro %}
