{#- Fails for every row whose interval [start_column, end_column] (both
    inclusive, an empty end running on) overlaps the next interval of the same
    `partition_by` key: the guarantee int_residence_periods gives that a person
    is in one municipality at a time. Usage:
        data_tests:
          - no_overlapping_intervals:
              arguments:
                partition_by: person_id
                start_column: start_date
                end_column: end_date -#}
{% test no_overlapping_intervals(model, partition_by, start_column, end_column) %}

with

ordered as (

    select
        {{ partition_by }} as partition_key,
        {{ start_column }} as interval_start,
        {{ end_column }} as interval_end,
        lead({{ start_column }}) over (
            partition by {{ partition_by }} order by {{ start_column }}
        ) as next_interval_start
    from {{ model }}

),

overlapping as (

    select *
    from ordered
    where
        next_interval_start is not null
        and (interval_end is null or interval_end >= next_interval_start)

)

select * from overlapping

{% endtest %}
