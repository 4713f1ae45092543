-- definitions.md section 1: a person belongs to exactly one municipality at a
-- date; where residence periods overlap (a move reported late), the period with
-- the latest datum_inschrijving wins. The periods are cut at every date on
-- which the set of active periods can change, each piece takes the municipality
-- of its winning period, and touching pieces in the same municipality are
-- merged again. Intervals only: no person-days.
with

residence_records as (

    select * from {{ ref('stg_gemeente__brp_verblijf') }}

),

municipalities as (

    select * from {{ ref('municipalities') }}

),

region_records as (

    select
        residence_records.residence_record_id,
        residence_records.person_id,
        residence_records.municipality_code,
        residence_records.start_date,
        residence_records.end_date,
        residence_records.delivery_month
    from residence_records
    inner join municipalities
        on residence_records.municipality_code = municipalities.municipality_code

),

boundaries as (

    select
        person_id,
        start_date as boundary_date
    from region_records

    union

    select
        person_id,
        end_date + 1 as boundary_date
    from region_records
    where end_date is not null

),

pieces as (

    select
        person_id,
        boundary_date as piece_start,
        lead(boundary_date) over (partition by person_id order by boundary_date) - 1 as piece_end
    from boundaries

),

piece_municipalities as (

    select
        pieces.person_id,
        pieces.piece_start,
        pieces.piece_end,
        region_records.municipality_code
    from pieces
    inner join region_records
        on
            pieces.person_id = region_records.person_id
            and {{ is_active_at('region_records.start_date', 'region_records.end_date', 'pieces.piece_start') }}
    -- the latest inschrijving wins; ties go to the later delivery, then the
    -- longer period, then the code, so the result never depends on row order
    qualify row_number() over (
        partition by pieces.person_id, pieces.piece_start
        order by
            region_records.start_date desc,
            region_records.delivery_month desc,
            region_records.end_date desc nulls first,
            region_records.municipality_code asc
    ) = 1

),

interval_starts as (

    select
        *,
        coalesce(
            lag(piece_end) over by_person != piece_start - 1
            or lag(municipality_code) over by_person != municipality_code,
            true
        ) as starts_interval
    from piece_municipalities
    window by_person as (partition by person_id order by piece_start)

),

numbered as (

    select
        *,
        sum(case when starts_interval then 1 else 0 end) over (
            partition by person_id order by piece_start rows unbounded preceding
        ) as interval_number
    from interval_starts

),

final as (

    select
        person_id,
        municipality_code,
        min(piece_start) as start_date,
        -- a running piece keeps the merged interval running
        case when count(piece_end) = count(*) then max(piece_end) end as end_date
    from numbered
    group by person_id, interval_number, municipality_code

)

select * from final
