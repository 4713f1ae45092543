"""Intake of generated deliveries (llo.generate): every defect the generator injects is caught with the
right check and the counts match its truth file; and no delivered bsn gets past the intake (checked on the
shared `pipeline` data dir, after intake and dbt build)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from llo.contract import FILE_WARNINGS, KINDS, ROW_CHECKS
from llo.intake import run_intake
from llo.intake_parse import RecordReader, choose_delimiter, open_text, scan_bytes

SCALE, SEED, MESS = 0.005, 5, 0.02  # small, with more defects per row than the default
RESTRICTED = ("landing", "archive", "quarantine")  # where bsn may be: the deliveries themselves


@dataclass(frozen=True)
class Intaken:
    data_dir: Path
    truth: dict
    manifest: list[dict]
    quarantine: pa.Table


@pytest.fixture(scope="module")
def intaken(tmp_path_factory: pytest.TempPathFactory) -> Intaken:
    from llo.generate import generate

    data_dir = tmp_path_factory.mktemp("generated") / "data"
    landing = data_dir / "landing"
    truth_file = generate(out=landing, scale=SCALE, seed=SEED, months=2, mess=MESS, missing_column=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LLO_PSEUDONYM_KEY", "test-key-not-secret")
        result = run_intake(landing, data_dir, workers=2)
    assert result.exit_code == 0
    meta = data_dir / "intake" / "_meta"
    return Intaken(data_dir, json.loads(Path(truth_file).read_text(encoding="utf-8")),
                   pq.read_table(meta / "manifest.parquet").to_pylist(), pq.read_table(meta / "quarantine.parquet"))


def test_every_injected_row_defect_is_caught_with_its_check(intaken: Intaken) -> None:
    codes, numbers = pc.value_counts(intaken.quarantine["check_code"]).flatten()
    counts = dict(zip(codes.to_pylist(), numbers.to_pylist()))
    expected = {check: intaken.truth["defects"][check] for check in ROW_CHECKS}
    assert sum(expected.values()) > 100  # the generator did inject defects, of several kinds
    assert sum(1 for count in expected.values() if count) >= 8
    assert {check: counts.get(check, 0) for check in ROW_CHECKS} == expected


def test_the_file_missing_a_column_is_rejected_whole(intaken: Intaken) -> None:
    rejected = [row for row in intaken.manifest if row["status"] == "REJECTED"]
    assert len(rejected) == intaken.truth["missing_column"] == 1
    assert [row["file_path"] for row in rejected] == intaken.truth["missing_column_files"]
    row = rejected[0]
    expected_columns = ";".join(KINDS[row["file_kind"]].column_names)
    assert f"{row['file_path']}: required column trede missing; expected columns {expected_columns}" in row["message"]
    file_rows = pc.equal(intaken.quarantine["file_path"], row["file_path"])
    assert row["rows_quarantined"] == row["rows_read"] > 0 == row["rows_accepted"]
    assert set(intaken.quarantine.filter(file_rows)["check_code"].to_pylist()) == {"missing_column"}


def test_file_warnings_match_the_generator(intaken: Intaken) -> None:
    defects = intaken.truth["defects"]
    for warning in FILE_WARNINGS:
        if warning == "bsn_padded":
            found = sum(row["bsn_padded_rows"] for row in intaken.manifest)
        else:
            found = sum(1 for row in intaken.manifest if warning in (row["warning_codes"] or "").split("|"))
        assert found == defects[warning], warning
    assert defects["bsn_padded"] > 0 and defects["windows_1252"] == defects["bom"] == defects["comma_delimiter"] == 1


def test_rows_read_equal_accepted_plus_quarantined(intaken: Intaken) -> None:
    per_file = {path.as_py(): count.as_py()
                for path, count in zip(*pc.value_counts(intaken.quarantine["file_path"]).flatten())}
    for row in intaken.manifest:
        assert row["rows_read"] == row["rows_accepted"] + row["rows_quarantined"], row["file_path"]
        assert per_file.get(row["file_path"], 0) == row["rows_quarantined"], row["file_path"]
    written = sum(pq.read_metadata(path).num_rows for path in (intaken.data_dir / "intake").glob("*/*/*/data.parquet"))
    assert written == sum(row["rows_accepted"] for row in intaken.manifest)
    assert sum(row["rows_read"] for row in intaken.manifest) == sum(intaken.truth["rows_written"].values())


def delivered_bsns(landing: Path) -> set[str]:
    """Every bsn value in the deliveries, as delivered and zero-padded (what a leak could look like)."""
    bsns: set[str] = set()
    for path in landing.rglob("*.csv"):
        with open_text(path, scan_bytes(path)) as handle:
            reader = RecordReader(handle, choose_delimiter(handle.readline()))
            handle.seek(0)
            header = [name.strip().lower() for name in reader.header()]
            if "bsn" not in header:
                continue
            position = header.index("bsn")
            while batch := reader.batch(100_000):
                for record in batch.fields.to_pylist():
                    value = record[position].strip() if len(record) > position else ""
                    if value.isdigit() and 8 <= len(value) <= 10:
                        bsns.update({value, value.zfill(9)})
    return bsns


DIGIT_RUN = re.compile(rb"(?<![0-9A-Za-z])[0-9]{8,10}(?![0-9A-Za-z])")


def test_no_delivered_bsn_outside_landing_archive_and_quarantine(pipeline) -> None:
    data_dir = pipeline.paths.data_dir
    bsns = delivered_bsns(data_dir / "landing")
    assert len(bsns) > 1000
    searched, leaks = 0, []
    for path in sorted(data_dir.rglob("*")):
        if not path.is_file():
            continue
        top = path.relative_to(data_dir).parts[0]
        runs = {match.decode() for match in DIGIT_RUN.findall(path.read_bytes())}
        if top in RESTRICTED:
            continue
        searched += 1
        leaks += [(path, value) for value in runs & bsns]
        if path.suffix == ".parquet":  # compressed pages hide bytes: search the decoded text too
            table = pq.read_table(path)
            for name in table.column_names:
                if pa.types.is_string(table.schema.field(name).type):
                    leaks += [(path, name, value) for value in set(table[name].drop_null().to_pylist()) & bsns]
    assert searched > 30 and leaks == []
    assert (data_dir / "warehouse" / "llo.duckdb").exists()  # the warehouse was searched too
    # The same search does find them where they are allowed to be.
    archived = {match.decode() for path in (data_dir / "archive").rglob("*.csv")
                for match in DIGIT_RUN.findall(path.read_bytes())}
    assert len(archived & bsns) > 1000
