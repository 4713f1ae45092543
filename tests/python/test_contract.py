"""The machine-readable delivery contract (llo/contract.py): its generated files are up to date, it is
consistent in itself, and it says what the prose contract (../shared/spec/delivery-contract.md) says."""

from __future__ import annotations

import re

from llo.contract import (
    FILE_KINDS, INTAKE_TYPES, KINDS, ROW_CHECKS, FILE_WARNINGS, generated_files, landing_path, seed_rows,
)
from llo.expectations import suite_expectations
from llo.intake_parse import PARSERS
from llo.settings import PROJECT_DIR

# The spec lives next to the checkout (../shared/spec); a clone elsewhere reads the copy kept in the
# repository, and a checkout that has both checks that the copy is current.
SHARED_PROSE_CONTRACT = PROJECT_DIR.parent / "shared" / "spec" / "delivery-contract.md"
PROSE_CONTRACT_COPY = PROJECT_DIR / "tests" / "python" / "spec" / "delivery-contract.md"
PROSE_CONTRACT = SHARED_PROSE_CONTRACT if SHARED_PROSE_CONTRACT.exists() else PROSE_CONTRACT_COPY


def test_generated_files_are_up_to_date() -> None:
    for relative, text in generated_files().items():
        on_disk = (PROJECT_DIR / relative).read_text(encoding="utf-8")
        assert on_disk == text, f"{relative} is stale: run `python -m llo.contract`"


def test_every_column_is_described_typed_and_parsed() -> None:
    for file_kind in FILE_KINDS:
        names = file_kind.column_names
        assert len(set(names)) == len(names), f"{file_kind.kind}: a column name occurs twice"
        for column in file_kind.columns:
            assert column.description, f"{file_kind.kind}.{column.name} has no description"
            assert column.type in INTAKE_TYPES, f"{file_kind.kind}.{column.name}: unknown type {column.type}"
            assert column.type == "bsn" or column.type in PARSERS, f"no parser for type {column.type}"
            if column.type in ("code", "codes"):
                assert column.allowed_codes(), f"{file_kind.kind}.{column.name}: no allowed codes"
            if column.range_by is not None:
                assert column.range_by.key_column in names
                ranges = column.range_by.ranges()
                assert ranges and all(low <= high for low, high in ranges.values())


def test_checks_name_columns_and_kinds_that_exist() -> None:
    for file_kind in FILE_KINDS:
        names = file_kind.column_names
        assert set(file_kind.unique) <= set(names), file_kind.kind
        for start, end in file_kind.date_order:
            assert file_kind.column(start).type == file_kind.column(end).type == "date", file_kind.kind
        for column, other_kind, other_column in file_kind.references:
            assert column in names and other_column in KINDS[other_kind].column_names, file_kind.kind
        # every expectation of the generated suite reports one of the row checks
        assert {expectation.meta["check"] for expectation in suite_expectations(file_kind)} <= set(ROW_CHECKS)


def test_seed_code_lists_are_read_from_the_seeds() -> None:
    instruments = KINDS["gemeente__trajecten"].column("instrument").allowed_codes()
    assert instruments == tuple(row["instrument"] for row in seed_rows("instruments"))
    assert "LKS" in instruments and len(instruments) == 17


def test_landing_layout_of_contract_section_1() -> None:
    brp = landing_path(KINDS["gemeente__brp_verblijf"], "2026-11", "GM0014")
    assert str(brp) == "gemeente/GM0014/2026-11/brp_verblijf.csv"
    assert str(landing_path(KINDS["uwv__dienstverbanden"], "2026-11")) == "uwv/2026-11/dienstverbanden.csv"
    assert len(FILE_KINDS) == 16
    assert ROW_CHECKS and FILE_WARNINGS


def test_the_copy_of_the_prose_contract_is_current() -> None:
    assert PROSE_CONTRACT_COPY.read_bytes() == PROSE_CONTRACT.read_bytes(), (
        f"copy {PROSE_CONTRACT_COPY} differs from {SHARED_PROSE_CONTRACT}: copy it again")


def prose_tables() -> dict[str, list[tuple[str, bool]]]:
    """kind -> [(column, required)] from the tables of delivery-contract.md section 3."""
    text = PROSE_CONTRACT.read_text(encoding="utf-8")
    section = text[text.index("## 3. Files and columns"):text.index("## 4.")]
    tables: dict[str, list[tuple[str, bool]]] = {}
    for block in section.split("\n### ")[1:]:
        heading, _, body = block.partition("\n")
        kinds = [f"{source}__{name}" for source, name in re.findall(r"(\w+)/(\w+)\.csv", heading.split("—")[0])]
        rows = re.findall(r"^\| (\w+) \| (req|opt) \|", body, flags=re.MULTILINE)
        for kind in kinds:
            tables[kind] = [(name, flag == "req") for name, flag in rows if name != "column"]
    return tables


def test_columns_and_required_flags_match_the_prose_contract() -> None:
    tables = prose_tables()
    assert set(tables) == set(KINDS)
    for file_kind in FILE_KINDS:
        ours = [(column.name, column.required) for column in file_kind.columns]
        assert ours == tables[file_kind.kind], file_kind.kind
