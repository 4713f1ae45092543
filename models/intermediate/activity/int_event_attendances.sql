with

events as (

    select * from {{ ref('stg_programma__events') }}

),

attendances as (

    select * from {{ ref('stg_programma__event_deelnames') }}

),

final as (

    select
        attendances.attendance_id,
        attendances.event_id,
        events.action_code,
        events.municipality_code,
        events.target_group as event_target_group,
        events.event_date,
        attendances.person_id,
        attendances.employer_id,
        attendances.reported_working
    from attendances
    -- intake quarantines an attendance whose event is missing, so nothing is lost here
    inner join events
        on attendances.event_id = events.event_id

)

select * from final
