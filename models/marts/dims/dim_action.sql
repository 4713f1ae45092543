with

actions as (

    select * from {{ ref('actions') }}

),

final as (

    select
        action_code,
        action_name,
        track,
        primary_group,
        false as is_all_actions
    from actions

    union all

    -- all actions together, as indicator rows report it (definitions.md section 5)
    select
        'ALLE' as action_code,
        'Alle acties' as action_name,
        null as track,
        null as primary_group,
        true as is_all_actions
    from (select 1) as all_actions_row (one)

)

select * from final
