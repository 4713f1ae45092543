{#- Fails for every combination of `combination_of_columns` that occurs more than
    once in the model: the primary-key test of a model whose grain is several
    columns (e.g. person_id and peildatum). Usage:
        data_tests:
          - unique_combination_of_columns:
              arguments:
                combination_of_columns: [person_id, peildatum] -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

duplicated as (

    select
        {{ combination_of_columns | join(',\n        ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1

)

select * from duplicated

{% endtest %}
