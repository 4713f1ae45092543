"""llo publish (interfaces.md "Published"; definitions.md 6) on the hand-made fixture
warehouse of published_fixture.py, whose rows and their meaning are listed there."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

import llo
import llo.publish as publish_module
from llo.publish import PublishRefused, min_cell_size, publish
from llo.settings import Paths
from published_fixture import PSEUDONYM, make_warehouse, publish_pipeline, write_run_results

FIXTURE_PUBLISHED_TABLES = {
    "indicator_context", "indicator_input", "indicator_output", "indicator_outcome", "indicator_impact",
    "indicator_all", "action_effect", "dim_period", "dim_municipality", "dim_action", "dim_indicator",
    "delivery_files", "delivery_quarantine_reasons",
}


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(data_dir=tmp_path / "data", landing_dir=tmp_path / "landing")


@pytest.fixture
def target(tmp_path: Path) -> Path:
    return write_run_results(tmp_path / "target")


def tables_of(database: Path) -> set[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return {name for (name,) in connection.execute("select table_name from information_schema.tables").fetchall()}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_state(paths: Paths) -> tuple[str, str]:
    """What a refused publish must leave exactly as it was: the file's bytes and the Parquet link."""
    return sha256(paths.published_db), str((paths.publish_dir / "parquet").readlink())


def leftovers(paths: Paths) -> list[str]:
    return sorted(path.name for path in paths.publish_dir.glob(".*"))


def test_publish_copies_every_published_relation_and_nothing_else(paths: Paths, target: Path) -> None:
    make_warehouse(paths.warehouse_path)
    published = publish(paths, target)
    assert published == paths.data_dir / "publish" / "llo_monitor.duckdb"
    # werkdefinitie_population (schema main, person level) stays behind.
    assert tables_of(published) == FIXTURE_PUBLISHED_TABLES | {"monitor_metadata"}


def test_published_tables_hold_the_warehouse_rows(paths: Paths, target: Path) -> None:
    make_warehouse(paths.warehouse_path)
    published = publish(paths, target)
    with duckdb.connect(str(published), read_only=True) as connection:
        connection.execute(f"attach '{paths.warehouse_path}' as warehouse (read_only)")
        for table in FIXTURE_PUBLISHED_TABLES:
            only_one_side = connection.execute(
                f"select count(*) from ((select * from main.{table} except all select * from warehouse.published.{table}) "
                f"union all (select * from warehouse.published.{table} except all select * from main.{table}))"
            ).fetchone()[0]
            assert only_one_side == 0, table
        # the fixture's indicator_all view has one row per row of the five layers: 43 hand-written rows
        assert connection.execute("select count(*) from indicator_all").fetchone()[0] == 43


def test_monitor_metadata_holds_as_of_date_build_time_version_and_delivery_summary(paths: Paths, target: Path) -> None:
    make_warehouse(paths.warehouse_path)
    before = datetime.now(timezone.utc).replace(tzinfo=None)
    published = publish(paths, target)
    after = datetime.now(timezone.utc).replace(tzinfo=None)
    with duckdb.connect(str(published), read_only=True) as connection:
        row = connection.execute(
            "select as_of_date, built_at, llo_version, dbt_invocation_id, min_cell_size, deliveries, "
            "delivered_files, rows_read, rows_accepted, rows_quarantined from monitor_metadata"
        ).fetchall()
    assert len(row) == 1
    as_of, built_at, version, invocation, threshold, deliveries, files, read, accepted, quarantined = row[0]
    assert str(as_of) == "2025-08-31"  # dim_period.as_of_date of the fixture
    assert before <= built_at <= after
    assert version == llo.__version__
    assert invocation == "fixture-invocation"  # from run_results.json: which build was published
    assert threshold == 10
    # fixture delivery_files: three deliveries of one file each; 1000 + 500 + 20 read,
    # 990 + 500 + 18 accepted, 10 + 0 + 2 quarantined
    assert (deliveries, files, read, accepted, quarantined) == (3, 3, 1520, 1508, 12)


def test_min_cell_size_is_read_from_the_dbt_var() -> None:
    """definitions.md 6: var min_cell_size, default 10, in dbt_project.yml (the one source)."""
    assert min_cell_size() == 10


def test_parquet_files_hold_the_same_tables(paths: Paths, target: Path) -> None:
    make_warehouse(paths.warehouse_path)
    published = publish(paths, target)
    parquet = paths.publish_dir / "parquet"
    assert {path.stem for path in parquet.glob("*.parquet")} == tables_of(published)
    with duckdb.connect(str(published), read_only=True) as connection:
        for table in tables_of(published):
            different = connection.execute(
                f"select count(*) from ((select * from {table} except all select * from read_parquet('{parquet / table}.parquet')) "
                f"union all (select * from read_parquet('{parquet / table}.parquet') except all select * from {table}))"
            ).fetchone()[0]
            assert different == 0, table


def test_republishing_swaps_both_and_keeps_only_the_two_newest_parquet_builds(paths: Paths, target: Path) -> None:
    make_warehouse(paths.warehouse_path)
    for _ in range(3):
        publish(paths, target)
    builds = sorted((paths.publish_dir / "parquet-builds").iterdir())
    assert len(builds) == 2
    assert (paths.publish_dir / "parquet").resolve() == builds[-1]
    assert leftovers(paths) == []


PLANTED_PROBLEMS = {
    "person-level table": (
        "create table published.persons as select 'x' as person_id, 3 as visits",
        "table persons has a person-level column `person_id`",
    ),
    "bsn column": (
        "create table published.lookup as select 'GM0014' as bsn",
        "table lookup has a person-level column `bsn`",
    ),
    "pseudonym-like value": (
        f"create table published.codes as select '{PSEUDONYM}' as code",
        "table codes column `code` has 1 value(s) that look like a pseudonym",
    ),
    "bsn-like text": (
        "insert into published.dim_municipality values ('123456782', 'Nergens')",
        "table dim_municipality column `municipality_code` has 1 value(s) that look like a bsn (9 digits)",
    ),
    "bsn-like integer": (
        "create table published.numbers as select 123456782 as number_value",
        "table numbers column `number_value` has 1 value(s) that look like a bsn (9-digit number)",
    ),
    "small count": (
        "insert into published.indicator_output values ('OUT_WG_REACHED', 'output', 'value', 'quarter', '2025-Q1', "
        "'2025-01-01', '2025-03-31', true, 'GM0037', 'WG', 'ALLE', 'TOTAAL', 'TOTAAL', 9, null, 9, 'count', false)",
        "table indicator_output has 1 unsuppressed row(s) with a count below min_cell_size 10",
    ),
    "small denominator of a share": (
        "insert into published.indicator_impact values ('IMP_LLO_12M', 'impact', 'value', 'quarter', '2025-Q1', "
        "'2025-01-01', '2025-03-31', true, 'GM0037', 'ALL', 'ALLE', 'age_band', '65-74', 3, 9, 0.333, 'share', false)",
        "table indicator_impact has 1 unsuppressed row(s) with a numerator of a share or mean below min_cell_size 10",
    ),
    "small number of respondents of a mean": (
        "insert into published.indicator_outcome values ('OUTC_WELLBEING', 'outcome', 'value', 'quarter', '2025-Q1', "
        "'2025-01-01', '2025-03-31', true, 'REGIO', 'ALL', 'ALLE', 'TOTAAL', 'TOTAAL', 60, 8, 7.5, 'mean', false)",
        "table indicator_outcome has 1 unsuppressed row(s) with a denominator of a share or mean below min_cell_size 10",
    ),
    "few participants behind a cost per participant": (
        "insert into published.indicator_input values ('IN_COST_PER_PARTICIPANT', 'input', 'value', 'quarter', '2025-Q1', "
        "'2025-01-01', '2025-03-31', true, 'REGIO', 'ALL', 'TALENTTOUR', 'TOTAAL', 'TOTAAL', 9000, 3, 3000, 'eur', false)",
        "table indicator_input has 1 unsuppressed row(s) with a denominator (persons) below min_cell_size 10",
    ),
    "few participants in action_effect": (
        "insert into published.action_effect values ('TALENTTOUR', 'AV', 'quarter', '2025-Q1', '2025-01-01', "
        "'2025-03-31', true, 'REGIO', 12, 9, 500, 1, 0.3, 0.2, 10, -20, 40, 0.3, 0.2, 10, -20, 40, 'beschrijvend', false)",
        "table action_effect has 1 unsuppressed row(s) with `n_participants` below min_cell_size 10",
    ),
    "few participants observed in action_effect": (
        "insert into published.action_effect values ('TALENTTOUR', 'AV', 'quarter', '2025-Q1', '2025-01-01', "
        "'2025-03-31', true, 'REGIO', 8, 0, 0, 3, null, null, null, null, null, null, null, null, null, null, "
        "'beschrijvend', false)",
        "table action_effect has 1 unsuppressed row(s) with `participants` below min_cell_size 10",
    ),
    "counts without disclosure control": (
        "create table published.visits as select 'GM0014' as municipality_code, 3 as n_visitors",
        "table visits holds counts but no `is_suppressed` column",
    ),
}


@pytest.mark.parametrize("problem", PLANTED_PROBLEMS, ids=list(PLANTED_PROBLEMS))
def test_publish_check_refuses_and_leaves_the_published_files_untouched(paths: Paths, target: Path, problem: str) -> None:
    """definitions.md 6: no person-level table, no pseudonym, no unsuppressed count below min_cell_size."""
    make_warehouse(paths.warehouse_path)
    publish(paths, target)
    before = published_state(paths)
    planted, message = PLANTED_PROBLEMS[problem]
    paths.warehouse_path.unlink()
    make_warehouse(paths.warehouse_path, extra_sql=(planted,))
    with pytest.raises(PublishRefused) as refused:
        publish(paths, target)
    assert message in str(refused.value)
    assert PSEUDONYM not in str(refused.value) and "123456782" not in str(refused.value)  # never echo the values
    assert published_state(paths) == before
    assert leftovers(paths) == []
    assert len(list((paths.publish_dir / "parquet-builds").iterdir())) == 1


def test_a_count_of_exactly_min_cell_size_is_published(paths: Paths, target: Path) -> None:
    """definitions.md 6 suppresses counts *below* min_cell_size: 10 itself is shown."""
    make_warehouse(paths.warehouse_path, extra_sql=(
        "insert into published.indicator_output values ('OUT_WG_REACHED', 'output', 'value', 'quarter', '2025-Q1', "
        "'2025-01-01', '2025-03-31', true, 'GM0037', 'WG', 'ALLE', 'TOTAAL', 'TOTAAL', 10, null, 10, 'count', false)",
    ))
    publish(paths, target)


def test_suppressed_small_cells_and_money_amounts_are_published(paths: Paths, target: Path) -> None:
    """The fixture has suppressed cells (rung 6 with 0 persons, WIZ_ACADEMY contacts 7) and
    unsuppressed budgets; suppressed rows carry no numbers at all."""
    make_warehouse(paths.warehouse_path)
    published = publish(paths, target)
    with duckdb.connect(str(published), read_only=True) as connection:
        suppressed = connection.execute(
            "select count(*), count(numerator), count(denominator), count(value) from indicator_all where is_suppressed"
        ).fetchone()
        budget = connection.execute(
            "select value from indicator_input where indicator_code = 'IN_BUDGET_EUR' and action_code = 'WIZ_ACADEMY'"
        ).fetchone()
    assert suppressed == (4, 0, 0, 0)  # rungs 5 and 6, WIZ_ACADEMY contacts and its cost per participant
    assert budget == (20000,)


def test_refuses_without_run_results(paths: Paths, tmp_path: Path) -> None:
    make_warehouse(paths.warehouse_path)
    with pytest.raises(PublishRefused, match="run_results.json not found"):
        publish(paths, tmp_path / "no-target")
    assert not paths.published_db.exists()


def test_refuses_when_a_dbt_test_failed(paths: Paths, tmp_path: Path) -> None:
    make_warehouse(paths.warehouse_path)
    target = write_run_results(tmp_path / "target", {
        "model.llo_monitor.indicator_all": "success",
        "test.llo_monitor.unique_indicator_all_key": "fail",
        "test.llo_monitor.warn_only": "warn",
    })
    with pytest.raises(PublishRefused, match=r"1 dbt results did not pass: test\.llo_monitor\.unique_indicator_all_key \(fail\)"):
        publish(paths, target)
    assert not paths.published_db.exists()


@pytest.mark.parametrize("status", ["error", "skipped"])
def test_refuses_when_a_model_errored_or_was_skipped(paths: Paths, tmp_path: Path, status: str) -> None:
    make_warehouse(paths.warehouse_path)
    target = write_run_results(tmp_path / "target", {"model.llo_monitor.indicator_all": status})
    with pytest.raises(PublishRefused, match=f"indicator_all \\({status}\\)"):
        publish(paths, target)


def test_refuses_when_the_last_dbt_command_was_not_a_build(paths: Paths, tmp_path: Path) -> None:
    """A `dbt run` alone runs no tests, so it cannot show that every test passed."""
    make_warehouse(paths.warehouse_path)
    target = write_run_results(tmp_path / "target", command="run")
    with pytest.raises(PublishRefused, match="the last dbt command was `run`, not `build`"):
        publish(paths, target)


def test_refuses_when_the_last_build_did_not_run_every_test(paths: Paths, tmp_path: Path) -> None:
    """`llo build -- --select x` passes only the tests of x: not every test of the project."""
    make_warehouse(paths.warehouse_path)
    target = write_run_results(
        tmp_path / "target", {"model.llo_monitor.indicator_all": "success", "test.llo_monitor.a": "pass"},
        tests={"test.llo_monitor.a", "test.llo_monitor.b", "unit_test.llo_monitor.indicator_all.c"},
    )
    with pytest.raises(PublishRefused, match=r"2 of the project's tests did not run \(e\.g\. test\.llo_monitor\.b\)"):
        publish(paths, target)
    (target / "manifest.json").unlink()
    with pytest.raises(PublishRefused, match="manifest.json not found"):
        publish(paths, target)


def test_dbt_target_dir_follows_dbt_target_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "elsewhere"))
    assert publish_module.dbt_target_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("DBT_TARGET_PATH")
    assert publish_module.dbt_target_dir() == publish_module.PROJECT_DIR / "target"


def test_refuses_when_there_is_nothing_to_publish(paths: Paths, target: Path) -> None:
    with pytest.raises(PublishRefused, match="not found: run `llo build` first"):
        publish(paths, target)
    paths.warehouse_path.parent.mkdir(parents=True)
    duckdb.connect(str(paths.warehouse_path)).close()
    with pytest.raises(PublishRefused, match="no relations in schema `published`"):
        publish(paths, target)
    assert leftovers(paths) == []


def test_a_failure_halfway_leaves_the_published_files_untouched(
    paths: Paths, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up while the Parquet files are written: nothing is swapped, nothing is left behind."""
    make_warehouse(paths.warehouse_path)
    publish(paths, target)
    before = published_state(paths)
    write_parquet = publish_module._write_parquet

    def fail_after_writing(connection: duckdb.DuckDBPyConnection, folder: Path) -> None:
        write_parquet(connection, folder)
        raise OSError("No space left on device")

    monkeypatch.setattr(publish_module, "_write_parquet", fail_after_writing)
    with pytest.raises(OSError, match="No space left"):
        publish(paths, target)
    assert published_state(paths) == before
    assert leftovers(paths) == []
    assert len(list((paths.publish_dir / "parquet-builds").iterdir())) == 1


# --- the built warehouse of generated demo data (shared pipeline fixture) ----------

INTERFACE_TABLES = {  # interfaces.md "Published", plus this project's delivery-quality tables
    "indicator_context", "indicator_input", "indicator_output", "indicator_outcome", "indicator_impact",
    "indicator_all", "action_effect", "dim_indicator", "dim_action", "dim_municipality", "dim_period",
    "monitor_metadata", "delivery_files", "delivery_quarantine_reasons",
}


def test_the_built_warehouse_publishes_every_public_table(pipeline: object, tmp_path: Path) -> None:
    paths = publish_pipeline(pipeline, tmp_path)
    assert tables_of(paths.published_db) == INTERFACE_TABLES
    with duckdb.connect(str(paths.published_db), read_only=True) as connection:
        columns = {name for (name,) in connection.execute("select distinct column_name from information_schema.columns").fetchall()}
        assert not columns & {"person_id", "bsn"}
        assert connection.execute("select count(*) from indicator_all").fetchall()[0][0] > 0
        metadata = connection.execute(
            "select as_of_date, deliveries, rows_read, rows_accepted, rows_quarantined from monitor_metadata"
        ).fetchall()[0]
        manifest = connection.execute(
            "select last_day(cast(max(delivery_month) || '-01' as date)), "
            "count(distinct (source_name, supplier_code, delivery_month)), "
            "sum(rows_read), sum(rows_accepted), sum(rows_quarantined) from read_parquet(?)",
            [str(pipeline.paths.intake_dir / "_meta" / "manifest.parquet")],
        ).fetchall()[0]
    # the delivery summary is the intake manifest's, and the as-of date its latest month's last day
    assert metadata == manifest
    assert metadata[4] > 0  # the generator injects defects (mess 0.01), so some rows are quarantined


def test_llo_publish_command_reports_a_refusal_and_exits_non_zero(paths: Paths, target: Path) -> None:
    make_warehouse(paths.warehouse_path, extra_sql=(PLANTED_PROBLEMS["person-level table"][0],))
    env = dict(os.environ, LLO_DATA_DIR=str(paths.data_dir), DBT_TARGET_PATH=str(target))
    result = subprocess.run([sys.executable, "-m", "llo.cli", "publish"], env=env, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 1
    assert "llo publish: refused; the published database was left as it was." in result.stderr
    assert "table persons has a person-level column `person_id`" in result.stderr
    assert "Traceback" not in result.stderr
    assert not paths.published_db.exists()


def test_nine_digit_totals_in_monitor_metadata_are_not_mistaken_for_a_bsn(paths: Paths, target: Path) -> None:
    """At country scale the delivery summary sums to more than 100 million rows; the
    metadata row is written after the check, from tables that passed it."""
    make_warehouse(paths.warehouse_path, extra_sql=(
        "update published.delivery_files set rows_read = 60000000, rows_accepted = 59999990 where supplier_code = 'GM0014'",
        "update published.delivery_files set rows_read = 50000000, rows_accepted = 50000000 where supplier_code = 'uwv'",
    ))
    published = publish(paths, target)
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute("select rows_read from monitor_metadata").fetchall() == [(110_000_020,)]
