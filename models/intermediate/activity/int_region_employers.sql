-- definitions.md section 3, group WG: employers in programma/werkgevers.csv
-- established in one of the region's municipalities.
with

employers as (

    select * from {{ ref('stg_programma__werkgevers') }}

),

municipalities as (

    select * from {{ ref('municipalities') }}

),

final as (

    select
        employers.employer_id,
        employers.sbi_code,
        employers.municipality_code,
        employers.employee_count
    from employers
    inner join municipalities
        on employers.municipality_code = municipalities.municipality_code

)

select * from final
