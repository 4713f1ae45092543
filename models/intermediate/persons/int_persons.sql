with

residence_records as (

    select * from {{ ref('stg_gemeente__brp_verblijf') }}

),

employment_spells as (

    select * from {{ ref('int_employment_spells') }}

),

benefit_spells as (

    select * from {{ ref('int_benefit_spells') }}

),

jobseeker_registrations as (

    select * from {{ ref('stg_uwv__werkzoekenden') }}

),

-- a person registered in several municipalities may have several BRP records;
-- the record with the latest inschrijving (then the latest delivery) speaks
-- for the person, the earliest reported death counts
person_attributes as (

    select
        person_id,
        max_by(birth_date, (start_date, delivery_month, residence_record_id)) as birth_date,
        max_by(sex, (start_date, delivery_month, residence_record_id)) filter (where sex is not null) as sex,
        min(death_date) as death_date
    from residence_records
    group by person_id

),

-- definitions.md section 4: the earliest of the first job of at least
-- entry_min_hours hours, the first benefit (PW or UWV), the first registration
-- as job seeker
entry_events as (

    select
        person_id,
        start_date
    from employment_spells
    where hours_per_week >= {{ var('entry_min_hours') }}

    union all

    select
        person_id,
        start_date
    from benefit_spells

    union all

    select
        person_id,
        start_date
    from jobseeker_registrations

),

labour_market_entries as (

    select
        person_id,
        min(start_date) as labour_market_entry_date
    from entry_events
    group by person_id

),

final as (

    select
        person_attributes.person_id,
        person_attributes.birth_date,
        person_attributes.sex,
        person_attributes.death_date,
        labour_market_entries.labour_market_entry_date
    from person_attributes
    left join labour_market_entries
        on person_attributes.person_id = labour_market_entries.person_id

)

select * from final
