-- definitions.md, general conventions: calendar quarters and years from
-- monitor_start up to and including the period that holds the as-of date; a
-- period ending after the as-of date is reported with is_complete = false.
with

bounds as (

    select
        cast('{{ var("monitor_start") }}' as date) as monitor_start,
        {{ as_of_date() }} as as_of_date

),

quarter_starts as (

    select unnest(generate_series(date_trunc('quarter', monitor_start), as_of_date, to_months(3))) as period_start
    from bounds

),

year_starts as (

    select unnest(generate_series(date_trunc('year', monitor_start), as_of_date, to_years(1))) as period_start
    from bounds

),

quarters as (

    select
        'quarter' as period_type,
        cast(period_start as date) as period_start,
        cast(period_start + to_months(3) - to_days(1) as date) as period_end
    from quarter_starts

),

years as (

    select
        'year' as period_type,
        cast(period_start as date) as period_start,
        cast(period_start + to_years(1) - to_days(1) as date) as period_end
    from year_starts

),

periods as (

    select
        period_type,
        year(period_start) || '-Q' || quarter(period_start) as period,
        period_start,
        period_end
    from quarters

    union all

    select
        period_type,
        cast(year(period_start) as varchar) as period,
        period_start,
        period_end
    from years

),

final as (

    select
        periods.period_type,
        periods.period,
        periods.period_start,
        periods.period_end,
        periods.period_end as peildatum,
        periods.period_end <= bounds.as_of_date as is_complete,
        bounds.as_of_date
    from periods
    cross join bounds

)

select * from final
