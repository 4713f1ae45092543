"""Planted truth (definitions.md section 7): on generated deliveries of a fixed
seed, action_effect recovers the effects the generator planted.

The generator (docs/generator.md) draws participants on the comparison strata
only and gives participants of an action with effect e an extra chance to move
up the ladder within 12 months, such that the expected difference with
comparable non-participants is e percentage points in every stratum. The
monitor does not know e; it estimates it from the deliveries alone. So:

- every clearly non-zero effect (|e| >= CLEAR_EFFECT_PP) must come out with the
  same sign: at this scale an action has a few hundred AV participants, the
  standard error of the difference is about 3 pp, and the smallest planted
  effect (8 pp) is then more than 2.5 standard errors from zero;
- the planted effect must lie inside the reported 95% interval for most
  actions: at least MIN_COVERAGE of the AV effects with at least
  MIN_PARTICIPANTS participants. With correct intervals about 1 in 20 misses;
  allowing 1 in 5 keeps a false alarm rare (3 or more misses out of 11 has a
  chance of about 1.5%), while a biased comparison or too narrow intervals
  miss most actions.

The deliveries are generated once, without messiness and for one delivery
month (the truth does not depend on either), taken in by the intake and built
by dbt up to action_effect only, so the test stays within a few minutes."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import run_dbt

from llo.settings import Paths

TRUTH_SCALE = 0.1
TRUTH_SEED = 20
CLEAR_EFFECT_PP = 5.0
MIN_PARTICIPANTS = 100
MIN_COVERAGE = 0.8


@dataclass(frozen=True)
class Recovery:
    planted: list[dict]
    estimated: dict[tuple[str, str], dict]


@pytest.fixture(scope="module")
def recovery(tmp_path_factory: pytest.TempPathFactory) -> Recovery:
    from llo.generate import generate
    from llo.intake import run_intake

    root = tmp_path_factory.mktemp("truth")
    paths = Paths(data_dir=root / "data", landing_dir=root / "data" / "landing")
    truth_file = generate(out=paths.landing_dir, scale=TRUTH_SCALE, seed=TRUTH_SEED, months=1, mess=0.0, missing_column=False)
    os.environ.setdefault("LLO_PSEUDONYM_KEY", "test-key-not-secret")
    assert run_intake(landing=paths.landing_dir, data_dir=paths.data_dir).exit_code == 0
    paths.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    build = run_dbt(
        ["build", "--select", "+action_effect", "--exclude", "test_type:unit", "--indirect-selection", "cautious"],
        paths.data_dir,
        root / "target",
    )
    assert build.returncode == 0, build.stdout[-5000:]

    planted = json.loads(Path(truth_file).read_text(encoding="utf-8"))["planted_effects"]
    connection = duckdb.connect(str(paths.warehouse_path), read_only=True)
    try:
        cursor = connection.execute(
            """
            select *
            from main.action_effect
            where municipality_code = 'REGIO' and period_type = 'window'
            """
        )
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row)) for row in cursor.fetchall()]
    finally:
        connection.close()
    return Recovery(planted=planted, estimated={(row["action_code"], row["target_group"]): row for row in rows})


def av_effects(recovery: Recovery) -> list[dict]:
    return [effect for effect in recovery.planted if effect["target_group"] == "AV"]


def test_the_truth_has_clear_effects_to_recover(recovery: Recovery) -> None:
    clear = [effect for effect in av_effects(recovery) if abs(effect["effect_pp"]) >= CLEAR_EFFECT_PP]
    assert len(clear) >= 3, "the generator should plant several clearly non-zero effects"


def test_clearly_non_zero_effects_are_estimated_with_the_same_sign(recovery: Recovery) -> None:
    wrong = []
    for effect in av_effects(recovery):
        if abs(effect["effect_pp"]) < CLEAR_EFFECT_PP:
            continue
        row = recovery.estimated.get((effect["action_code"], "AV"))
        assert row is not None, f"no action_effect row for {effect['action_code']} AV"
        if row["difference_pp"] is None or (row["difference_pp"] > 0) != (effect["effect_pp"] > 0):
            wrong.append((effect["action_code"], effect["effect_pp"], row["difference_pp"], row["n_participants"]))
    assert wrong == [], "(action, planted pp, estimated pp, n participants) with the wrong sign"


def test_planted_effects_lie_within_the_reported_interval_for_most_actions(recovery: Recovery) -> None:
    checked, missed = 0, []
    for effect in av_effects(recovery):
        row = recovery.estimated.get((effect["action_code"], "AV"))
        if row is None or row["n_participants"] < MIN_PARTICIPANTS:
            continue
        checked += 1
        if not row["ci_low_pp"] <= effect["effect_pp"] <= row["ci_high_pp"]:
            missed.append((effect["action_code"], effect["effect_pp"], round(row["ci_low_pp"], 1), round(row["ci_high_pp"], 1)))
    assert checked >= 5, f"only {checked} actions with at least {MIN_PARTICIPANTS} AV participants"
    assert (checked - len(missed)) / checked >= MIN_COVERAGE, f"planted effect outside the 95% interval: {missed}"


def test_ah_rows_show_no_upward_move(recovery: Recovery) -> None:
    """AH is rung 7, the top of the ladder: nobody can move up, so participants and
    comparison both have rate 0 and the difference is 0, as planted."""
    ah_rows = [row for (action, group), row in recovery.estimated.items() if group == "AH"]
    assert ah_rows, "no AH participants in action_effect"
    assert all(row["participant_rate"] == 0 and row["comparison_rate"] == 0 for row in ah_rows)
