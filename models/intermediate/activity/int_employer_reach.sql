-- An employer is reached by a contact with the programme or by a visit to one
-- of its events on the employer's behalf.
with

employers as (

    select * from {{ ref('int_region_employers') }}

),

employer_contacts as (

    select * from {{ ref('stg_programma__werkgeverscontacten') }}

),

attendances as (

    select * from {{ ref('int_event_attendances') }}

),

reaches as (

    select
        'CONTACT-' || employer_contact_id as reach_id,
        employer_id,
        action_code,
        contact_date as reach_date
    from employer_contacts

    union all

    select
        'EVENT-' || attendance_id as reach_id,
        employer_id,
        action_code,
        event_date as reach_date
    from attendances
    where employer_id is not null

),

final as (

    select
        reaches.reach_id,
        reaches.employer_id,
        employers.municipality_code,
        reaches.action_code,
        reaches.reach_date
    from reaches
    inner join employers
        on reaches.employer_id = employers.employer_id

)

select * from final
