"""Conventions check (issue 8): the rules of shared/spec/conventions.md over dbt's
manifest.json, produced here by `dbt parse` into a temporary target so the check
does not depend on an earlier build. Every violation is listed as
`model: [rule] detail`. conventions_exceptions.yml may excuse a violation with a
reason; an exception that no longer matches a violation fails too.

The first half tests the checker itself on small hand-built manifests, so that a
clean project means the rules held and not that the checker saw nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from conventions_check import RULES, Violation, find_violations, undocumented_columns
from llo.settings import PROJECT_DIR, dbt_environment

EXCEPTIONS_FILE = Path(__file__).with_name("conventions_exceptions.yml")


# ---------------------------------------------------------------- small manifests


def sql_reading(parents: tuple[str, ...]) -> str:
    """SQL whose ref() and source() calls name the parents, as dbt would record them."""
    calls = [
        f"{{{{ ref('{parent.split('.')[-1]}') }}}}" if parent.startswith("model.")
        else f"{{{{ source('{parent.split('.')[-2]}', '{parent.split('.')[-1]}') }}}}"
        for parent in parents
    ]
    return "select 1 as thing_id" + (" from " + ", ".join(calls) if calls else "")


def model(name: str, path: str, parents: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    node = {
        "resource_type": "model",
        "package_name": "demo",
        "name": name,
        "original_file_path": f"models/{path}/{name}.sql",
        "description": f"{name}. One row per thing.",
        "columns": {"thing_id": {"description": "The thing."}},
        "depends_on": {"nodes": list(parents)},
        "config": {"contract": {"enforced": path.startswith("marts/")}, "materialized": "table"},
        "raw_code": sql_reading(parents),
        "schema": "main",
        "alias": name,
    }
    node.update(extra)
    return node


def primary_key(model_name: str, *kinds: str, column: str = "thing_id") -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            f"test.demo.{kind}_{model_name}",
            {
                "resource_type": "test",
                "attached_node": f"model.demo.{model_name}",
                "column_name": column,
                "test_metadata": {"name": kind},
            },
        )
        for kind in kinds
    ]


def source(name: str, table: str, freshness: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    return (
        f"source.demo.{name}.{table}",
        {
            "unique_id": f"source.demo.{name}.{table}",
            "source_name": name,
            "name": table,
            "loaded_at_field": "_intake_at",
            "freshness": {"warn_after": {"count": 35, "period": "day"}} if freshness is None else freshness,
        },
    )


def manifest_of(models: list[dict[str, Any]], sources: list[tuple[str, dict[str, Any]]], with_keys: bool = True) -> dict[str, Any]:
    nodes = {f"model.demo.{node['name']}": node for node in models}
    if with_keys:
        for node in models:
            nodes.update(primary_key(node["name"], "unique", "not_null"))
    parent_map = {unique_id: node["depends_on"]["nodes"] for unique_id, node in nodes.items() if node["resource_type"] == "model"}
    child_map: dict[str, list[str]] = {}
    for child, parents in parent_map.items():
        for parent in parents:
            child_map.setdefault(parent, []).append(child)
    return {
        "metadata": {"project_name": "demo"},
        "nodes": nodes,
        "sources": dict(sources),
        "parent_map": parent_map,
        "child_map": child_map,
    }


def compliant_project() -> dict[str, Any]:
    """One source, its staging model, an intermediate model and a mart: the shape
    conventions.md asks for, so no rule may fire on it."""
    return manifest_of(
        [
            model("stg_uwv__banen", "staging/uwv", ("source.demo.uwv.banen",), config={"contract": {"enforced": False}, "materialized": "view"}),
            model("int_jobs_per_person", "intermediate/employment", ("model.demo.stg_uwv__banen",)),
            model("jobs_per_quarter", "marts/employment", ("model.demo.int_jobs_per_person",)),
        ],
        [source("uwv", "banen")],
    )


def rules_fired(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    return [(violation.node, violation.rule) for violation in find_violations(manifest)]


def test_checker_finds_nothing_in_a_project_that_follows_the_conventions() -> None:
    assert rules_fired(compliant_project()) == []


def test_checker_layer_folder_staging_outside_its_source_folder() -> None:
    project = compliant_project()
    project["nodes"]["model.demo.stg_uwv__banen"]["original_file_path"] = "models/staging/gemeente/stg_uwv__banen.sql"
    assert rules_fired(project) == [("stg_uwv__banen", "layer_folder")]


def test_checker_layer_folder_mart_without_domain_and_pub_outside_published() -> None:
    project = compliant_project()
    project["nodes"]["model.demo.jobs_per_quarter"]["original_file_path"] = "models/marts/jobs_per_quarter.sql"
    project["nodes"]["model.demo.pub_jobs"] = model("pub_jobs", "marts/employment", ("model.demo.jobs_per_quarter",))
    project["nodes"].update(primary_key("pub_jobs", "unique", "not_null"))
    assert rules_fired(project) == [("jobs_per_quarter", "layer_folder"), ("pub_jobs", "layer_folder")]


def test_checker_pub_model_under_published_is_allowed() -> None:
    project = compliant_project()
    project["nodes"]["model.demo.pub_jobs"] = model("pub_jobs", "marts/published", ("model.demo.jobs_per_quarter",))
    project["nodes"].update(primary_key("pub_jobs", "unique", "not_null"))
    assert rules_fired(project) == []


def test_checker_source_outside_staging_and_read_with_a_ref_of_the_same_concept() -> None:
    # The mart reads source uwv.banen and, through the intermediate model, the same
    # source again: two rules fire on it, nothing else.
    project = compliant_project()
    project["nodes"]["model.demo.jobs_per_quarter"]["depends_on"]["nodes"].append("source.demo.uwv.banen")
    assert rules_fired(project) == [
        ("jobs_per_quarter", "source_and_ref_same_concept"),
        ("jobs_per_quarter", "source_outside_staging"),
    ]


def test_checker_staging_shape_join_and_second_source() -> None:
    project = compliant_project()
    staging = project["nodes"]["model.demo.stg_uwv__banen"]
    staging["raw_code"] = "select * from a left join b using (id)"
    staging["depends_on"]["nodes"].append("source.demo.uwv.werkgevers")
    project["sources"].update([source("uwv", "werkgevers")])
    assert rules_fired(project) == [("stg_uwv__banen", "staging_shape"), ("stg_uwv__banen", "staging_shape")]


def test_checker_mart_reading_staging_that_an_intermediate_model_covers() -> None:
    project = compliant_project()
    mart = project["nodes"]["model.demo.jobs_per_quarter"]
    mart["depends_on"]["nodes"].append("model.demo.stg_uwv__banen")
    mart["raw_code"] = sql_reading(tuple(mart["depends_on"]["nodes"]))
    project = manifest_of([node for node in project["nodes"].values() if node["resource_type"] == "model"], list(project["sources"].items()))
    assert rules_fired(project) == [("jobs_per_quarter", "mart_bypasses_intermediate")]


def test_checker_staging_read_inside_a_macro_is_not_a_bypass() -> None:
    # e.g. an as-of date lookup: the dependency is recorded, but the mart's own SQL
    # does not ref the staging model, so it does not read that concept itself
    project = compliant_project()
    mart = project["nodes"]["model.demo.jobs_per_quarter"]
    mart["depends_on"]["nodes"].append("model.demo.stg_uwv__banen")
    mart["raw_code"] = "select 1 as thing_id from {{ ref('int_jobs_per_person') }} where d <= {{ as_of_date() }}"
    assert rules_fired(project) == []


def test_checker_descriptions_grain_and_columns() -> None:
    project = compliant_project()
    project["nodes"]["model.demo.stg_uwv__banen"]["description"] = " "
    project["nodes"]["model.demo.int_jobs_per_person"]["description"] = "Jobs of a person."
    project["nodes"]["model.demo.jobs_per_quarter"]["columns"]["quarter"] = {"description": ""}
    assert rules_fired(project) == [
        ("int_jobs_per_person", "model_description"),
        ("jobs_per_quarter", "column_description"),
        ("stg_uwv__banen", "model_description"),
    ]


@pytest.mark.parametrize(
    ("tests", "fires"),
    [
        ([], True),
        (primary_key("jobs_per_quarter", "unique"), True),
        (primary_key("jobs_per_quarter", "unique") + primary_key("jobs_per_quarter", "not_null", column="quarter"), True),
        (primary_key("jobs_per_quarter", "unique", "not_null"), False),
        (primary_key("jobs_per_quarter", "unique_combination_of_columns", column=None), False),
    ],
    ids=["none", "unique_only", "unique_and_not_null_on_different_columns", "unique_and_not_null", "combination"],
)
def test_checker_primary_key_test(tests: list[tuple[str, dict[str, Any]]], fires: bool) -> None:
    project = manifest_of(
        [node for node in compliant_project()["nodes"].values() if node["resource_type"] == "model"],
        [source("uwv", "banen")],
        with_keys=False,
    )
    for other in ("stg_uwv__banen", "int_jobs_per_person"):
        project["nodes"].update(primary_key(other, "unique", "not_null"))
    project["nodes"].update(tests)
    assert rules_fired(project) == ([("jobs_per_quarter", "primary_key_test")] if fires else [])


def test_checker_source_freshness_and_mart_contract() -> None:
    project = compliant_project()
    project["sources"].update([source("uwv", "werkgevers", freshness={"warn_after": {"count": None}, "error_after": None})])
    project["nodes"]["model.demo.jobs_per_quarter"]["config"]["contract"]["enforced"] = False
    assert rules_fired(project) == [("jobs_per_quarter", "contract_enforced"), ("uwv.werkgevers", "source_freshness")]


def test_checker_undocumented_columns_compares_yml_with_the_built_relation() -> None:
    project = compliant_project()
    built = {
        ("main", "stg_uwv__banen"): ["thing_id"],
        ("main", "int_jobs_per_person"): ["thing_id", "hours"],  # hours not in yml
        # jobs_per_quarter was not built at all
    }
    assert [(v.node, v.detail) for v in undocumented_columns(project, built)] == [
        ("int_jobs_per_person", "column hours is built but not declared (described) in the model's yml"),
        ("jobs_per_quarter", "relation main.jobs_per_quarter not found in the warehouse"),
    ]


# ---------------------------------------------------------------- this project


def load_exceptions() -> list[dict[str, str]]:
    content = yaml.safe_load(EXCEPTIONS_FILE.read_text(encoding="utf-8")) or {}
    return content.get("exceptions") or []


def excused(violation: Violation, exceptions: list[dict[str, str]]) -> bool:
    return any(entry["node"] == violation.node and entry["rule"] == violation.rule for entry in exceptions)


def report(violations: list[Violation]) -> str:
    return f"{len(violations)} convention violation(s):\n" + "\n".join(f"  {violation}" for violation in violations)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("conventions")
    env = dbt_environment(root / "data")
    env["DBT_TARGET_PATH"] = str(root / "target")
    env["DBT_LOG_PATH"] = str(root / "logs")
    parse = subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", "parse", "--no-partial-parse"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False,
    )
    assert parse.returncode == 0, f"dbt parse failed:\n{parse.stdout[-5000:]}"
    return json.loads((root / "target" / "manifest.json").read_text(encoding="utf-8"))


def test_every_exception_names_a_rule_and_gives_a_reason() -> None:
    for entry in load_exceptions():
        assert set(entry) == {"node", "rule", "reason"}, f"{EXCEPTIONS_FILE.name}: entry {entry} needs exactly node, rule and reason"
        assert entry["rule"] in RULES, f"{EXCEPTIONS_FILE.name}: unknown rule {entry['rule']!r}; rules are {sorted(RULES)}"
        assert str(entry["reason"]).strip(), f"{EXCEPTIONS_FILE.name}: entry {entry} has no reason"


def test_every_exception_still_matches_a_violation(manifest: dict[str, Any]) -> None:
    violations = find_violations(manifest)
    stale = [entry for entry in load_exceptions() if not any(excused(violation, [entry]) for violation in violations)]
    assert not stale, f"{EXCEPTIONS_FILE.name}: these exceptions no longer match a violation; remove them: {stale}"


@pytest.mark.parametrize("rule", sorted(RULES))
def test_project_follows_convention(manifest: dict[str, Any], rule: str) -> None:
    violations = [violation for violation in find_violations(manifest, rule) if not excused(violation, load_exceptions())]
    assert not violations, report(violations)


def test_every_built_column_is_declared_and_described(pipeline: Any) -> None:
    """The manifest only knows the columns a yml declares; the built warehouse of the
    shared pipeline fixture shows the ones a yml forgot."""
    manifest = json.loads((pipeline.dbt_target / "manifest.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(pipeline.paths.warehouse_path), read_only=True) as connection:
        rows = connection.execute("select table_schema, table_name, column_name from information_schema.columns").fetchall()
    built: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        built.setdefault((schema, table), []).append(column)
    violations = [violation for violation in undocumented_columns(manifest, built) if not excused(violation, load_exceptions())]
    assert not violations, report(violations)
