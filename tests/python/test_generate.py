"""The synthetic delivery generator (llo/generate*.py, docs/generator.md).

The generated files are read back here with a small reader written from the
delivery contract alone (not from the generator's code): headers, codes,
internal consistency, messiness, and the injected-defect counts are checked
against what the generator reports in its truth file. The ladder evaluator the
generator uses to plant effects is checked on hand-made fixtures, rule by rule
(definitions.md sections 1, 2 and 7).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from llo.contract import FILE_KINDS, FILE_WARNINGS, KINDS, ROW_CHECKS, FileKind, landing_path, region_municipalities
from llo.generate import generate, truth_path
from llo.generate_calendar import OPEN, add_months, age_on, day, delivery_months
from llo.generate_people import (
    Instruments, LadderState, People, Spells, elfproef, learning_spells, valid_bsns,
)
from llo.generate_programme import estimate_effects

AS_OF = "2026-11"
SMALL = dict(scale=0.01, seed=7, months=2)


# --- a reader written from the delivery contract ---------------------------------------------------------

@dataclass
class Delivered:
    path: Path
    kind: FileKind
    month: str
    header: list[str]
    lines: list[str]  # data lines as delivered (without the header)
    delimiter: str
    bom: bool
    windows_1252: bool

    def rows(self) -> list[dict[str, str]]:
        if not hasattr(self, "_rows"):
            self._rows = [dict(zip(self.header, (value.strip() for value in line.split(self.delimiter))))
                          for line in self.lines]
        return self._rows


def read_delivered(path: Path, kind: FileKind, month: str) -> Delivered:
    data = path.read_bytes()
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text, windows_1252 = data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        text, windows_1252 = data.decode("cp1252"), True
    lines = text.split("\n")
    assert lines[-1] == "", f"{path}: file does not end with a newline"
    header_line = lines[0]
    delimiter = ";" if ";" in header_line else ","
    return Delivered(path, kind, month, [name.strip().lower() for name in header_line.split(delimiter)],
                     lines[1:-1], delimiter, bom, windows_1252)


def delivered_files(landing: Path, months: list[str]) -> list[Delivered]:
    files = []
    for kind in FILE_KINDS:
        for month in months:
            suppliers = region_municipalities() if kind.per_municipality else [None]
            for supplier in suppliers:
                path = landing / landing_path(kind, month, supplier)
                files.append(read_delivered(path, kind, month))
    return files


def parse_date(value: str) -> date | None:
    """dd-mm-jjjj or jjjj-mm-dd (contract section 2); None when it is not a real date."""
    if len(value) != 10:
        return None
    if value[2] == "-" and value[5] == "-":
        day_part, month_part, year_part = value[0:2], value[3:5], value[6:10]
    elif value[4] == "-" and value[7] == "-":
        year_part, month_part, day_part = value[0:4], value[5:7], value[8:10]
    else:
        return None
    if not (day_part.isdigit() and month_part.isdigit() and year_part.isdigit()):
        return None
    try:
        return date(int(year_part), int(month_part), int(day_part))
    except ValueError:
        return None


def passes_elfproef(bsn: str) -> bool:
    digits = [int(c) for c in bsn]
    total = sum(weight * digit for weight, digit in zip(range(9, 1, -1), digits[:8])) - digits[8]
    return total % 11 == 0 and bsn != "000000000"


def as_number(value: str) -> float | None:
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return None


BOOLEANS = {"j", "n", "ja", "nee", "1", "0", "true", "false"}


@dataclass(frozen=True)
class KindChecks:
    """The columns of one file kind grouped by the check that applies to them (precomputed once)."""

    kind: FileKind
    required: tuple[str, ...]
    dates: tuple[str, ...]
    numbers: tuple[str, ...]
    booleans: tuple[str, ...]
    codes: tuple[tuple[str, bool, frozenset[str]], ...]  # (column, '|'-separated list?, allowed upper case)
    ranges: tuple[tuple[str, float | None, bool, float | None], ...]

    @staticmethod
    def of(kind: FileKind) -> KindChecks:
        columns = kind.columns
        return KindChecks(
            kind,
            tuple(c.name for c in columns if c.required),
            tuple(c.name for c in columns if c.type == "date"),
            tuple(c.name for c in columns if c.type in ("int", "decimal")),
            tuple(c.name for c in columns if c.type == "bool"),
            tuple((c.name, c.type == "codes", frozenset(code.upper() for code in c.allowed_codes()))
                  for c in columns if c.type in ("code", "codes")),
            tuple((c.name, c.min_value, c.min_exclusive, c.max_value) for c in columns
                  if c.min_value is not None or c.max_value is not None),
        )


def first_failing_check(checks: KindChecks, row: dict[str, str], event_ids: set[str]) -> str | None:
    """The first check of ROW_CHECKS (after duplicate_row) this row fails, from the contract's columns."""
    if any(not row[name] for name in checks.required):
        return "required_missing"
    bsn = row.get("bsn", "")
    if bsn and not (bsn.isdigit() and len(bsn) <= 9):
        return "bsn_format"
    if bsn and not passes_elfproef(bsn.zfill(9)):
        return "bsn_elfproef"
    if any(row[name] and parse_date(row[name]) is None for name in checks.dates):
        return "date_invalid"
    if any(row[name] and as_number(row[name]) is None for name in checks.numbers):
        return "number_invalid"
    if any(row[name] and row[name].lower() not in BOOLEANS for name in checks.booleans):
        return "bool_invalid"
    for name, is_list, allowed in checks.codes:
        values = row[name].upper().split("|") if is_list else [row[name].upper()]
        if row[name] and not set(values) <= allowed:
            return "code_unknown"
    for name, low, exclusive, high in checks.ranges:
        number = as_number(row[name]) if row[name] else None
        if number is None:
            continue
        if (low is not None and (number <= low if exclusive else number < low)) or (high is not None and number > high):
            return "out_of_range"
    for start, end in checks.kind.date_order:
        if row[start] and row[end] and parse_date(row[start]) > parse_date(row[end]):
            return "date_order"
    if checks.kind.references and row["event_id"] not in event_ids:
        return "reference_missing"
    return None


def check_deliveries(files: list[Delivered]) -> tuple[Counter, Counter]:
    """(row failures per check, file warnings) over all files, as an intake following the contract finds them."""
    failures: Counter = Counter()
    warnings: Counter = Counter()
    event_ids = {file.month: {row["event_id"] for row in file.rows()} for file in files if file.kind.kind == "programma__events"}
    for file in files:
        warnings["bom"] += file.bom
        warnings["windows_1252"] += file.windows_1252
        warnings["comma_delimiter"] += file.delimiter == ","
        seen: set[str] = set()
        ids: set[str] = set()
        checks = KindChecks.of(file.kind)
        for line, row in zip(file.lines, file.rows()):
            assert any(row.values()), f"{file.path}: a line without values reads as a blank line"
            if line in seen:
                failures["duplicate_row"] += 1
                continue
            seen.add(line)
            check = first_failing_check(checks, row, event_ids.get(file.month, set()))
            if check:
                failures[check] += 1
                continue
            if file.kind.unique:
                key = tuple(row[name] for name in file.kind.unique)
                assert key not in ids, f"{file.path}: {key} not unique"
                ids.add(key)
            if row.get("bsn") and len(row["bsn"]) < 9:
                warnings["bsn_padded"] += 1
    return failures, warnings


# --- fixtures --------------------------------------------------------------------------------------------

def file_digests(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("clean") / "landing"
    generate(out=landing, mess=0.0, missing_column=False, **SMALL)
    return landing


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("messy") / "landing"
    generate(out=landing, mess=0.05, missing_column=True, **SMALL)
    return landing


def truth(landing: Path) -> dict:
    return json.loads(truth_path(landing).read_text(encoding="utf-8"))


# --- files, headers, determinism -------------------------------------------------------------------------

def test_truth_file_is_next_to_the_landing_folder_not_inside(clean: Path) -> None:
    assert truth_path(clean) == clean.parent / "landing_truth.json"
    assert truth_path(clean).exists()
    assert not list(clean.rglob("*.json"))
    assert truth(clean)["delivery_months"] == delivery_months(AS_OF, 2) == ["2026-10", "2026-11"]


def test_every_contract_file_is_present_with_the_contract_header(clean: Path) -> None:
    files = delivered_files(clean, delivery_months(AS_OF, 2))
    assert len(files) == 2 * sum(14 if kind.per_municipality else 1 for kind in FILE_KINDS)
    for file in files:
        assert file.header == list(file.kind.column_names), file.path
    written = {path for path in clean.rglob("*") if path.is_file()}
    assert written == {file.path for file in files}


def test_same_seed_and_arguments_give_identical_bytes(clean: Path, tmp_path: Path) -> None:
    again = tmp_path / "landing"
    generate(out=again, mess=0.0, missing_column=False, **SMALL)
    assert file_digests(again) == file_digests(clean)
    assert truth_path(again).read_bytes() == truth_path(clean).read_bytes()


def test_output_does_not_depend_on_parallel_workers(tmp_path: Path) -> None:
    # Small chunks force several chunks; one worker and two workers must write the same bytes.
    one, two = tmp_path / "one" / "landing", tmp_path / "two" / "landing"
    generate(out=one, scale=0.01, seed=3, months=2, mess=0.02, missing_column=False, chunk_people=2500, workers=1)
    generate(out=two, scale=0.01, seed=3, months=2, mess=0.02, missing_column=False, chunk_people=2500, workers=2)
    assert file_digests(one) == file_digests(two)
    assert truth_path(one).read_text() == truth_path(two).read_text()


def test_another_seed_gives_other_data(clean: Path, tmp_path: Path) -> None:
    other = tmp_path / "landing"
    generate(out=other, scale=0.01, seed=8, months=1, mess=0.0, missing_column=False)
    ours = (clean / "uwv/2026-11/dienstverbanden.csv").read_bytes()
    assert (other / "uwv/2026-11/dienstverbanden.csv").read_bytes() != ours


# --- clean files -----------------------------------------------------------------------------------------

def test_mess_zero_gives_clean_files(clean: Path) -> None:
    files = delivered_files(clean, delivery_months(AS_OF, 2))
    failures, warnings = check_deliveries(files)
    assert failures == Counter()
    assert warnings == Counter({"bom": 0, "windows_1252": 0, "comma_delimiter": 0})
    for file in files:
        dates = KindChecks.of(file.kind).dates
        for row in file.rows():
            assert all(not row[name] or (len(row[name]) == 10 and row[name][2] == "-") for name in dates), (file.path, row)
    recorded = truth(clean)
    assert all(count == 0 for count in recorded["defects"].values())
    assert recorded["corrections"] == 0 and recorded["missing_column"] == 0


def test_every_code_comes_from_the_contract_or_the_reference_data(clean: Path) -> None:
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for file in delivered_files(clean, ["2026-11"]):
        for row in file.rows():
            for column in file.kind.columns:
                if column.type in ("code", "codes") and row[column.name]:
                    seen[(file.kind.kind, column.name)].update(row[column.name].split("|"))
    for (kind, name), values in seen.items():
        allowed = set(KINDS[kind].column(name).allowed_codes())
        assert values <= allowed, (kind, name, values - allowed)
    # The reference data is actually used, not a corner of it.
    assert seen[("enquetes__antwoorden", "vraag_code")] == set(KINDS["enquetes__antwoorden"].column("vraag_code").allowed_codes())
    assert len(seen[("programma__inzet", "actie_code")]) == len(KINDS["programma__inzet"].column("actie_code").allowed_codes())


def test_every_instrument_occurs_and_all_but_lks_within_an_action(clean: Path) -> None:
    """LKS only comes with a job, so no action hands it out (it would make the action's own record
    the outcome 12 months later; docs/generator.md)."""
    within_action, outside = set(), set()
    for file in delivered_files(clean, ["2026-11"]):
        if file.kind.file == "trajecten":
            for row in file.rows():
                (within_action if row["actie_code"] else outside).add(row["instrument"])
    instruments = set(KINDS["gemeente__trajecten"].column("instrument").allowed_codes())
    assert within_action | outside == instruments
    assert within_action == instruments - {"LKS"}


def test_bsns_pass_the_elfproef_some_start_with_zero_and_stay_the_same_across_files(clean: Path) -> None:
    births: dict[str, set[str]] = defaultdict(set)
    all_bsns: set[str] = set()
    for file in delivered_files(clean, ["2026-11"]):
        for row in file.rows():
            if row.get("bsn"):
                assert len(row["bsn"]) == 9 and passes_elfproef(row["bsn"]), (file.path, row)
                all_bsns.add(row["bsn"])
            if file.kind.file == "brp_verblijf":
                births[row["bsn"]].add(row["geboortedatum"])
    assert all(len(dates) == 1 for dates in births.values()), "a person has one birth date in every residence row"
    starting_with_zero = sum(bsn.startswith("0") for bsn in births)
    assert 0.05 < starting_with_zero / len(births) < 0.2
    assert all_bsns <= set(births), "every person in any file has lived in the region"


def test_records_are_internally_consistent(clean: Path) -> None:
    files = {(file.kind.kind, file.path.parts[-3] if file.kind.per_municipality else None): file
             for file in delivered_files(clean, ["2026-11"])}
    rows = defaultdict(list)
    for (kind, _), file in files.items():
        rows[kind] += file.rows()
    birth = {row["bsn"]: parse_date(row["geboortedatum"]) for row in rows["gemeente__brp_verblijf"]}
    first_residence = {}
    for row in rows["gemeente__brp_verblijf"]:
        start = parse_date(row["datum_inschrijving"])
        first_residence[row["bsn"]] = min(first_residence.get(row["bsn"], start), start)
    for row in rows["uwv__dienstverbanden"]:
        started = parse_date(row["datum_aanvang"])
        assert started >= birth[row["bsn"]] + timedelta(days=15 * 365), ("no job before the age of 15", row)
    for row in rows["gemeente__trajecten"] + rows["gemeente__pw_uitkeringen"]:
        started = parse_date(row.get("datum_start") or row.get("datum_begin"))
        assert started >= first_residence[row["bsn"]], ("a municipality only serves its residents", row)
    events = {row["event_id"] for row in rows["programma__events"]}
    assert {row["event_id"] for row in rows["programma__event_deelnames"]} <= events
    assert {row["event_id"] for row in rows["enquetes__antwoorden"] if row["event_id"]} <= events
    employers = {row["werkgever_id"] for row in rows["programma__werkgevers"]}
    assert {row["werkgever_id"] for row in rows["programma__werkgeverscontacten"]} <= employers
    # LKS comes with a job (definitions.md section 2: LKS is a rung for working people).
    jobs = defaultdict(list)
    for row in rows["uwv__dienstverbanden"]:
        jobs[row["bsn"]].append((parse_date(row["datum_aanvang"]), parse_date(row["datum_einde"]) if row["datum_einde"] else date.max))
    for row in rows["gemeente__trajecten"] + rows["uwv__trajecten"]:
        if row["instrument"] == "LKS":
            started = parse_date(row["datum_start"])
            assert any(start <= started <= end for start, end in jobs[row["bsn"]]), row
    # Running periods have an empty end; an ended one has a reason.
    assert any(not row["datum_einde"] for row in rows["gemeente__trajecten"])
    assert all(bool(row["reden_einde"]) == bool(row["datum_einde"]) for row in rows["gemeente__trajecten"])


def test_a_delivery_never_holds_dates_after_its_month_and_is_a_full_extract(clean: Path) -> None:
    months = delivery_months(AS_OF, 2)
    ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    for file in delivered_files(clean, months):
        last = date.fromisoformat(f"{file.month}-01") + timedelta(days=40)
        last = last.replace(day=1) - timedelta(days=1)
        dates = KindChecks.of(file.kind).dates
        for row in file.rows():
            assert all(not row[name] or parse_date(row[name]) <= last for name in dates), (file.path, row)
            if file.kind.unique:
                ids[(file.kind.kind, file.month)].add(row[file.kind.unique[0]])
    for kind in FILE_KINDS:
        if kind.unique:
            assert ids[(kind.kind, months[0])] <= ids[(kind.kind, months[1])], f"{kind.kind}: a later extract dropped a record"
    assert ids[("onderwijs__leeractiviteiten", months[0])] < ids[("onderwijs__leeractiviteiten", months[1])]


# --- messiness -------------------------------------------------------------------------------------------

def test_injected_defects_match_what_the_generator_reports(messy: Path) -> None:
    recorded = truth(messy)
    files = [file for file in delivered_files(messy, recorded["delivery_months"])
             if str(file.path.relative_to(messy)) not in recorded["missing_column_files"]]
    failures, warnings = check_deliveries(files)
    for check in ROW_CHECKS:
        assert failures[check] == recorded["defects"][check], check
    for warning in FILE_WARNINGS:
        assert warnings[warning] == recorded["defects"][warning], warning
    # At this rate every kind of defect the issue names occurs.
    for check in ("duplicate_row", "bsn_elfproef", "date_invalid", "code_unknown", "reference_missing"):
        assert failures[check] > 0, check
    for warning in ("bom", "windows_1252", "comma_delimiter", "bsn_padded"):
        assert warnings[warning] > 0, warning


def test_a_broken_line_never_repeats_a_broken_line_of_an_earlier_block_of_the_file() -> None:
    """Two blocks (people chunks) of one file whose rows differ only in bsn: when both blocks blank the
    bsn of the same row, the lines are identical and the intake sees a duplicate the generator did not
    count. Across blocks the second such line must be left unbroken, so that the lines repeating an
    earlier line are exactly the counted duplicate_row defects."""
    import pyarrow as pa

    from llo.generate_files import FileStyle, inject_defects, rng_for

    kind = KINDS["gemeente__pw_uitkeringen"]
    n = 600
    block = {"regeling": pa.array(["PW"] * n), "datum_begin": pa.array([f"{1 + i % 28:02d}-03-2024" for i in range(n)]),
             "datum_einde": pa.array([""] * n)}
    style = FileStyle(defect_rate=0.5)

    def write_two_blocks(broken_earlier: set[str] | None) -> tuple[int, int]:
        counts: dict[str, int] = {}
        lines = []
        for number, bsn_prefix in enumerate(("1", "2")):
            columns = {"bsn": pa.array([f"{bsn_prefix}{i:08d}" for i in range(n)]), **block}
            columns, order = inject_defects(kind, columns, style, rng_for(3, "block", number), counts, broken_earlier)
            rows = [";".join(columns[name][row].as_py() or "" for name in kind.column_names) for row in order.tolist()]
            lines += rows
        repeats = len(lines) - len(set(lines))
        return repeats, counts["duplicate_row"]

    repeats, counted = write_two_blocks(set())
    assert repeats == counted > 0
    repeats, counted = write_two_blocks(None)  # without the memory of earlier blocks: the miscount this prevents
    assert repeats > counted


def test_messy_files_show_every_habit_of_the_contract(messy: Path) -> None:
    files = delivered_files(messy, truth(messy)["delivery_months"])
    iso = {file.path.parts[-3] for file in files if file.kind.file == "brp_verblijf"
           and file.rows() and file.rows()[0]["datum_inschrijving"][4] == "-"}
    assert 0 < len(iso) < 14, "some municipalities write ISO dates, most dd-mm-jjjj"
    hours = [row["uren_per_week"] for file in files if file.kind.file == "dienstverbanden" for row in file.rows()]
    assert any("," in value for value in hours), "decimal commas"
    cp1252 = [file for file in files if file.windows_1252]
    assert len(cp1252) == 1 and any(ord(char) > 127 for line in cp1252[0].lines for char in line)
    comma = [file for file in files if file.delimiter == ","]
    assert len(comma) == 1 and all(len(line.split(",")) == len(comma[0].header) for line in comma[0].lines)
    assert len([file for file in files if file.bom]) == 1


def test_missing_column_flag_writes_one_file_without_a_required_column(messy: Path) -> None:
    recorded = truth(messy)
    assert recorded["missing_column"] == 1 and len(recorded["missing_column_files"]) == 1
    relative = recorded["missing_column_files"][0]
    kind = KINDS["gemeente__participatieladder"]
    file = read_delivered(messy / relative, kind, recorded["delivery_months"][0])
    missing = set(kind.required_columns) - set(file.header)
    assert len(missing) == 1


def test_corrections_between_delivery_months_are_counted(messy: Path) -> None:
    """A record in one month that the next month changes: here a trajectory whose end date moved.
    Rows with an injected defect in either month are left out, so what we see is at most what
    the generator reports (which also counts jobs registered by mistake and removed)."""
    recorded = truth(messy)
    first, second = recorded["delivery_months"]
    kind = KINDS["gemeente__trajecten"]
    changed = 0
    for supplier in region_municipalities():
        before = read_delivered(messy / landing_path(kind, first, supplier), kind, first)
        after = read_delivered(messy / landing_path(kind, second, supplier), kind, second)
        checks = KindChecks.of(kind)
        later = {row["traject_id"]: row for row in after.rows() if first_failing_check(checks, row, set()) is None}
        for row in before.rows():
            other = later.get(row["traject_id"])
            if other is None or first_failing_check(checks, row, set()) is not None:
                continue
            # A running trajectory that ended in the meantime is news, not a correction.
            if row["datum_einde"] and other["datum_einde"] != row["datum_einde"]:
                changed += 1
    assert 1 <= changed <= recorded["corrections"]


# --- calibration and planted truth at a moderate scale ---------------------------------------------------

@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> dict:
    landing = tmp_path_factory.mktemp("region") / "landing"
    generate(out=landing, scale=0.2, seed=42, months=1, mess=0.0, missing_column=False)
    return truth(landing)


def test_calibration_targets_are_met(region: dict) -> None:
    targets, achieved = region["calibration"]["targets"], region["calibration"]["achieved"]
    for name, target in targets.items():
        if "relative_tolerance" in target:
            assert abs(achieved[name] / target["target"] - 1) <= target["relative_tolerance"], (name, achieved[name])
        else:
            assert abs(achieved[name] - target["target"]) <= target["tolerance"], (name, achieved[name])
    assert achieved["pw_share_15_66_groningen_city"] > 1.5 * achieved["pw_share_15_66_drenthe"]
    assert achieved["pw_share_15_66_east_groningen"] > 1.5 * achieved["pw_share_15_66_drenthe"]
    rungs = achieved["rung_distribution"]
    assert rungs["7"] > 0.5 and all(rungs[str(r)] > 0 for r in range(8)), "every rung occurs, most workers at 7"


def test_planted_effects_are_realised_in_the_generated_data(region: dict) -> None:
    """The section 7 comparison on the generated data lands within sampling error of the planted effect:
    some clearly positive, several zero, none negative by design."""
    effects = [effect for effect in region["planted_effects"] if effect["target_group"] == "AV"]
    planted = {effect["action_code"]: effect["effect_pp"] for effect in effects}
    assert sum(value >= 8 for value in planted.values()) >= 4 and sum(value == 0 for value in planted.values()) >= 4
    for effect in effects:
        n = effect["n_participants"]
        if n < 300:
            continue
        p = effect["participant_rate"]
        standard_error = 100 * np.sqrt(p * (1 - p) / n)
        assert abs(effect["difference_pp"] - effect["effect_pp"]) < 3.5 * standard_error + 1.5, effect
    clearly_positive = [effect for effect in effects if effect["effect_pp"] >= 8]
    assert all(effect["n_participants"] >= 300 for effect in clearly_positive)
    for effect in region["planted_effects"]:
        if effect["target_group"] == "AH":
            assert effect["effect_pp"] == 0 and effect["n_participants"] > 0


# --- the generator's own rules, on hand-made fixtures ----------------------------------------------------

def test_valid_bsns_pass_the_elfproef_are_distinct_and_some_start_with_zero() -> None:
    bsns = valid_bsns(0, 20_000, 12345)
    assert elfproef(bsns).all()
    assert len(set(bsns.tolist())) == len(bsns)
    assert 0.05 < np.mean(bsns < 100_000_000) < 0.2
    assert not set(valid_bsns(0, 1000, 1).tolist()) & set(valid_bsns(2000, 1000, 1).tolist())
    # Contract section 2 examples: 111222333 and 123456782 pass, 123456789 fails.
    assert elfproef(np.array([111222333, 123456782, 12345672])).all() and not elfproef(np.array([123456789]))[0]


def test_calendar_arithmetic_matches_the_monitor() -> None:
    assert add_months(np.array([day("2024-02-29")]), 12)[0] == day("2025-02-28")
    assert add_months(np.array([day("2025-01-31")]), 1)[0] == day("2025-02-28")
    assert age_on(np.array([day("2000-05-15")]), day("2015-05-14"))[0] == 14
    assert age_on(np.array([day("2000-05-15")]), day("2015-05-15"))[0] == 15


def _ladder_fixture() -> tuple[LadderState, dict[str, int]]:
    """Seven people aged 40 on 2025-06-30, resident since 2020, each in one situation of the ladder.

    person 0: job                                   -> 7 (work without support)
    person 1: job + LKS trajectory                  -> 4 (LKS wins over everything when working)
    person 2: job + PW benefit + jobcoaching         -> 5 (benefit before support)
    person 3: job + jobcoaching                     -> 6 (work with support)
    person 4: no job, ACTIVERING and VRIJWILLIGERSWERK -> 2 (highest active instrument)
    person 5: no job, a NON_FORMEEL course            -> 3 (learning counts as rung 3)
    person 6: no job, jobcoaching only, INFORMEEL study -> 0 (neither counts when not working)
    person 7: like person 0 but 80 years old        -> not in the population
    """
    codes = ["ACTIVERING", "VRIJWILLIGERSWERK", "LKS", "JOBCOACHING"]
    instruments = Instruments(tuple(codes), np.array([1, 2, 4, 0]), np.array([False, False, False, True]))
    n = 8
    birth = np.full(n, day("1985-01-01"))
    birth[7] = day("1945-01-01")
    residence = Spells(np.arange(n), np.full(n, day("2020-01-01")), np.full(n, OPEN), {"municipality": np.zeros(n, np.int64), "postcode4": np.zeros(n, np.int64)})
    people = People(bsn=np.arange(n), birth=birth, sex=np.zeros(n, np.int8), arrival=np.full(n, day("2020-01-01")),
                    exit=np.full(n, OPEN), death=np.full(n, OPEN), labour_class=np.zeros(n, np.int8),
                    study_end=birth, residence=residence)

    def spells(person: list[int], attrs: dict | None = None) -> Spells:
        return Spells(np.array(person, np.int64), np.full(len(person), day("2025-01-01")), np.full(len(person), day("2025-12-31")),
                      attrs or {})

    jobs = spells([0, 1, 2, 3, 7])
    pw = spells([2])
    uwv = Spells.empty()
    trajectories = spells([1, 2, 3, 4, 4, 6], {"instrument": np.array([2, 3, 3, 0, 1, 3]), "action": np.full(6, -1)})
    learning = Spells.concat([
        learning_spells(np.array([5]), np.array([day("2025-03-01")]), np.array([day("2025-09-01")]), {"vorm": np.array([1])}),
        learning_spells(np.array([6]), np.array([day("2025-03-01")]), np.array([day("2025-09-01")]), {"vorm": np.array([2])}),
    ])
    return LadderState(people, jobs, pw, uwv, trajectories, learning, instruments), {"peildatum": day("2025-06-30")}


def test_definitions_section_2_ladder_rungs_from_work_benefit_and_instruments() -> None:
    state, dates = _ladder_fixture()
    position = state.on(dates["peildatum"])
    assert position.rung[:7].tolist() == [7, 4, 5, 6, 2, 3, 0]
    assert position.working[:7].tolist() == [True, True, True, True, False, False, False]
    pairs = state.at(np.arange(7), np.full(7, dates["peildatum"]))
    assert pairs.rung.tolist() == position.rung[:7].tolist()
    # Outside the periods (2024) nobody works and no instrument is active: rung 0.
    assert state.on(day("2024-06-30")).rung[:7].tolist() == [0] * 7


def test_definitions_section_1_population_is_residents_aged_15_to_74() -> None:
    state, dates = _ladder_fixture()
    position = state.on(dates["peildatum"])
    assert position.in_population.tolist() == [True] * 7 + [False]
    assert not state.on(day("2019-12-31")).in_population.any(), "nobody is resident before 2020"


def test_definitions_section_7_weighted_comparison_by_hand() -> None:
    """One action, one quarter, two strata.
    stratum 0: 10 participants, 6 up; comparison 100 members, 30 up (30%).
    stratum 1: 30 participants, 9 up; comparison 50 members, 5 up (10%).
    participant rate = 15/40 = 37.5%; comparison weighted to the participants' mix:
    (10 * 0.30 + 30 * 0.10) / 40 = 15%; difference 22.5 pp.
    stratum 2 has 5 participants but no comparison: left out and counted."""
    counts = np.zeros((1, 1, 3, 4))
    counts[0, 0, 0] = [10, 6, 100, 30]
    counts[0, 0, 1] = [30, 9, 50, 5]
    counts[0, 0, 2] = [5, 5, 0, 0]
    result = estimate_effects(counts)[0]
    assert result["n_participants"] == 40
    assert result["participant_rate"] == pytest.approx(0.375)
    assert result["comparison_rate"] == pytest.approx(0.15)
    assert result["difference_pp"] == pytest.approx(22.5)
    assert result["strata_dropped"] == 1
