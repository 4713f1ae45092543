"""Latest-delivery semantics in staging (delivery contract section 1), on intake output of a tiny
two-month fixture, built with dbt in a data dir of its own:

- GM0014 delivers trajecten in 2026-10 (T1, T2) and 2026-11 (T1 only: T2 was removed);
- GM0037 delivers trajecten in 2026-10 only (T5): a supplier that skips a month keeps its latest delivery;
- nobody delivers uwv/werkzoekenden: its staging model is empty, not an error.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from conftest import run_dbt
from llo.intake import run_intake

HEADER = "traject_id;bsn;actie_code;instrument;datum_start;datum_einde;reden_einde"
LANDING = {
    "gemeente/GM0014/2026-10/trajecten.csv": [
        HEADER, "T1;111222333;;SCHOLING;01-02-2024;;", "T2;123456782;;LKS;01-03-2024;;"],
    "gemeente/GM0014/2026-11/trajecten.csv": [HEADER, "T1;111222333;;SCHOLING;01-02-2024;;"],
    "gemeente/GM0037/2026-10/trajecten.csv": [
        HEADER, "T5;111111110;;WORKSHOP;01-04-2024;;", "T6;123456789;;WORKSHOP;01-04-2024;;"],
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("staging")
    data_dir = root / "data"
    for relative, lines in LANDING.items():
        path = root / "landing" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LLO_PSEUDONYM_KEY", "test-key-not-secret")
        assert run_intake(root / "landing", data_dir, workers=1).exit_code == 0
    (data_dir / "warehouse" / "tmp").mkdir(parents=True)
    selection = ["--select", "stg_gemeente__trajecten", "stg_uwv__werkzoekenden", "path:models/staging/intake"]
    built = run_dbt(["build", *selection], data_dir, root / "target")  # the models and their tests
    assert built.returncode == 0, built.stdout[-3000:]
    return data_dir / "warehouse" / "llo.duckdb"


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.sql(sql).fetchall()


def test_a_record_removed_in_the_later_delivery_is_gone(warehouse: Path) -> None:
    rows = query(warehouse, "select supplier_code, delivery_month, trajectory_id from staging.stg_gemeente__trajecten "
                            "order by all")
    assert rows == [("GM0014", "2026-11", "T1"), ("GM0037", "2026-10", "T5")]  # T6 fails elfproef


def test_a_kind_never_delivered_gives_an_empty_staging_model(warehouse: Path) -> None:
    assert query(warehouse, "select count(*) from staging.stg_uwv__werkzoekenden") == [(0,)]


def test_manifest_and_quarantine_are_queryable_in_staging(warehouse: Path) -> None:
    files = query(warehouse, "select file_path, rows_read, rows_accepted, rows_quarantined, is_latest_delivery "
                             "from staging.stg_intake__manifest order by file_path")
    assert files == [
        ("gemeente/GM0014/2026-10/trajecten.csv", 2, 2, 0, False),
        ("gemeente/GM0014/2026-11/trajecten.csv", 1, 1, 0, True),
        ("gemeente/GM0037/2026-10/trajecten.csv", 2, 1, 1, True),
    ]
    assert query(warehouse, "select file_path, line_number, check_code, delivered_value "
                            "from staging.stg_intake__quarantine") == [
        ("gemeente/GM0037/2026-10/trajecten.csv", 3, "bsn_elfproef", "<bsn>")]
