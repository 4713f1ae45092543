with

dienstverbanden as (

    select * from {{ ref('stg_uwv__dienstverbanden') }}

),

employers as (

    select * from {{ ref('stg_programma__werkgevers') }}

),

sbi_sections as (

    select * from {{ ref('sbi_sections') }}

),

-- the dienstverband's SBI code, else the employer's as known to the programme
with_sbi_code as (

    select
        dienstverbanden.employment_id,
        dienstverbanden.person_id,
        dienstverbanden.employer_id,
        coalesce(dienstverbanden.sbi_code, employers.sbi_code) as sbi_code,
        dienstverbanden.hours_per_week,
        dienstverbanden.start_date,
        dienstverbanden.end_date
    from dienstverbanden
    left join employers
        on dienstverbanden.employer_id = employers.employer_id

),

-- an SBI code is a section letter or digits whose first two are the division;
-- a code of 1 or 3 digits lost its leading zero in a spreadsheet
with_division as (

    select
        *,
        case
            when regexp_full_match(sbi_code, '[0-9]+')
                then cast(left(if(length(sbi_code) in (1, 3), '0' || sbi_code, sbi_code), 2) as integer)
        end as sbi_division
    from with_sbi_code

),

final as (

    select
        with_division.employment_id,
        with_division.person_id,
        with_division.employer_id,
        with_division.sbi_code,
        sbi_sections.sbi_section,
        coalesce(sbi_sections.is_growth_sector, false) as is_growth_sector,
        with_division.hours_per_week,
        with_division.start_date,
        with_division.end_date
    from with_division
    left join sbi_sections
        on
            with_division.sbi_code = sbi_sections.sbi_section
            or with_division.sbi_division between sbi_sections.division_from and sbi_sections.division_to

)

select * from final
