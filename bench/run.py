"""`make bench`: the whole pipeline (llo generate, intake, build, publish) at several
scales, several runs each, through the CLI as a user runs it. Writes
bench/results/latest.json (every run) and bench/results/latest.md (medians).

Per stage: wall time, CPU time (user + system of the stage process and all its
descendants) and peak resident memory (the largest single process in the stage),
both from the rusage that os.wait4 returns for the stage process, and rows per
second (rows the stage reads; see docs/performance.md).

Two ratios from the same runs:
- orchestration: `llo build` wall time over the time DuckDB needs to execute the
  compiled SQL of the same nodes directly, in DAG order, on a copy of the warehouse;
- growth: median wall time at each scale above 1 over the median at scale 1.

Dashboard queries: after each scale's last run, every dashboard page is rendered
once (streamlit AppTest) with $LLO_DASHBOARD_QUERY_LOG set; each distinct query the
pages ran is then timed DASHBOARD_REPEATS times on a fresh read-only connection to
the published file, and the median per query is reported.

Environment: BENCH_SCALES (e.g. "0.1,1"), BENCH_RUNS ("2" for every scale, or
"0.1=3,1=3,5=2"), BENCH_LARGE=1 adds scale 10, BENCH_DIRECT=0 skips the direct
execution, BENCH_DASHBOARD=0 skips the dashboard queries, BENCH_KEEP=1 keeps the
data of each scale's last run for inspection, BENCH_DIR (work folder, default
bench/work), BENCH_RESULTS_DIR (default bench/results), BENCH_SEED, BENCH_MONTHS,
BENCH_SOURCE (what is benchmarked, for a copy without git metadata; default the
git commit).
"""

from __future__ import annotations

import graphlib
import json
import logging
import multiprocessing
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from llo.dashboard import PAGES, PUBLISHED_DB_ENV, QUERY_LOG_ENV
from llo.settings import PROJECT_DIR

STAGES = ("generate", "intake", "build", "publish")
DEFAULT_SCALES = (0.1, 1.0, 5.0)
LARGE_SCALE = 10.0
DEFAULT_RUNS = {0.1: 3, 1.0: 3, 5.0: 2, 10.0: 1}
SLOWEST_MODELS_SHOWN = 10
LOG_TAIL_LINES = 60
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
DASHBOARD_REPEATS = 5
HEAVIEST_SQL_SHOWN = 200


class BenchFailed(Exception):
    """A pipeline stage exited non-zero; the run is recorded as failed with its log."""

    def __init__(self, stage: str, message: str, log_tail: str) -> None:
        super().__init__(f"{message}\n{log_tail}")
        self.stage = stage
        self.log_tail = log_tail

    @property
    def reason(self) -> str:
        """The first line of the log tail naming an error (dbt: the message under
        "Runtime Error in ..."), else the first "Failure in ..." line, else the last line."""
        lines = [ANSI_ESCAPE.sub("", line).strip() for line in self.log_tail.splitlines()]
        lines = [line for line in lines if line]
        errors = [line for line in lines if "Error" in line and "Runtime Error in" not in line]
        failures = [line for line in lines if "Failure in" in line]
        return (errors or failures or [lines[-1] if lines else "no output"])[0]


@dataclass(frozen=True)
class BenchSettings:
    scales: tuple[float, ...]
    runs: dict[float, int]
    work_dir: Path
    results_dir: Path
    seed: int
    months: int
    direct: bool
    dashboard: bool
    keep: bool


@dataclass
class StageTiming:
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    rows: int = 0


@dataclass
class RunResult:
    scale: float
    run: int
    stages: dict[str, StageTiming]
    dbt_elapsed_seconds: float
    dbt_node_seconds: dict[str, float]
    direct_seconds: float | None = None
    direct_node_seconds: dict[str, float] = field(default_factory=dict)
    dashboard_queries: list[dict[str, Any]] = field(default_factory=list)


# ---------------------------------------------------------------- settings


def _runs_from(text: str | None, scales: tuple[float, ...]) -> dict[float, int]:
    if not text:
        return {scale: DEFAULT_RUNS.get(scale, 1) for scale in scales}
    if "=" not in text:
        return {scale: int(text) for scale in scales}
    given = {float(key): int(value) for key, value in (item.split("=") for item in text.split(","))}
    return {scale: given.get(scale, DEFAULT_RUNS.get(scale, 1)) for scale in scales}


def settings_from_environment() -> BenchSettings:
    scales_text = os.environ.get("BENCH_SCALES")
    scales = tuple(float(item) for item in scales_text.split(",")) if scales_text else DEFAULT_SCALES
    if os.environ.get("BENCH_LARGE") == "1" and LARGE_SCALE not in scales:
        scales = (*scales, LARGE_SCALE)
    return BenchSettings(
        scales=scales,
        runs=_runs_from(os.environ.get("BENCH_RUNS"), scales),
        work_dir=Path(os.environ.get("BENCH_DIR", PROJECT_DIR / "bench" / "work")).resolve(),
        results_dir=Path(os.environ.get("BENCH_RESULTS_DIR", PROJECT_DIR / "bench" / "results")).resolve(),
        seed=int(os.environ.get("BENCH_SEED", "42")),
        months=int(os.environ.get("BENCH_MONTHS", "2")),
        direct=os.environ.get("BENCH_DIRECT", "1") != "0",
        dashboard=os.environ.get("BENCH_DASHBOARD", "1") != "0",
        keep=os.environ.get("BENCH_KEEP") == "1",
    )


# ---------------------------------------------------------------- one stage


def run_stage(stage: str, command: list[str], env: dict[str, str], log_file: Path) -> StageTiming:
    """Run one stage as a subprocess; its rusage from wait4 covers it and every
    descendant it waited for (dbt runs in a child of `llo build`)."""
    with log_file.open("w", encoding="utf-8") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = "\n".join(log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-LOG_TAIL_LINES:])
        raise BenchFailed(stage, f"stage {stage} exited with {process.returncode}: {' '.join(command)} (log {log_file})", tail)
    return StageTiming(
        wall_seconds=wall,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports kilobytes
    )


# ---------------------------------------------------------------- rows per stage


def delivered_rows(landing: Path) -> int:
    """Data lines of every delivered CSV (header excluded): what generate writes and intake reads."""
    rows = 0
    for csv_file in landing.rglob("*.csv"):
        lines, last_byte = 0, b"\n"
        with csv_file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 24), b""):
                lines += chunk.count(b"\n")
                last_byte = chunk[-1:]
        lines += last_byte != b"\n"  # a last line without a line break
        rows += max(lines - 1, 0)
    return rows


def intake_rows(intake_dir: Path) -> int:
    """Rows of the intake Parquet files (every delivery): what dbt's sources read."""
    return sum(
        pq.ParquetFile(path).metadata.num_rows
        for path in intake_dir.rglob("*.parquet")
        if "_meta" not in path.parts and not path.name.startswith("_")
    )


def published_rows(published_db: Path) -> int:
    with duckdb.connect(str(published_db), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
        return sum(
            connection.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0] for schema, table in tables
        )


# ---------------------------------------------------------------- dbt artefacts


def dbt_results(target_dir: Path) -> tuple[float, dict[str, float]]:
    """dbt's own elapsed time and the execution time of every model."""
    run_results = json.loads((target_dir / "run_results.json").read_text(encoding="utf-8"))
    models = {
        result["unique_id"].split(".")[-1]: result["execution_time"]
        for result in run_results["results"]
        if result["unique_id"].startswith("model.")
    }
    return run_results["elapsed_time"], models


def _duckdb_settings() -> dict[str, Any]:
    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    output = profile["llo_monitor"]["outputs"][profile["llo_monitor"]["target"]]
    return dict(output.get("settings", {}))


def _statement(node: dict[str, Any], compiled: str) -> str | None:
    """The SQL that does a node's work without dbt around it."""
    kind = node["resource_type"]
    if kind == "seed":
        types = node["config"].get("column_types") or {}
        types_sql = "{" + ", ".join(f"'{name}': '{kind_}'" for name, kind_ in types.items()) + "}"
        path = PROJECT_DIR / node["original_file_path"]
        return f"create or replace table {node['relation_name']} as select * from read_csv('{path}', header = true, types = {types_sql})"
    if kind == "model":
        materialized = node["config"]["materialized"]
        if materialized == "ephemeral":
            return None
        relation_kind = "view" if materialized == "view" else "table"
        return f"create or replace {relation_kind} {node['relation_name']} as (\n{compiled}\n)"
    if kind in ("test", "unit_test") and compiled:
        return f"select count(*) from (\n{compiled}\n) as dbt_free_test"
    return None


def execute_directly(target_dir: Path, warehouse: Path, scratch: Path) -> tuple[float, dict[str, float]]:
    """Run the compiled SQL of every node `dbt build` executed, in DAG order, one
    statement at a time on a copy of the built warehouse, with the profile's DuckDB
    settings. Returns the total wall time and the time per model."""
    manifest = json.loads((target_dir / "manifest.json").read_text(encoding="utf-8"))
    run_results = json.loads((target_dir / "run_results.json").read_text(encoding="utf-8"))
    compiled = {result["unique_id"]: result.get("compiled_code") or "" for result in run_results["results"]}
    nodes = {**manifest["nodes"], **manifest.get("unit_tests", {})}
    executed = [unique_id for unique_id in compiled if unique_id in nodes]
    graph = {unique_id: [parent for parent in manifest["parent_map"].get(unique_id, []) if parent in compiled] for unique_id in executed}
    order = list(graphlib.TopologicalSorter(graph).static_order())

    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    copy = scratch / warehouse.name  # same file name, so the catalog name in compiled SQL resolves
    shutil.copyfile(warehouse, copy)
    settings = _duckdb_settings()
    settings["temp_directory"] = str(scratch / "tmp")
    node_seconds: dict[str, float] = {}
    with duckdb.connect(str(copy)) as connection:
        for name, value in settings.items():
            connection.execute(f"set {name} = '{value}'" if isinstance(value, str) else f"set {name} = {value}")
        started = time.perf_counter()
        for unique_id in order:
            statement = _statement(nodes[unique_id], compiled[unique_id])
            if statement is None:
                continue
            node_started = time.perf_counter()
            connection.execute(statement).fetchall()
            if unique_id.startswith("model."):
                node_seconds[unique_id.split(".")[-1]] = time.perf_counter() - node_started
        total = time.perf_counter() - started
    shutil.rmtree(scratch, ignore_errors=True)
    return total, node_seconds


# ---------------------------------------------------------------- dashboard queries


def dashboard_queries(published_db: Path, log_dir: Path) -> dict[tuple[str, str], list[str]]:
    """Render every dashboard page on the published file; the distinct queries the
    pages ran on DuckDB, as (sql, parameters as JSON), with the slugs of the pages
    that ran each. The query cache is emptied before each page, so every page runs
    all its queries."""
    log_dir.mkdir(parents=True, exist_ok=True)
    saved = {name: os.environ.get(name) for name in (PUBLISHED_DB_ENV, QUERY_LOG_ENV)}
    queries: dict[tuple[str, str], list[str]] = {}
    try:
        os.environ[PUBLISHED_DB_ENV] = str(published_db)
        for page in PAGES:
            log = log_dir / f"{page.slug}.jsonl"
            log.unlink(missing_ok=True)
            os.environ[QUERY_LOG_ENV] = str(log)
            st.cache_data.clear()
            test = AppTest.from_file(str(PROJECT_DIR / "llo" / "dashboard.py"), default_timeout=120)
            test.query_params["pagina"] = page.slug
            test.run()
            if test.exception:
                raise BenchFailed("dashboard", f"dashboard page {page.slug} failed", "\n".join(str(error.value) for error in test.exception))
            for line in log.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                pages = queries.setdefault((entry["sql"], json.dumps(entry["parameters"])), [])
                if page.slug not in pages:
                    pages.append(page.slug)
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()  # drops the dashboard's connection to the file
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return queries


def time_queries(published_db: Path, queries: dict[tuple[str, str], list[str]]) -> list[dict[str, Any]]:
    """Each query DASHBOARD_REPEATS times on one fresh read-only connection, fetched
    into pandas as the dashboard does; the median per query, the slowest first."""
    timed = []
    with duckdb.connect(str(published_db), read_only=True) as connection:
        for (sql, parameters), pages in queries.items():
            seconds = []
            for _ in range(DASHBOARD_REPEATS):
                started = time.perf_counter()
                connection.execute(sql, json.loads(parameters)).df()
                seconds.append(time.perf_counter() - started)
            timed.append({"sql": sql, "parameters": json.loads(parameters), "pages": pages, "median_seconds": statistics.median(seconds)})
    return sorted(timed, key=lambda query: query["median_seconds"], reverse=True)


# ---------------------------------------------------------------- one run


def time_dashboard_queries(published_db: Path, log_dir: Path) -> list[dict[str, Any]]:
    """Runs in a child process of its own (in_child_process), so silencing warnings hides nothing
    else: bare-mode AppTest warns "No runtime found" for every cached query, hundreds of lines."""
    logging.disable(logging.WARNING)
    return time_queries(published_db, dashboard_queries(published_db, log_dir))


def in_child_process(function: Any, *arguments: Any) -> Any:
    """`function(*arguments)` in a fresh interpreter. The harness itself must stay small: Linux records
    the memory high-water mark of the process that starts a stage into the stage's own peak RSS (at
    exec), so work done in this process (DuckDB, Streamlit) would inflate every later stage's figure."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, arguments)


def run_pipeline(settings: BenchSettings, scale: float, run: int) -> RunResult:
    root = settings.work_dir / f"scale-{scale:g}"
    shutil.rmtree(root, ignore_errors=True)
    data_dir, target_dir, logs = root / "data", root / "target", root / "logs"
    landing = data_dir / "landing"
    logs.mkdir(parents=True)
    env = dict(os.environ)
    env.update(
        LLO_DATA_DIR=str(data_dir),
        LLO_LANDING_DIR=str(landing),
        LLO_PSEUDONYM_KEY=os.environ.get("LLO_PSEUDONYM_KEY", "bench-key-not-secret"),
        DBT_TARGET_PATH=str(target_dir),
        DBT_LOG_PATH=str(logs / "dbt"),
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
    )
    # `python -m llo.cli` from the project folder is the `llo` command of the
    # checkout this harness lives in (also when benchmarking an exported copy).
    llo = [sys.executable, "-m", "llo.cli"]
    commands = {
        "generate": [*llo, "generate", "--scale", f"{scale:g}", "--seed", str(settings.seed), "--months", str(settings.months), "--out", str(landing)],
        "intake": [*llo, "intake"],
        "build": [*llo, "build"],
        "publish": [*llo, "publish"],
    }
    stages: dict[str, StageTiming] = {}
    for stage in STAGES:
        stages[stage] = run_stage(stage, commands[stage], env, logs / f"{stage}.log")
        print(f"  scale {scale:g} run {run}: {stage:<8} {stages[stage].wall_seconds:8.1f} s", flush=True)
    stages["generate"].rows = stages["intake"].rows = delivered_rows(landing)
    stages["build"].rows = intake_rows(data_dir / "intake")
    stages["publish"].rows = published_rows(data_dir / "publish" / "llo_monitor.duckdb")
    elapsed, model_seconds = dbt_results(target_dir)
    result = RunResult(scale, run, stages, elapsed, model_seconds)
    if settings.direct:
        result.direct_seconds, result.direct_node_seconds = in_child_process(
            execute_directly, target_dir, data_dir / "warehouse" / "llo.duckdb", root / "direct"
        )
        print(f"  scale {scale:g} run {run}: direct   {result.direct_seconds:8.1f} s", flush=True)
    if settings.dashboard and run == settings.runs[scale]:
        published_db = data_dir / "publish" / "llo_monitor.duckdb"
        result.dashboard_queries = in_child_process(time_dashboard_queries, published_db, logs / "dashboard")
        print(f"  scale {scale:g} run {run}: dashboard {len(result.dashboard_queries)} queries, heaviest "
              f"{result.dashboard_queries[0]['median_seconds'] * 1000:.0f} ms", flush=True)
    if not (settings.keep and run == settings.runs[scale]):
        shutil.rmtree(root, ignore_errors=True)
    return result


# ---------------------------------------------------------------- summary and reports


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def dashboard_summary(queries: list[dict[str, Any]]) -> dict[str, Any]:
    """The number of distinct dashboard queries, the heaviest (largest median) and the median of the medians."""
    heaviest = max(queries, key=lambda query: query["median_seconds"])
    return {
        "queries": len(queries),
        "heaviest_median_ms": heaviest["median_seconds"] * 1000,
        "heaviest_sql": " ".join(heaviest["sql"].split())[:HEAVIEST_SQL_SHOWN],
        "heaviest_pages": heaviest["pages"],
        "median_ms": statistics.median(query["median_seconds"] for query in queries) * 1000,
    }


def summarise(results: list[RunResult]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for scale in sorted({result.scale for result in results}):
        runs = [result for result in results if result.scale == scale]
        stages = {}
        for stage in STAGES:
            wall = _median([run.stages[stage].wall_seconds for run in runs])
            rows = runs[0].stages[stage].rows
            stages[stage] = {
                "wall_seconds": wall,
                "cpu_seconds": _median([run.stages[stage].cpu_seconds for run in runs]),
                "peak_rss_mb": _median([run.stages[stage].peak_rss_mb for run in runs]),
                "rows": rows,
                "rows_per_second": rows / wall if wall else None,
            }
        totals = [sum(run.stages[stage].wall_seconds for stage in STAGES) for run in runs]
        ratios = [run.stages["build"].wall_seconds / run.direct_seconds for run in runs if run.direct_seconds]
        model_names = sorted({name for run in runs for name in run.dbt_node_seconds})
        models = [
            {
                "model": name,
                "dbt_seconds": _median([run.dbt_node_seconds[name] for run in runs if name in run.dbt_node_seconds]),
                "direct_seconds": _median([run.direct_node_seconds[name] for run in runs if name in run.direct_node_seconds]),
            }
            for name in model_names
        ]
        models.sort(key=lambda model: model["dbt_seconds"], reverse=True)
        dashboard = [run.dashboard_queries for run in runs if run.dashboard_queries]
        summary[f"{scale:g}"] = {
            "runs": len(runs),
            "stages": stages,
            "total_wall_seconds": _median(totals),
            "dbt_elapsed_seconds": _median([run.dbt_elapsed_seconds for run in runs]),
            "dbt_model_seconds_sum": _median([sum(run.dbt_node_seconds.values()) for run in runs]),
            "direct_seconds": _median([run.direct_seconds for run in runs if run.direct_seconds]),
            "orchestration_ratio": _median(ratios),
            "slowest_models": models[:SLOWEST_MODELS_SHOWN],
            "dashboard": dashboard_summary(dashboard[-1]) if dashboard else None,
        }
    return summary


def growth_ratios(summary: dict[str, Any]) -> dict[str, Any]:
    """Median time at each scale above 1 over the median at scale 1, per stage and in total."""
    if "1" not in summary:
        return {}
    base = summary["1"]
    growth = {}
    for scale, figures in summary.items():
        if float(scale) <= 1:
            continue
        growth[f"{scale}/1"] = {
            "rows": figures["stages"]["build"]["rows"] / base["stages"]["build"]["rows"],
            "total": figures["total_wall_seconds"] / base["total_wall_seconds"],
            **{stage: figures["stages"][stage]["wall_seconds"] / base["stages"][stage]["wall_seconds"] for stage in STAGES},
        }
    return growth


def _git(*arguments: str) -> str:
    completed = subprocess.run(["git", *arguments], cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    return completed.stdout.strip()


def environment_description(load_before: tuple[float, ...], settings: BenchSettings) -> dict[str, Any]:
    import dbt.version

    return {
        "cpus": os.cpu_count(),
        "load_average_before": list(load_before),
        "load_average_after": list(os.getloadavg()),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt": dbt.version.__version__,
        "duckdb_settings": _duckdb_settings(),
        # BENCH_SOURCE describes an exported copy that has no git metadata
        "commit": os.environ.get("BENCH_SOURCE") or _git("rev-parse", "--short", "HEAD"),
        # the reports this harness writes are not changes to what is benchmarked
        "uncommitted_changes": bool(_git("status", "--porcelain", "--", ".", ":(exclude)bench/results")),
        "seed": settings.seed,
        "months": settings.months,
    }


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def markdown_report(report: dict[str, Any]) -> str:
    environment = report["environment"]
    lines = [
        "# Benchmark: the whole pipeline",
        "",
        f"Taken {report['finished_at']} on {environment['cpus']} CPUs ({environment['platform']}), "
        f"commit {environment['commit']}{' with uncommitted changes' if environment['uncommitted_changes'] else ''}; "
        f"load average {environment['load_average_before'][0]:.2f} before, {environment['load_average_after'][0]:.2f} after. "
        f"Python {environment['python']}, DuckDB {environment['duckdb']}, dbt {environment['dbt']}. "
        f"Medians over the runs per scale. Reproduce: `make bench` (see docs/performance.md).",
        "",
        "## Stages",
        "",
        "| scale | runs | stage | wall s | CPU s | peak RSS MB | rows | rows/s |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for scale, figures in report["summary"].items():
        for stage in STAGES:
            stage_figures = figures["stages"][stage]
            lines.append(
                f"| {scale} | {figures['runs']} | {stage} | {_seconds(stage_figures['wall_seconds'])} | "
                f"{_seconds(stage_figures['cpu_seconds'])} | {stage_figures['peak_rss_mb']:.0f} | {stage_figures['rows']:,} | "
                f"{stage_figures['rows_per_second']:,.0f} |"
            )
        lines.append(f"| {scale} | {figures['runs']} | **total** | **{_seconds(figures['total_wall_seconds'])}** | | | | |")
    lines += [
        "",
        "## Orchestration: `llo build` over the same SQL run directly in DuckDB",
        "",
        "| scale | llo build wall s | dbt elapsed s | sum of model times in dbt s | direct s | ratio |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for scale, figures in report["summary"].items():
        ratio = figures["orchestration_ratio"]
        lines.append(
            f"| {scale} | {_seconds(figures['stages']['build']['wall_seconds'])} | {_seconds(figures['dbt_elapsed_seconds'])} | "
            f"{_seconds(figures['dbt_model_seconds_sum'])} | {_seconds(figures['direct_seconds'])} | "
            f"{'–' if ratio is None else f'{ratio:.2f}'} |"
        )
    dashboard = {scale: figures["dashboard"] for scale, figures in report["summary"].items() if figures.get("dashboard")}
    if dashboard:
        lines += [
            "",
            f"## Dashboard queries: every page rendered once, each distinct query timed {DASHBOARD_REPEATS} times",
            "",
            "| scale | queries | heaviest median ms | median of all queries ms | heaviest on pages |",
            "|---:|---:|---:|---:|---|",
        ]
        for scale, figures in dashboard.items():
            lines.append(f"| {scale} | {figures['queries']} | {figures['heaviest_median_ms']:.1f} | {figures['median_ms']:.1f} | "
                         f"{', '.join(figures['heaviest_pages'])} |")
        scale, figures = list(dashboard.items())[-1]
        lines += ["", f"Heaviest query at scale {scale}: `{figures['heaviest_sql']}`"]
    if report["growth"]:
        lines += ["", "## Growth with the region's size", "", "| ratio | rows | total | " + " | ".join(STAGES) + " |",
                  "|---|---:|---:|" + "---:|" * len(STAGES)]
        for name, ratios in report["growth"].items():
            lines.append(f"| {name} | {ratios['rows']:.2f} | {ratios['total']:.2f} | " + " | ".join(f"{ratios[stage]:.2f}" for stage in STAGES) + " |")
    if report["failures"]:
        lines += ["", "## Failed runs", "", "| scale | run | stage | reason |", "|---:|---:|---|---|"]
        for failure in report["failures"]:
            lines.append(f"| {failure['scale']:g} | {failure['run']} | {failure['stage']} | {failure['reason'].replace('|', '/')} |")
    if not report["summary"]:
        return "\n".join(lines) + "\n"
    largest = list(report["summary"])[-1]
    lines += [
        "",
        f"## Slowest {SLOWEST_MODELS_SHOWN} dbt models at scale {largest}",
        "",
        "| model | in dbt s | direct s |",
        "|---|---:|---:|",
    ]
    for model in report["summary"][largest]["slowest_models"]:
        lines.append(f"| {model['model']} | {_seconds(model['dbt_seconds'])} | {_seconds(model['direct_seconds'])} |")
    return "\n".join(lines) + "\n"


def write_reports(settings: BenchSettings, load_before: tuple[float, ...], results: list[RunResult], failures: list[dict[str, Any]]) -> None:
    """Written after every run, so an interrupted benchmark still leaves its figures."""
    summary = summarise(results)
    report = {
        "finished_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "environment": environment_description(load_before, settings),
        "summary": summary,
        "growth": growth_ratios(summary),
        "failures": failures,
        "runs": [asdict(result) for result in results],
    }
    settings.results_dir.mkdir(parents=True, exist_ok=True)
    (settings.results_dir / "latest.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    (settings.results_dir / "latest.md").write_text(markdown_report(report), encoding="utf-8")


def main() -> int:
    settings = settings_from_environment()
    load_before = os.getloadavg()
    print(f"Benchmark: scales {', '.join(f'{scale:g}' for scale in settings.scales)}; runs {settings.runs}; work folder {settings.work_dir}", flush=True)
    results: list[RunResult] = []
    failures: list[dict[str, Any]] = []
    for scale in settings.scales:
        for run in range(1, settings.runs[scale] + 1):
            try:
                results.append(run_pipeline(settings, scale, run))
            except BenchFailed as failure:
                print(f"  scale {scale:g} run {run}: FAILED in {failure.stage}: {failure.reason}", file=sys.stderr, flush=True)
                failures.append({"scale": scale, "run": run, "stage": failure.stage, "reason": failure.reason, "log_tail": failure.log_tail})
                root = settings.work_dir / f"scale-{scale:g}"
                shutil.copytree(root / "logs", settings.work_dir / "failed" / f"scale-{scale:g}-run-{run}", dirs_exist_ok=True)
                if not settings.keep:
                    shutil.rmtree(root, ignore_errors=True)
                write_reports(settings, load_before, results, failures)
                break  # the other runs of this scale would fail the same way
            write_reports(settings, load_before, results, failures)
    print(f"Wrote {settings.results_dir / 'latest.md'} and {settings.results_dir / 'latest.json'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
