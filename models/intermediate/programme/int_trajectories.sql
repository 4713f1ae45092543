with

municipal_trajectories as (

    select * from {{ ref('stg_gemeente__trajecten') }}

),

uwv_trajectories as (

    select * from {{ ref('stg_uwv__trajecten') }}

),

instruments as (

    select * from {{ ref('instruments') }}

),

trajectories as (

    select
        supplier_code,
        trajectory_id,
        person_id,
        action_code,
        instrument,
        start_date,
        end_date,
        end_reason
    from municipal_trajectories

    union all

    select
        supplier_code,
        trajectory_id,
        person_id,
        action_code,
        instrument,
        start_date,
        end_date,
        end_reason
    from uwv_trajectories

),

-- the rung and the support flag come from the seed, never from code
final as (

    select
        trajectories.supplier_code,
        trajectories.trajectory_id,
        trajectories.person_id,
        trajectories.action_code,
        trajectories.instrument,
        instruments.rung,
        coalesce(instruments.is_support, false) as is_support,
        trajectories.instrument = 'LKS' as is_lks,
        trajectories.start_date,
        trajectories.end_date,
        trajectories.end_reason
    from trajectories
    left join instruments
        on trajectories.instrument = instruments.instrument

)

select * from final
