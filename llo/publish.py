"""`llo publish`: the published database and Parquet files for BI tools and the dashboard.

Copies every relation of warehouse schema `published` (and nothing else) into a
fresh DuckDB file, adds `monitor_metadata`, runs the publish check and only then
swaps the file over the published path with one atomic rename. The Parquet copies
are written to a fresh build folder and swapped in by replacing the `parquet`
symlink, also with one atomic rename. Anything that fails leaves the previously
published files exactly as they were.

Publishing happens only after every dbt test passed: the last dbt run_results.json
must come from a `dbt build` that ran every test of the project (manifest.json) and
in which nothing errored, failed or was skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import yaml

import llo
from llo.contract import CONTRACT_VERSION
from llo.settings import PROJECT_DIR, Paths

PUBLISHED_SCHEMA = "published"
METADATA_TABLE = "monitor_metadata"
PERSON_LEVEL_COLUMNS = ("person_id", "bsn")
PSEUDONYM_PATTERN = "[0-9a-f]{64}"  # interfaces.md: HMAC-SHA-256 as 64 lowercase hex characters
BSN_PATTERN = "[0-9]{9}"
BSN_RANGE = (100_000_000, 999_999_999)  # a bsn that lost its type and became an integer
FAILED_STATUSES = ("error", "fail", "runtime error", "skipped")
# Delivery-summary table (models/marts/published/pub_delivery_files.sql) the metadata row sums up.
DELIVERY_FILES_TABLE = "delivery_files"
PARQUET_BUILDS_KEPT = 2  # the current build and the previous one, for readers still listing it


class PublishRefused(Exception):
    """The publish step refused; the previously published files are untouched."""


@dataclass(frozen=True)
class BuildCheck:
    invocation_id: str
    finished_at: str
    results: int


def min_cell_size() -> int:
    """definitions.md 6: the one source is the dbt var in dbt_project.yml."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return int(project["vars"]["min_cell_size"])


def dbt_target_dir() -> Path:
    """Where dbt wrote its artefacts: DBT_TARGET_PATH (relative to the project) or target/."""
    configured = os.environ.get("DBT_TARGET_PATH")
    if not configured:
        return PROJECT_DIR / "target"
    path = Path(configured).expanduser()
    return path if path.is_absolute() else PROJECT_DIR / path


def project_tests(target_dir: Path) -> set[str]:
    """Every data test and unit test of the project, from the manifest dbt wrote with the run results."""
    manifest_file = target_dir / "manifest.json"
    if not manifest_file.is_file():
        raise PublishRefused(f"{manifest_file} not found: cannot tell whether every dbt test ran; run `llo build`.")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    data_tests = {
        unique_id for unique_id, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") == "test" and node.get("config", {}).get("enabled", True)
    }
    return data_tests | set(manifest.get("unit_tests", {}))


def check_last_build(target_dir: Path) -> BuildCheck:
    """Refuse unless the last dbt invocation was a `dbt build` in which everything passed."""
    run_results = target_dir / "run_results.json"
    if not run_results.is_file():
        raise PublishRefused(
            f"{run_results} not found: publish only runs after a successful `llo build` "
            "(set DBT_TARGET_PATH if dbt writes its artefacts elsewhere)."
        )
    report = json.loads(run_results.read_text(encoding="utf-8"))
    command = report.get("args", {}).get("which")
    if command != "build":
        raise PublishRefused(
            f"{run_results}: the last dbt command was `{command}`, not `build`; "
            "run `llo build` so that every model is built and every test runs before publishing."
        )
    failed = [result for result in report.get("results", []) if result.get("status") in FAILED_STATUSES]
    if failed:
        listed = "; ".join(f"{result['unique_id']} ({result['status']})" for result in failed[:10])
        more = f" and {len(failed) - 10} more" if len(failed) > 10 else ""
        raise PublishRefused(f"{run_results}: {len(failed)} dbt results did not pass: {listed}{more}. Nothing published.")
    not_run = project_tests(target_dir) - {result.get("unique_id") for result in report.get("results", [])}
    if not_run:
        raise PublishRefused(
            f"{run_results}: the last `dbt build` ran a selection; {len(not_run)} of the project's tests did not run "
            f"(e.g. {sorted(not_run)[0]}). Run a full `llo build` before publishing."
        )
    return BuildCheck(
        invocation_id=report.get("metadata", {}).get("invocation_id", ""),
        finished_at=report.get("metadata", {}).get("generated_at", ""),
        results=len(report.get("results", [])),
    )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(connection: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = 'main' and table_name = ? "
        "order by ordinal_position",
        [table],
    ).fetchall()
    return {name.lower(): data_type for name, data_type in rows}


def _tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = 'main' order by table_name"
    ).fetchall()
    return [name for (name,) in rows]


def copy_published_schema(connection: duckdb.DuckDBPyConnection, warehouse: Path) -> list[str]:
    """Copy every relation of warehouse schema `published` into the new file's main schema."""
    if not warehouse.is_file():
        raise PublishRefused(f"warehouse {warehouse} not found: run `llo build` first.")
    connection.execute(f"attach {_literal(warehouse)} as warehouse (read_only)")
    try:
        names = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'warehouse' and table_schema = ? order by table_name",
                [PUBLISHED_SCHEMA],
            ).fetchall()
        ]
        if not names:
            raise PublishRefused(
                f"warehouse {warehouse} has no relations in schema `{PUBLISHED_SCHEMA}`: nothing to publish."
            )
        if METADATA_TABLE in names:
            raise PublishRefused(f"schema `{PUBLISHED_SCHEMA}` may not hold `{METADATA_TABLE}`: publish writes it.")
        for name in names:
            connection.execute(
                f"create table main.{_quoted(name)} as "
                f"select * from warehouse.{PUBLISHED_SCHEMA}.{_quoted(name)}"
            )
    finally:
        connection.execute("detach warehouse")
    return names


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def write_metadata(connection: duckdb.DuckDBPyConnection, build: BuildCheck, built_at: datetime) -> None:
    """One row: as-of date (from dim_period), build time, versions and the delivery summary."""
    tables = _tables(connection)
    as_of_date = None
    if "dim_period" in tables and "as_of_date" in _columns(connection, "dim_period"):
        (as_of_date,) = connection.execute("select max(as_of_date) from dim_period").fetchall()[0]
    summary: tuple = (None, None, None, None, None)
    if DELIVERY_FILES_TABLE in tables:
        summary = connection.execute(
            f"""
            select
                count(distinct (source_name, supplier_code, delivery_month)),
                count(*),
                sum(rows_read),
                sum(rows_accepted),
                sum(rows_quarantined)
            from {DELIVERY_FILES_TABLE}
            """
        ).fetchall()[0]
    connection.execute(
        f"""
        create table {METADATA_TABLE} (
            as_of_date date,
            built_at timestamp,
            llo_version varchar,
            contract_version varchar,
            dbt_invocation_id varchar,
            dbt_build_finished_at varchar,
            min_cell_size integer,
            deliveries bigint,
            delivered_files bigint,
            rows_read bigint,
            rows_accepted bigint,
            rows_quarantined bigint
        )
        """
    )
    connection.execute(
        f"insert into {METADATA_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            as_of_date,
            built_at.replace(tzinfo=None),
            llo.__version__,
            CONTRACT_VERSION,
            build.invocation_id,
            build.finished_at,
            min_cell_size(),
            *summary,
        ],
    )


# --- the publish check -------------------------------------------------------------


def _person_level_findings(connection: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str]) -> list[str]:
    findings = [
        f"table {table} has a person-level column `{name}`" for name in columns if name in PERSON_LEVEL_COLUMNS
    ]
    checks: list[tuple[str, str, str]] = []  # (column, condition, what it looks like)
    for name, data_type in columns.items():
        column = _quoted(name)
        if data_type == "VARCHAR":
            checks.append((name, f"regexp_full_match({column}, '{PSEUDONYM_PATTERN}')", "a pseudonym (64 lowercase hex characters)"))
            checks.append((name, f"regexp_full_match(trim({column}), '{BSN_PATTERN}')", "a bsn (9 digits)"))
        elif data_type in ("INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER"):
            checks.append((name, f"{column} between {BSN_RANGE[0]} and {BSN_RANGE[1]}", "a bsn (9-digit number)"))
    if not checks:
        return findings
    counts = connection.execute(
        "select " + ", ".join(f"count(*) filter (where {condition})" for _, condition, _ in checks)
        + f" from {_quoted(table)}"
    ).fetchall()[0]
    for (name, _, looks_like), count in zip(checks, counts):
        if count:
            # The values themselves are never repeated in the message: they may be personal data.
            findings.append(f"table {table} column `{name}` has {count} value(s) that look like {looks_like}")
    return findings


def _small_cell_findings(
    connection: duckdb.DuckDBPyConnection, table: str, columns: dict[str, str], threshold: int
) -> list[str]:
    """definitions.md 6: every person count, numerator or denominator below min_cell_size
    is suppressed. Count-like columns: numerator/denominator by unit, n_* and *participants."""
    conditions: list[tuple[str, str]] = []  # (condition on an unsuppressed row, description)
    if {"numerator", "denominator", "unit"} <= columns.keys():
        count = "coalesce(numerator, value)" if "value" in columns else "numerator"
        conditions += [
            (f"unit = 'count' and {count} < {threshold}", "a count"),
            (f"unit in ('share', 'mean') and numerator < {threshold}", "a numerator of a share or mean"),
            (f"unit in ('share', 'mean') and denominator < {threshold}", "a denominator of a share or mean"),
            # e.g. cost per participant: a money amount over a person count
            (f"unit not in ('count', 'share', 'mean') and denominator < {threshold}", "a denominator (persons)"),
        ]
    for name in columns:
        if name.startswith("n_") or name.endswith("participants"):  # action_effect's person counts
            conditions.append((f"{_quoted(name)} < {threshold}", f"`{name}`"))
    if not conditions:
        return []
    if "is_suppressed" not in columns:
        return [f"table {table} holds counts but no `is_suppressed` column: disclosure control cannot be verified"]
    counts = connection.execute(
        "select " + ", ".join(f"count(*) filter (where {condition})" for condition, _ in conditions)
        + f" from {_quoted(table)} where not coalesce(is_suppressed, false)"
    ).fetchall()[0]
    return [
        f"table {table} has {count} unsuppressed row(s) with {what} below min_cell_size {threshold}"
        for (_, what), count in zip(conditions, counts)
        if count
    ]


def publish_check(connection: duckdb.DuckDBPyConnection, threshold: int) -> list[str]:
    """Everything that forbids publishing: person-level data and unsuppressed small cells."""
    findings: list[str] = []
    for table in _tables(connection):
        columns = _columns(connection, table)
        findings += _person_level_findings(connection, table, columns)
        findings += _small_cell_findings(connection, table, columns, threshold)
    return findings


# --- writing and swapping ----------------------------------------------------------


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _write_parquet(connection: duckdb.DuckDBPyConnection, folder: Path) -> None:
    folder.mkdir(parents=True)
    for table in _tables(connection):
        connection.execute(
            f"copy {_quoted(table)} to {_literal(folder / f'{table}.parquet')} (format parquet, compression zstd)"
        )


def _swap_parquet(publish_dir: Path, build_folder: Path) -> None:
    """Point publish/parquet at the new build folder with one atomic rename of a symlink."""
    link = publish_dir / "parquet"
    if link.exists() and not link.is_symlink():  # a plain folder put there by hand: move it aside
        link.rename(publish_dir / f".parquet-old-{uuid.uuid4().hex}")
    new_link = publish_dir / f".parquet-link-{uuid.uuid4().hex}"
    new_link.symlink_to(build_folder.relative_to(publish_dir), target_is_directory=True)
    os.replace(new_link, link)
    builds = sorted(build_folder.parent.iterdir())
    for old in builds[:-PARQUET_BUILDS_KEPT]:
        _remove(old)
    for leftover in publish_dir.glob(".parquet-old-*"):
        _remove(leftover)


def publish(paths: Paths, target_dir: Path | None = None) -> Path:
    """Publish schema `published` of the warehouse; returns the published database path."""
    build = check_last_build(target_dir or dbt_target_dir())
    threshold = min_cell_size()
    paths.publish_dir.mkdir(parents=True, exist_ok=True)
    built_at = datetime.now(timezone.utc)
    build_id = f"{built_at:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"
    new_db = paths.publish_dir / f".llo_monitor-{build_id}.duckdb"
    parquet_folder = paths.publish_dir / "parquet-builds" / build_id
    swapped = False
    try:
        connection = duckdb.connect(str(new_db))
        try:
            copy_published_schema(connection, paths.warehouse_path)
            findings = publish_check(connection, threshold)
            if findings:
                raise PublishRefused(
                    "publish check failed, nothing published:\n- " + "\n- ".join(findings)
                )
            # written after the check: its own counts (rows read, at country scale more than
            # 9 digits) are sums over checked tables, not cells of a table with persons
            write_metadata(connection, build, built_at)
            _write_parquet(connection, parquet_folder)
            connection.execute("checkpoint")
        finally:
            connection.close()
        os.replace(new_db, paths.published_db)
        swapped = True
        _swap_parquet(paths.publish_dir, parquet_folder)
    finally:
        for leftover in paths.publish_dir.glob(new_db.name + "*"):  # the file, its .wal and .tmp spill folder
            _remove(leftover)
        if not swapped:
            _remove(parquet_folder)
    return paths.published_db
