"""The benchmark harness (bench/run.py) on small hand-made inputs: what it counts,
how it summarises, that the direct execution follows the DAG, and which queries the
dashboard's pages run on the published fixture. No timings are asserted, only which
figures are derived from which."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import duckdb
import pytest

from bench.run import (
    BenchFailed,
    RunResult,
    StageTiming,
    _runs_from,
    delivered_rows,
    dashboard_queries,
    execute_directly,
    growth_ratios,
    markdown_report,
    run_stage,
    summarise,
    time_queries,
)
from llo.dashboard import PAGES, QUERY_LOG_ENV
from llo.publish import publish
from llo.settings import Paths
from published_fixture import make_warehouse, write_run_results


def test_runs_default_per_scale_or_from_bench_runs() -> None:
    assert _runs_from(None, (0.1, 1.0, 5.0)) == {0.1: 3, 1.0: 3, 5.0: 2}
    assert _runs_from("1", (0.1, 1.0)) == {0.1: 1, 1.0: 1}
    # a scale not named keeps its default
    assert _runs_from("0.1=4,5=1", (0.1, 1.0, 5.0)) == {0.1: 4, 1.0: 3, 5.0: 1}


def test_delivered_rows_counts_data_lines_without_headers(tmp_path: Path) -> None:
    # three files: 2 data lines; 0 data lines (header only); 1 data line whose
    # last line has no line break. Total 3.
    (tmp_path / "uwv" / "2025-01").mkdir(parents=True)
    (tmp_path / "uwv" / "2025-01" / "a.csv").write_bytes(b"bsn;x\n1;2\n3;4\n")
    (tmp_path / "uwv" / "2025-01" / "b.csv").write_bytes(b"bsn;x\n")
    (tmp_path / "c.csv").write_bytes(b"bsn;x\n5;6")
    (tmp_path / "notes.txt").write_bytes(b"not\na\ndelivery\n")
    assert delivered_rows(tmp_path) == 3


def test_run_stage_peak_memory_includes_grandchildren(tmp_path: Path) -> None:
    # The stage process starts a child that holds 200 MB; the stage's own process
    # stays small, so a peak of at least 200 MB can only come from the grandchild.
    grandchild = "data = bytearray(200 * 1024 * 1024); data[::4096] = b'x' * len(data[::4096])"
    stage = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {grandchild!r}], check=True)"
    timing = run_stage("demo", [sys.executable, "-c", stage], {}, tmp_path / "demo.log")
    assert timing.peak_rss_mb >= 200
    assert timing.cpu_seconds > 0


def test_run_stage_failure_names_the_stage_and_the_error_line(tmp_path: Path) -> None:
    output = ("print('reading x.csv'); print('\\x1b[31mFailure in model int_x\\x1b[0m'); print('  Runtime Error in model int_x'); "
              "print('  Out of Memory Error: could not allocate block'); print('Done.')")
    command = [sys.executable, "-c", f"{output}; raise SystemExit(3)"]
    with pytest.raises(BenchFailed, match=r"(?s)stage build exited with 3.*reading x.csv") as failure:
        run_stage("build", command, {}, tmp_path / "build.log")
    assert failure.value.stage == "build"
    assert failure.value.reason == "Out of Memory Error: could not allocate block"


def test_failure_reason_of_a_failed_test_is_its_failure_line() -> None:
    tail = "\x1b[0m18:49:41  407 of 422 SKIP test not_null_x\n\x1b[31mFailure in unit_test input_amounts (x.yml)\x1b[0m\nDone. ERROR=1"
    assert BenchFailed("build", "stage build exited with 1", tail).reason == "Failure in unit_test input_amounts (x.yml)"


def _run(scale: float, run: int, build_wall: float, direct: float, models: dict[str, float], rows: int) -> RunResult:
    stages = {stage: StageTiming(wall_seconds=1.0, cpu_seconds=0.5, peak_rss_mb=100.0, rows=rows) for stage in ("generate", "intake", "publish")}
    stages["build"] = StageTiming(wall_seconds=build_wall, cpu_seconds=build_wall, peak_rss_mb=200.0, rows=rows)
    return RunResult(scale, run, stages, dbt_elapsed_seconds=build_wall - 1, dbt_node_seconds=models,
                     direct_seconds=direct, direct_node_seconds={name: seconds / 2 for name, seconds in models.items()})


def test_summary_takes_medians_and_growth_compares_with_scale_one() -> None:
    results = [
        # scale 1: build walls 10, 12, 30 -> median 12; direct 4, 4, 5 -> ratios 2.5, 3, 6 -> median 3
        _run(1.0, 1, 10, 4, {"int_a": 3, "int_b": 1}, 1000),
        _run(1.0, 2, 12, 4, {"int_a": 5, "int_b": 2}, 1000),
        _run(1.0, 3, 30, 5, {"int_a": 4, "int_b": 9}, 1000),
        # scale 5: build walls 50, 70 -> median 60
        _run(5.0, 1, 50, 20, {"int_a": 20, "int_b": 5}, 5000),
        _run(5.0, 2, 70, 30, {"int_a": 30, "int_b": 6}, 5000),
    ]
    summary = summarise(results)
    one = summary["1"]
    assert one["stages"]["build"]["wall_seconds"] == 12
    assert one["stages"]["build"]["rows_per_second"] == 1000 / 12
    assert one["total_wall_seconds"] == 15  # 3 stages of 1 s + build 12
    assert one["orchestration_ratio"] == 3
    # medians per model: int_a 4, int_b 2 -> int_a first; direct is half of each run's time
    assert one["slowest_models"] == [
        {"model": "int_a", "dbt_seconds": 4, "direct_seconds": 2},
        {"model": "int_b", "dbt_seconds": 2, "direct_seconds": 1},
    ]
    growth = growth_ratios(summary)
    assert list(growth) == ["5/1"]
    assert growth["5/1"]["rows"] == 5
    assert growth["5/1"]["build"] == 60 / 12
    assert growth["5/1"]["total"] == 63 / 15
    assert growth["5/1"]["generate"] == 1


def test_direct_execution_follows_the_dag_on_a_copy(tmp_path: Path) -> None:
    # Model b reads view a; the run results list b first. On an empty warehouse b
    # can only be created after a, so success shows the DAG order was used. The
    # original warehouse must stay untouched (still no relation a).
    warehouse = tmp_path / "llo.duckdb"
    duckdb.connect(str(warehouse)).close()
    target = tmp_path / "target"
    target.mkdir()
    config_view = {"materialized": "view"}
    config_table = {"materialized": "table"}
    manifest = {
        "nodes": {
            "model.p.a": {"resource_type": "model", "config": config_view, "relation_name": '"llo"."main"."a"'},
            "model.p.b": {"resource_type": "model", "config": config_table, "relation_name": '"llo"."main"."b"'},
            "test.p.b_is_two": {"resource_type": "test", "config": {}},
        },
        "parent_map": {"model.p.a": [], "model.p.b": ["model.p.a"], "test.p.b_is_two": ["model.p.b"]},
    }
    run_results = {"results": [
        {"unique_id": "test.p.b_is_two", "compiled_code": 'select * from "llo"."main"."b" where y <> 2'},
        {"unique_id": "model.p.b", "compiled_code": 'select x + 1 as y from "llo"."main"."a"'},
        {"unique_id": "model.p.a", "compiled_code": "select 1 as x"},
    ]}
    (target / "manifest.json").write_text(json.dumps(manifest))
    (target / "run_results.json").write_text(json.dumps(run_results))
    _, per_model = execute_directly(target, warehouse, tmp_path / "scratch")
    assert sorted(per_model) == ["a", "b"]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute("select count(*) from information_schema.tables").fetchone()[0] == 0
    assert not (tmp_path / "scratch").exists()


ENVIRONMENT = {"cpus": 2, "platform": "linux", "commit": "abc1234", "uncommitted_changes": False,
               "load_average_before": [1.0], "load_average_after": [2.0], "python": "3.11", "duckdb": "2.0.1", "dbt": "1.11"}


def test_report_lists_a_failed_run_even_when_no_run_succeeded() -> None:
    failure = {"scale": 5.0, "run": 1, "stage": "build", "reason": "Out of Memory Error: could not allocate block", "log_tail": ""}
    report = {"finished_at": "now", "environment": ENVIRONMENT, "summary": {}, "growth": {}, "failures": [failure]}
    assert "| 5 | 1 | build | Out of Memory Error: could not allocate block |" in markdown_report(report).splitlines()


def test_dashboard_queries_come_from_every_page_and_the_heaviest_is_the_slowest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(QUERY_LOG_ENV, raising=False)
    paths = Paths(data_dir=tmp_path / "data", landing_dir=tmp_path / "landing")
    make_warehouse(paths.warehouse_path)
    published_db = publish(paths, write_run_results(tmp_path / "target"))
    queries = dashboard_queries(published_db, tmp_path / "logs")
    slugs = [page.slug for page in PAGES]
    # every page runs a query of its own; the cache is emptied before each page, so
    # a query every page needs (the metadata) is logged for all of them, not the first only
    for slug in slugs:
        assert any(pages == [slug] for pages in queries.values()), f"no query of page {slug} alone"
    assert queries[("select * from monitor_metadata", "[]")] == slugs
    assert QUERY_LOG_ENV not in os.environ

    timed = time_queries(published_db, queries)
    assert sorted((query["sql"], json.dumps(query["parameters"])) for query in timed) == sorted(queries)
    stages = {stage: StageTiming(1.0, 1.0, 1.0, rows=1) for stage in ("generate", "intake", "build", "publish")}
    summary = summarise([RunResult(1.0, 1, stages, 0.0, {}, dashboard_queries=timed)])
    dashboard = summary["1"]["dashboard"]
    assert dashboard["queries"] == len(queries)
    assert dashboard["heaviest_median_ms"] == max(query["median_seconds"] for query in timed) * 1000 == timed[0]["median_seconds"] * 1000
    assert dashboard["heaviest_pages"] == timed[0]["pages"]
    assert dashboard["median_ms"] <= dashboard["heaviest_median_ms"]
    report = {"finished_at": "now", "environment": ENVIRONMENT, "summary": summary, "growth": {}, "failures": []}
    row = (f"| 1 | {len(queries)} | {dashboard['heaviest_median_ms']:.1f} | {dashboard['median_ms']:.1f} | "
           f"{', '.join(dashboard['heaviest_pages'])} |")
    assert row in markdown_report(report).splitlines()
