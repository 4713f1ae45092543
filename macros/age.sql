{#- Age at a date in completed years (definitions.md, general conventions):
    the difference of the dates written as yyyymmdd numbers, divided by 10000.
    Someone born on 29 February turns a year older on 1 March in a non-leap year. -#}
{% macro age_in_years(birth_date, on_date) -%}
    (
        (year({{ on_date }}) * 10000 + month({{ on_date }}) * 100 + day({{ on_date }}))
        - (year({{ birth_date }}) * 10000 + month({{ birth_date }}) * 100 + day({{ birth_date }}))
    ) // 10000
{%- endmacro %}

{#- The age bands of definitions.md section 3; empty outside 15-74. -#}
{% macro age_band(age) -%}
    case
        when {{ age }} between 15 and 24 then '15-24'
        when {{ age }} between 25 and 34 then '25-34'
        when {{ age }} between 35 and 44 then '35-44'
        when {{ age }} between 45 and 54 then '45-54'
        when {{ age }} between 55 and 64 then '55-64'
        when {{ age }} between 65 and 74 then '65-74'
    end
{%- endmacro %}
