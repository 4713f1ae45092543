{#- Fails for every row where `expression` (a SQL boolean over the model's
    columns) is false or null: a rule that holds row by row, e.g. the intake
    manifest's rows_read = rows_accepted + rows_quarantined. Usage:
        data_tests:
          - expression_is_true:
              arguments:
                expression: "rows_read = rows_accepted + rows_quarantined" -#}
{% test expression_is_true(model, expression) %}

with

failing as (

    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)

)

select * from failing

{% endtest %}
