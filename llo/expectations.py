"""Great Expectations suites generated from the delivery contract, and the runner
that validates intake chunks with them (GX 1.x on pandas DataFrames, offline).

What GX sees is the *parsed* chunk (built by llo.intake): one column per contract
column holding the typed value (dates as datetime, numbers as float, booleans,
codes upper case; a value that did not parse is null), a `<column>__text`
companion with the trimmed text as delivered for typed columns, and the bsn
column masked ('<bsn>' or null), so no bsn ever reaches GX or its Data Docs.
The files of one kind and delivery month are validated together; the frame's index is (supplier, line
number in the delivered file), so the Data Docs point at the lines too.

Every expectation carries meta {"check": <llo.contract.ROW_CHECKS code>,
"column": <contract column>}: the intake turns each unexpected row into a
quarantine candidate for that check.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from llo.contract import KINDS, Column, FileKind
from llo.intake_parse import looks_like_bsn

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.expectations import Expectation

# GX is imported inside the functions that need it: the import takes seconds, and a run of
# `llo intake` with nothing new to take in should not pay for it. No usage statistics leave
# the machine.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

BSN_MASK = "<bsn>"
TEXT_SUFFIX = "__text"
# The files of one kind and delivery month are validated together: a row is known by its supplier (one
# file per supplier in such a group) and line, which is also the frame's index.
SUPPLIER = "_supplier"
INDEX_NAMES = ("supplier", "line")
# Types whose parsed value can be null while text was delivered: the value did not parse.
PARSED_TYPES = {"date": "date_invalid", "int": "number_invalid", "decimal": "number_invalid",
                "bool": "bool_invalid", "gemeente": "code_unknown", "quarter": "date_invalid"}


def text_column(name: str) -> str:
    return f"{name}{TEXT_SUFFIX}"


def presence_column(column: Column) -> str:
    """The GX column that is null exactly when the delivered value is empty."""
    return text_column(column.name) if column.type in PARSED_TYPES else column.name


def reference_parameter(column: str) -> str:
    """Suite parameter holding the ids a reference column may take (set per delivery)."""
    return f"known_{column}"


def _meta(check: str, column: str) -> dict[str, str]:
    return {"check": check, "column": column}


def _column_expectations(column: Column) -> list[Expectation]:
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column as RowColumn

    name = column.name
    expectations: list[Expectation] = []
    if column.required:
        expectations.append(gxe.ExpectColumnValuesToNotBeNull(
            column=presence_column(column), meta=_meta("required_missing", name)))
    if column.type in PARSED_TYPES:
        # Where the value did not parse, nothing may have been delivered: the unexpected values are
        # exactly the texts that are not a date, number, yes/no, municipality code or quarter.
        expectations.append(gxe.ExpectColumnValuesToBeNull(
            column=text_column(name), row_condition=RowColumn(name).is_null(),
            meta=_meta(PARSED_TYPES[column.type], name)))
    if column.type == "code":
        expectations.append(gxe.ExpectColumnValuesToBeInSet(
            column=name, value_set=[code.upper() for code in column.allowed_codes()],
            meta=_meta("code_unknown", name)))
    if column.type == "codes":
        alternatives = "|".join(code.upper() for code in column.allowed_codes())
        expectations.append(gxe.ExpectColumnValuesToMatchRegex(
            column=name, regex=rf"^(?:{alternatives})(?:\|(?:{alternatives}))*$", meta=_meta("code_unknown", name)))
    if column.min_value is not None or column.max_value is not None:
        expectations.append(gxe.ExpectColumnValuesToBeBetween(
            column=name, min_value=column.min_value, max_value=column.max_value,
            strict_min=column.min_exclusive, meta=_meta("out_of_range", name)))
    if column.range_by is not None:
        for key, (low, high) in sorted(column.range_by.ranges().items()):
            expectations.append(gxe.ExpectColumnValuesToBeBetween(
                column=name, min_value=low, max_value=high,
                row_condition=RowColumn(column.range_by.key_column) == key,
                meta=_meta("out_of_range", name) | {"range_key": key}))
    return expectations


def suite_expectations(file_kind: FileKind) -> list[Expectation]:
    """The expectations of one file kind, generated from its contract entry."""
    import great_expectations.expectations as gxe

    expectations = [expectation for column in file_kind.columns for expectation in _column_expectations(column)]
    for start, end in file_kind.date_order:
        expectations.append(gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=end, column_B=start, or_equal=True, ignore_row_if="either_value_is_missing",
            meta=_meta("date_order", end) | {"start_column": start}))
    if file_kind.unique:  # unique within a file
        expectations.append(gxe.ExpectCompoundColumnsToBeUnique(
            column_list=[SUPPLIER, *file_kind.unique], meta=_meta("id_not_unique", file_kind.unique[0])))
    for column, _other_kind, _other_column in file_kind.references:
        expectations.append(gxe.ExpectColumnValuesToBeInSet(
            column=column, value_set={"$PARAMETER": reference_parameter(column)},
            meta=_meta("reference_missing", column)))
    return expectations


def _mask_bsn_like(value: object) -> object:
    """The bsn column reaches GX masked already; a bsn typed into another column (say, a code) would
    otherwise show among the unexpected values of the Data Docs."""
    if isinstance(value, dict):
        return {key: _mask_bsn_like(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_bsn_like(item) for item in value]
    return BSN_MASK if looks_like_bsn(value) else value


@dataclass(frozen=True)
class Unexpected:
    """Rows, as (supplier, line), that failed one expectation."""

    check: str
    column: str
    rows: list[tuple[str, int]]
    meta: dict


class SuiteRunner:
    """One ephemeral GX context per intake run: a suite and validation definition per
    file kind; every validated chunk is kept for the Data Docs of the run."""

    def __init__(self, docs_dir: Path) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig,
        )

        self.docs_dir = docs_dir
        site = {
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
        }
        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            data_docs_sites={"intake": site},
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False),
        )
        self.context = gx.get_context(mode="ephemeral", project_config=config)
        self.datasource = self.context.data_sources.add_pandas("intake")
        self.definitions = {}
        self.validated_chunks = 0

    def definition(self, file_kind: FileKind):
        """The validation definition of a file kind, built on first use (building all 16 takes seconds)."""
        import great_expectations as gx

        if file_kind.kind not in self.definitions:
            asset = self.datasource.add_dataframe_asset(file_kind.kind)
            batch = asset.add_batch_definition_whole_dataframe("chunk")
            suite = self.context.suites.add(gx.ExpectationSuite(name=file_kind.kind))
            for expectation in suite_expectations(file_kind):
                suite.add_expectation(expectation)
            self.definitions[file_kind.kind] = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=file_kind.kind, data=batch, suite=suite))
        return self.definitions[file_kind.kind]

    def validate(self, file_kind: FileKind, frame: pd.DataFrame, run_name: str, parameters: dict) -> list[Unexpected]:
        from great_expectations.core.run_identifier import RunIdentifier

        result = self.definition(file_kind).run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=parameters,
            result_format={"result_format": "COMPLETE"},
            run_id=RunIdentifier(run_name=run_name),
        )
        self.validated_chunks += 1
        found = []
        for outcome in result.results:
            config = outcome.expectation_config
            if outcome.exception_info.get("raised_exception"):
                raise RuntimeError(
                    f"Great Expectations could not evaluate {config.type} on {run_name}: "
                    f"{outcome.exception_info.get('exception_message')}")
            if not outcome.success:
                indexes = outcome.result.get("unexpected_index_list") or []
                rows = [(index["supplier"], int(index["line"])) for index in indexes]
                found.append(Unexpected(config.meta["check"], config.meta["column"], rows, dict(config.meta)))
        return found

    def take_results(self) -> list[tuple[tuple, str]]:
        """The validation results kept so far, serialized (for the Data Docs built in another process) with
        any bsn-like value masked, and forgotten here."""
        store = self.context.validation_results_store
        taken = []
        for key in store.list_keys():
            result = json.loads(store.serialize(store.get(key)))
            taken.append((key.to_tuple(), json.dumps(_mask_bsn_like(result))))
            store.remove_key(key)
        return taken

    def add_results(self, results: list[tuple[tuple, str]]) -> None:
        """Validation results taken from other SuiteRunners, with the suites they were validated against."""
        from great_expectations.data_context.types.resource_identifiers import ValidationResultIdentifier

        store = self.context.validation_results_store
        for key, serialized in results:
            identifier = ValidationResultIdentifier.from_tuple(key)
            self.definition(KINDS[identifier.expectation_suite_identifier.name])
            store.set(identifier, store.deserialize(serialized))
        self.validated_chunks += len(results)

    def write_data_docs(self) -> Path:
        """Render the Data Docs of this run's validations (replacing those of an earlier run)."""
        if self.docs_dir.exists():
            shutil.rmtree(self.docs_dir)
        self.context.build_data_docs(site_names=["intake"])
        return self.docs_dir / "index.html"
