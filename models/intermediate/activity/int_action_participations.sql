-- Every way a person takes part in a Werk in Zicht action, as an interval:
-- a trajectory or a learning activity of the action (start to end), an event
-- attended or an outreach contact (one day each).
with

trajectories as (

    select * from {{ ref('int_trajectories') }}

),

learning_activities as (

    select * from {{ ref('int_learning_activities') }}

),

attendances as (

    select * from {{ ref('int_event_attendances') }}

),

contacts as (

    select * from {{ ref('stg_programma__contacten') }}

),

participations as (

    select
        'TRAJECT' as participation_type,
        supplier_code || '-' || trajectory_id as participation_id,
        person_id,
        action_code,
        start_date,
        end_date
    from trajectories
    where action_code is not null

    union all

    select
        'LEERACTIVITEIT' as participation_type,
        activity_id as participation_id,
        person_id,
        action_code,
        start_date,
        end_date
    from learning_activities
    where action_code is not null

    union all

    select
        'EVENT' as participation_type,
        attendance_id as participation_id,
        person_id,
        action_code,
        event_date as start_date,
        event_date as end_date
    from attendances
    where person_id is not null

    union all

    select
        'CONTACT' as participation_type,
        contact_id as participation_id,
        person_id,
        action_code,
        contact_date as start_date,
        contact_date as end_date
    from contacts

),

final as (

    select
        participation_type || '-' || participation_id as participation_key,
        participation_type,
        participation_id,
        person_id,
        action_code,
        start_date,
        end_date
    from participations

)

select * from final
