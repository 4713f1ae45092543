"""The project's conventions (shared/spec/conventions.md) checked over dbt's
manifest.json, in place of the dbt-project-evaluator package that cannot be
installed here. Each rule is one function that yields the violations it finds;
`find_violations` runs them all. Rule names are what the exceptions list
(conventions_exceptions.yml) refers to."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

Manifest = dict[str, Any]
Node = dict[str, Any]

STAGING_NAME = re.compile(r"^stg_(?P<source>[a-z0-9]+(?:_[a-z0-9]+)*)__[a-z0-9_]+$")
GRAIN_STATEMENT = re.compile(r"\bone row per\b", re.IGNORECASE)
JOIN_KEYWORD = re.compile(r"\bjoin\b", re.IGNORECASE)
REF_CALL = re.compile(r"""\bref\(\s*['"]([A-Za-z0-9_]+)['"]\s*\)""")
PRIMARY_KEY_COMBINATION_TEST = "unique_combination_of_columns"


@dataclass(frozen=True, order=True)
class Violation:
    node: str  # model name, or source as "<source>.<table>"
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.node}: [{self.rule}] {self.detail}"


@dataclass(frozen=True)
class Model:
    unique_id: str
    node: Node

    @property
    def name(self) -> str:
        return self.node["name"]

    @property
    def folders(self) -> tuple[str, ...]:
        """Folders below models/, e.g. ('staging', 'uwv')."""
        parts = PurePosixPath(self.node["original_file_path"]).parts
        return tuple(parts[1:-1])

    @property
    def layer(self) -> str:
        return self.folders[0] if self.folders else ""

    @property
    def parents(self) -> list[str]:
        return self.node["depends_on"]["nodes"]


def project_models(manifest: Manifest) -> list[Model]:
    project = manifest["metadata"]["project_name"]
    return sorted(
        (
            Model(unique_id, node)
            for unique_id, node in manifest["nodes"].items()
            if node["resource_type"] == "model" and node["package_name"] == project
        ),
        key=lambda model: model.name,
    )


def _ancestors(manifest: Manifest, unique_id: str) -> set[str]:
    seen: set[str] = set()
    pending = list(manifest["parent_map"].get(unique_id, []))
    while pending:
        parent = pending.pop()
        if parent not in seen:
            seen.add(parent)
            pending.extend(manifest["parent_map"].get(parent, []))
    return seen


def check_layer_folder(manifest: Manifest) -> Iterator[Violation]:
    """stg_ under staging/<source>/, int_ under intermediate/<domain>/, marts under
    marts/<domain>/ (pub_ only under marts/published/)."""
    for model in project_models(manifest):
        name, folders = model.name, model.folders
        if model.layer == "staging":
            match = STAGING_NAME.match(name)
            if len(folders) != 2 or not match or match["source"] != folders[1]:
                yield Violation(name, "layer_folder", f"a staging model must be models/staging/<source>/stg_<source>__<entity>.sql; found {model.node['original_file_path']}")
        elif model.layer == "intermediate":
            if len(folders) < 2 or not name.startswith("int_"):
                yield Violation(name, "layer_folder", f"an intermediate model must be models/intermediate/<domain>/int_<...>.sql; found {model.node['original_file_path']}")
        elif model.layer == "marts":
            if len(folders) < 2 or name.startswith(("stg_", "int_")):
                yield Violation(name, "layer_folder", f"a mart must be models/marts/<domain>/<name>.sql without stg_/int_ prefix; found {model.node['original_file_path']}")
            elif name.startswith("pub_") and folders[1] != "published":
                yield Violation(name, "layer_folder", f"pub_ models belong in models/marts/published/; found {model.node['original_file_path']}")
        else:
            yield Violation(name, "layer_folder", f"a model must live under models/staging, models/intermediate or models/marts; found {model.node['original_file_path']}")


def check_source_only_in_staging(manifest: Manifest) -> Iterator[Violation]:
    for model in project_models(manifest):
        sources = [parent for parent in model.parents if parent.startswith("source.")]
        if sources and model.layer != "staging":
            yield Violation(model.name, "source_outside_staging", f"reads {', '.join(sources)}; only staging models may call source()")


def check_staging_shape(manifest: Manifest) -> Iterator[Violation]:
    """conventions.md 5: a staging model renames exactly one source and joins nothing."""
    for model in project_models(manifest):
        if model.layer != "staging":
            continue
        sources = [parent for parent in model.parents if parent.startswith("source.")]
        models = [parent for parent in model.parents if parent.startswith("model.")]
        if len(sources) != 1 or models:
            yield Violation(model.name, "staging_shape", f"a staging model reads exactly one source and no models; reads sources {sources} and models {models}")
        if JOIN_KEYWORD.search(model.node["raw_code"]):
            yield Violation(model.name, "staging_shape", "a staging model has no joins (conventions.md 5)")


def check_source_and_ref_same_concept(manifest: Manifest) -> Iterator[Violation]:
    """A model must not read a source and, at the same time, a model built on that source."""
    for model in project_models(manifest):
        sources = {parent for parent in model.parents if parent.startswith("source.")}
        for parent in model.parents:
            if parent.startswith("model."):
                shared = sources & _ancestors(manifest, parent)
                for source in sorted(shared):
                    yield Violation(model.name, "source_and_ref_same_concept", f"reads {source} directly and through {parent}")


def _refs_in_code(model: Model) -> set[str]:
    """Models a model's own SQL names in ref(); refs made inside a macro it calls
    (e.g. the as-of date lookup) are not the model reading that concept."""
    return set(REF_CALL.findall(model.node["raw_code"]))


def check_mart_bypasses_intermediate(manifest: Manifest) -> Iterator[Violation]:
    """conventions.md 1: marts never read staging directly when an intermediate model
    exists for that concept, i.e. an intermediate model whose SQL refs that staging model."""
    models = project_models(manifest)
    intermediates_reading: dict[str, list[str]] = {}
    for model in models:
        if model.layer == "intermediate":
            for name in _refs_in_code(model):
                intermediates_reading.setdefault(name, []).append(model.name)
    for model in models:
        if model.layer != "marts":
            continue
        for name in sorted(_refs_in_code(model)):
            if name.startswith("stg_") and name in intermediates_reading:
                yield Violation(model.name, "mart_bypasses_intermediate", f"reads {name} directly although intermediate model(s) {', '.join(sorted(intermediates_reading[name]))} read it")


def check_model_description(manifest: Manifest) -> Iterator[Violation]:
    """conventions.md 3: every model is described and its description states its grain."""
    for model in project_models(manifest):
        description = model.node["description"].strip()
        if not description:
            yield Violation(model.name, "model_description", "the model has no description")
        elif not GRAIN_STATEMENT.search(description):
            yield Violation(model.name, "model_description", "the description does not state the grain ('one row per ...')")


def check_column_description(manifest: Manifest) -> Iterator[Violation]:
    for model in project_models(manifest):
        for column_name, column in sorted(model.node["columns"].items()):
            if not column.get("description", "").strip():
                yield Violation(model.name, "column_description", f"column {column_name} has no description")


def _tests_by_model(manifest: Manifest) -> dict[str, list[Node]]:
    tests: dict[str, list[Node]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata") and node.get("attached_node"):
            tests.setdefault(node["attached_node"], []).append(node)
    return tests


def check_primary_key_test(manifest: Manifest) -> Iterator[Violation]:
    """conventions.md 4: unique + not_null on one column, or unique_combination_of_columns."""
    tests = _tests_by_model(manifest)
    for model in project_models(manifest):
        unique_columns: set[str] = set()
        not_null_columns: set[str] = set()
        has_combination = False
        for test in tests.get(model.unique_id, []):
            kind = test["test_metadata"]["name"]
            if kind == "unique":
                unique_columns.add(test["column_name"])
            elif kind == "not_null":
                not_null_columns.add(test["column_name"])
            elif kind == PRIMARY_KEY_COMBINATION_TEST:
                has_combination = True
        if not (has_combination or unique_columns & not_null_columns):
            yield Violation(model.name, "primary_key_test", f"needs unique + not_null on one column, or a {PRIMARY_KEY_COMBINATION_TEST} test")


def check_source_freshness(manifest: Manifest) -> Iterator[Violation]:
    for source in sorted(manifest["sources"].values(), key=lambda node: node["unique_id"]):
        freshness = source.get("freshness") or {}
        has_threshold = any((freshness.get(level) or {}).get("count") for level in ("warn_after", "error_after"))
        if not (source.get("loaded_at_field") or source.get("loaded_at_query")) or not has_threshold:
            yield Violation(f"{source['source_name']}.{source['name']}", "source_freshness", "needs loaded_at_field and a warn_after or error_after freshness threshold")


def check_contract_enforced(manifest: Manifest) -> Iterator[Violation]:
    """conventions.md 9: marts are what others read (analysts in the warehouse, llo
    publish), so every mart has an enforced contract."""
    for model in project_models(manifest):
        if model.layer == "marts" and not model.node["config"]["contract"]["enforced"]:
            yield Violation(model.name, "contract_enforced", "a mart needs `contract: {enforced: true}` with every column's data_type")


RULES: dict[str, Callable[[Manifest], Iterator[Violation]]] = {
    "layer_folder": check_layer_folder,
    "source_outside_staging": check_source_only_in_staging,
    "staging_shape": check_staging_shape,
    "source_and_ref_same_concept": check_source_and_ref_same_concept,
    "mart_bypasses_intermediate": check_mart_bypasses_intermediate,
    "model_description": check_model_description,
    "column_description": check_column_description,
    "primary_key_test": check_primary_key_test,
    "source_freshness": check_source_freshness,
    "contract_enforced": check_contract_enforced,
}


def find_violations(manifest: Manifest, rule: str | None = None) -> list[Violation]:
    checks = [RULES[rule]] if rule else list(RULES.values())
    return sorted(violation for check in checks for violation in check(manifest))


def undocumented_columns(manifest: Manifest, built_columns: dict[tuple[str, str], list[str]]) -> list[Violation]:
    """Columns a built relation has but its yml does not declare, and declared columns
    the relation lacks. built_columns maps (schema, relation name) to column names.
    The manifest alone cannot see undeclared columns, hence the built warehouse."""
    violations = []
    for model in project_models(manifest):
        if model.node["config"]["materialized"] == "ephemeral":
            continue
        relation = (model.node["schema"], model.node["alias"] or model.name)
        if relation not in built_columns:
            violations.append(Violation(model.name, "column_description", f"relation {'.'.join(relation)} not found in the warehouse"))
            continue
        built = {column.lower() for column in built_columns[relation]}
        declared = {column.lower() for column in model.node["columns"]}
        for column in sorted(built - declared):
            violations.append(Violation(model.name, "column_description", f"column {column} is built but not declared (described) in the model's yml"))
        for column in sorted(declared - built):
            violations.append(Violation(model.name, "column_description", f"column {column} is declared in yml but the built relation has no such column"))
    return sorted(violations)
