-- Published copy of action_effect: every count, rate and interval blanked
-- where is_suppressed (fewer than var min_cell_size participants or
-- comparison members).
{{ config(alias='action_effect', schema='published', materialized='view') }}

with

action_effect as (

    select * from {{ ref('action_effect') }}

),

final as (

    select
        action_code,
        target_group,
        period_type,
        period,
        period_start,
        period_end,
        is_complete,
        municipality_code,
        case when not is_suppressed then participants end as participants,
        case when not is_suppressed then n_participants end as n_participants,
        case when not is_suppressed then n_comparison end as n_comparison,
        strata_dropped,
        case when not is_suppressed then participant_rate end as participant_rate,
        case when not is_suppressed then comparison_rate end as comparison_rate,
        case when not is_suppressed then difference_pp end as difference_pp,
        case when not is_suppressed then ci_low_pp end as ci_low_pp,
        case when not is_suppressed then ci_high_pp end as ci_high_pp,
        case when not is_suppressed then participant_rate_working end as participant_rate_working,
        case when not is_suppressed then comparison_rate_working end as comparison_rate_working,
        case when not is_suppressed then difference_working_pp end as difference_working_pp,
        case when not is_suppressed then ci_low_working_pp end as ci_low_working_pp,
        case when not is_suppressed then ci_high_working_pp end as ci_high_working_pp,
        label,
        is_suppressed
    from action_effect

)

select * from final
