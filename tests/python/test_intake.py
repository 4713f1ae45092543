"""Intake on small hand-written deliveries (delivery contract sections 2 and 5).

Every fixture line is written out below with what it is meant to exercise, so the
expected checks, reasons and values can be read straight from the test.

Valid bsns used (elfproef: 9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11):
  111222333 -> 66, 123456782 -> 154, 012345672 -> 110, 111111110 -> 44,
  222222220 -> 88, 333333330 -> 132, 999999990 -> 396.
Invalid: 123456789 -> 147 (147 = 13 * 11 + 4).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import stat
from contextlib import redirect_stdout
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import llo.intake
from llo.contract import FILE_KINDS, ROW_CHECKS
from llo.expectations import BSN_MASK
from llo.intake import elfproef, pseudonym, pseudonym_key, run_intake
from llo.intake_parse import parse_booleans, parse_dates, parse_municipalities, parse_numbers, parse_quarters

KEY = "test-key-not-secret"
MONTH = "2026-10"
NEXT_MONTH = "2026-11"
FIXTURE_BSNS = ["111222333", "123456782", "012345672", "111111110", "222222220", "333333330", "999999990",
                "123456789"]


@pytest.fixture(autouse=True)
def fixed_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLO_PSEUDONYM_KEY", KEY)


def deliver(landing: Path, relative: str, lines: list[str], encoding: str = "utf-8", bom: bool = False) -> Path:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    data = ("\n".join(lines) + "\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def manifest(data_dir: Path) -> dict[str, dict]:
    rows = pq.read_table(data_dir / "intake" / "_meta" / "manifest.parquet").to_pylist()
    return {row["file_path"]: row for row in rows if row["status"] != "REPLACED"}


def quarantine(data_dir: Path, file_path: str | None = None) -> dict[int, dict]:
    rows = pq.read_table(data_dir / "intake" / "_meta" / "quarantine.parquet").to_pylist()
    return {row["line_number"]: row for row in rows if file_path is None or row["file_path"] == file_path}


def accepted(data_dir: Path, kind: str, supplier: str, month: str = MONTH) -> pd.DataFrame:
    table = pq.read_table(data_dir / "intake" / kind / supplier / month / "data.parquet")
    return table.to_pandas().set_index("_line_number")


# --- the rules as plain functions ----------------------------------------------------------------


def test_elfproef_valid_invalid_all_zeros_and_padding() -> None:
    assert elfproef("111222333")  # 9+8+7+12+10+8+9+6-3 = 66 = 6 * 11
    assert not elfproef("123456789")  # 147, not divisible by 11
    assert not elfproef("000000000")  # sum 0 is divisible, but all zeros is excluded by the contract
    assert elfproef("12345672")  # 8 digits: padded to 012345672, sum 110 = 10 * 11
    assert not elfproef("1234567a")
    assert not elfproef("1234567890")  # 10 digits


def test_pseudonym_is_hmac_sha256_of_the_padded_bsn() -> None:
    expected = hmac.new(b"some key", b"012345672", hashlib.sha256).hexdigest()
    assert pseudonym("012345672", b"some key") == expected
    assert len(expected) == 64 and expected == expected.lower()
    long_key = b"k" * 100  # longer than a SHA-256 block: HMAC hashes the key first
    assert pseudonym("111222333", long_key) == hmac.new(long_key, b"111222333", hashlib.sha256).hexdigest()


def test_key_file_created_once_with_mode_0600_and_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture) -> None:
    monkeypatch.delenv("LLO_PSEUDONYM_KEY")
    first = pseudonym_key(tmp_path)
    key_file = tmp_path / "secrets" / "pseudonym.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "LLO_PSEUDONYM_KEY is not set" in capsys.readouterr().err
    assert pseudonym_key(tmp_path) == first  # reused, not replaced
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("LLO_PSEUDONYM_KEY", "from-env")
    assert pseudonym_key(tmp_path) == b"from-env"


def test_dates_both_formats_and_impossible_dates() -> None:
    parsed = parse_dates(pa.array(["01-02-2024", "2024-02-29", "1-2-2024", "31-12-2023",
                                   "31-02-2024", "29-02-2023", "2024/02/01", "01-13-2024", "01-01-1850", None]))
    assert parsed.to_pylist() == [date(2024, 2, 1), date(2024, 2, 29), date(2024, 2, 1), date(2023, 12, 31),
                                  None, None, None, None, None, None]  # impossible, no leap year, other separator,
    #                                                                    month 13, year before 1900, empty


def test_numbers_with_decimal_comma_and_no_thousands_separator() -> None:
    decimals = parse_numbers(pa.array(["12,5", "12.5", "-3", ",5", "1.234,5", "12 5", "1e3", None]), whole=False)
    assert decimals.to_pylist() == [12.5, 12.5, -3.0, 0.5, None, None, None, None]
    whole = parse_numbers(pa.array(["4", "2,5", "1234567890"]), whole=True)
    assert whole.to_pylist() == [4, None, None]  # 10 digits do not fit the intake's 32-bit integer


def test_boolean_spellings_any_case() -> None:
    parsed = parse_booleans(pa.array(["J", "n", "Ja", "NEE", "1", "0", "True", "false", "misschien", None]))
    assert parsed.to_pylist() == [True, False, True, False, True, False, True, False, None, None]


def test_municipality_codes_and_quarters_are_normalised() -> None:
    codes = parse_municipalities(pa.array(["GM0014", "0014", "14", "gm1680", "Groningen", "GM12345"]))
    assert codes.to_pylist() == ["GM0014", "GM0014", "GM0014", "GM1680", None, None]
    quarters = parse_quarters(pa.array(["2025-Q3", "2025K3", "2025q1", "2025-Q5", "Q3-2025"]))
    assert quarters.to_pylist() == ["2025-Q3", "2025-Q3", "2025-Q1", None, None]


# --- one check per fixture line ------------------------------------------------------------------

TRAJECTEN = f"gemeente/GM0014/{MONTH}/trajecten.csv"
TRAJECTEN_LINES = [
    "traject_id;bsn;actie_code;instrument;datum_start;datum_einde;reden_einde",  # line 1
    "T1;111222333;KANSRIJK_OPLEIDEN;ACTIVERING;01-02-2024;;",  # 2 accepted
    "T1;111222333;KANSRIJK_OPLEIDEN;ACTIVERING;01-02-2024;;",  # 3 duplicate_row of line 2
    "T2;123456782;;SCHOLING;01-02-2024",  # 4 field_count: 5 fields
    "T3;;;SCHOLING;01-02-2024;;",  # 5 required_missing: bsn
    "T4;12345678X;;SCHOLING;01-02-2024;;",  # 6 bsn_format
    "T5;123456789;;SCHOLING;01-02-2024;;",  # 7 bsn_elfproef
    "T6;111111110;;SCHOLING;31-02-2024;;",  # 8 date_invalid: datum_start
    "T7;222222220;;JOBCOACH;01-02-2024;;",  # 9 code_unknown: instrument
    "T8;333333330;;SCHOLING;01-05-2024;01-03-2024;",  # 10 date_order
    "T1;999999990;;SCHOLING;01-02-2024;;",  # 11 id_not_unique: T1 is on line 2
    " T9 ; 123456782 ;wiz_lab; scholing ;2024-02-01;29-02-2024;afgerond",  # 12 accepted: trimmed, ISO, lower case
    "T10;12345672;;SCHOLING;01-02-2024;;",  # 13 accepted: 8-digit bsn padded to 012345672
    "T11;123456789;;JOBCOACH;31-02-2024;;",  # 14 fails elfproef, code and date: elfproef comes first
    "T12;;;JOBCOACH;;;",  # 15 bsn and datum_start empty, instrument unknown: required_missing on bsn first
    "T13;999999990;;SCHOLING;01-02-2024;;;;",  # 16 accepted: trailing empty fields are tolerated
    "T14;999999990;;111222333;01-02-2024;;",  # 17 code_unknown: a bsn typed as instrument, shown masked
]
EXPECTED_TRAJECTEN = {  # line -> (check, column, delivered value, reason after 'line <n>: ')
    3: ("duplicate_row", None, None, "exact duplicate of line 2"),
    4: ("field_count", None, None, "5 fields where the header has 7"),
    5: ("required_missing", "bsn", None, "bsn is empty; it is required"),
    6: ("bsn_format", "bsn", BSN_MASK, "bsn is not a number of 1-9 digits"),
    7: ("bsn_elfproef", "bsn", BSN_MASK, "bsn fails elfproef"),
    8: ("date_invalid", "datum_start", "31-02-2024",
        "datum_start '31-02-2024' is not a date (expected dd-mm-jjjj or jjjj-mm-dd, year 1900-2100)"),
    9: ("code_unknown", "instrument", "JOBCOACH",
        "instrument 'JOBCOACH' unknown; expected one of ACTIVERING, SOCIALE_ACTIVITEIT, VRIJWILLIGERSWERK, "
        "MANTELZORG, DAGBESTEDING, SCHOLING, WORKSHOP, PTO, ORIENTATIE, WERKERVARINGSPLAATS, "
        "WERKERVARINGSPLAATS_REGULIER, PROEFPLAATSING, LKS, JOBCOACHING, NAZORG, COACHGESPREK, LOOPBAANADVIES"),
    10: ("date_order", "datum_einde", "01-03-2024", "datum_start 01-05-2024 is after datum_einde 01-03-2024"),
    11: ("id_not_unique", "traject_id", "T1", "traject_id 'T1' already used on line 2"),
    14: ("bsn_elfproef", "bsn", BSN_MASK, "bsn fails elfproef"),
    15: ("required_missing", "bsn", None, "bsn is empty; it is required"),
    17: ("code_unknown", "instrument", BSN_MASK,
         "instrument '<bsn>' unknown; expected one of ACTIVERING, SOCIALE_ACTIVITEIT, VRIJWILLIGERSWERK, "
         "MANTELZORG, DAGBESTEDING, SCHOLING, WORKSHOP, PTO, ORIENTATIE, WERKERVARINGSPLAATS, "
         "WERKERVARINGSPLAATS_REGULIER, PROEFPLAATSING, LKS, JOBCOACHING, NAZORG, COACHGESPREK, LOOPBAANADVIES"),
}


ACTIVITIES = f"onderwijs/{MONTH}/leeractiviteiten.csv"
ACTIVITIES_LINES = [
    "activiteit_id;bsn;bron;onderwijstype;vorm;stap_categorie;actie_code;datum_start;datum_einde;uren;resultaat;"
    "voltijd",
    "A1;111222333;DUO;MBO;FORMEEL;4;;01-09-2023;;12,5;;J",  # 2 accepted: decimal comma, J
    "A2;111222333;duo;mbo;formeel;;;01-09-2023;;abc;;ja",  # 3 number_invalid: uren
    "A3;111222333;DUO;MBO;FORMEEL;;;01-09-2023;;10;;misschien",  # 4 bool_invalid: voltijd
    "A4;111222333;STAP;CURSUS;NON_FORMEEL;5;;01-09-2023;;10;;",  # 5 out_of_range: stap_categorie 1-4
    "A5;111222333;STAP;CURSUS;NON_FORMEEL;2,5;;01-09-2023;;10;;",  # 6 number_invalid: not whole
    "A6;111222333;STAP;CURSUS;NON_FORMEEL;2;;01-09-2023;;1.234,5;;",  # 7 number_invalid: thousands separator
    "A7;111222333;STAP;CURSUS;NON_FORMEEL;1;;01-09-2023;;7.5;;Nee",  # 8 accepted
    "A8;111222333;STAP;CURSUS;NON_FORMEEL;1;;01-09-2023;;-1;;",  # 9 out_of_range: uren >= 0
]
ANSWERS = f"enquetes/{MONTH}/antwoorden.csv"
ANSWERS_LINES = [
    "antwoord_id;respondent_type;bsn;werkgever_id;actie_code;event_id;datum;meting;vraag_code;score",
    "Q1;INWONER;111222333;;;;01-03-2025;VOOR;MOTIVATIE_WERK;4",  # 2 accepted: scale 1-5
    "Q2;INWONER;;;;;01-03-2025;NA;MOTIVATIE_WERK;7",  # 3 out_of_range: 7 > 5
    "Q3;INWONER;;;;;01-03-2025;NA;TEVREDENHEID;7",  # 4 accepted: scale 1-10
    "Q4;WERKGEVER;;W1;;;01-03-2025;EENMALIG;BEREIDHEID_INVESTEREN_LLO;0",  # 5 out_of_range: 0 < 1
]
INPUTS = f"programma/{MONTH}/inzet.csv"
INPUTS_LINES = [
    "actie_code;kwartaal;budget_eur;besteed_eur;fte;uren;materieel_eur;werkwijzen",
    "WIZ_LAB;2025K3;1000;;;;;groepsaanpak | matchingstool",  # 2 accepted, normalised
    "wiz_lab;2025-Q3;500;;;;;",  # 3 id_not_unique: same action and quarter as line 2
    "WIZ_LAB;2025-Q5;500;;;;;",  # 4 date_invalid: no such quarter
    "WIZ_LAB;2025-Q4;500;;;;;GROEPSAANPAK|KOFFIE",  # 5 code_unknown: werkwijzen
]
EVENTS = f"programma/{MONTH}/events.csv"
EVENTS_LINES = [  # delivered in Windows-1252
    "event_id;actie_code;datum;gemeentecode;doelgroep;naam",
    "E1;TALENTTOUR;01-02-2025;14;av;Café",  # 2 accepted: 14 -> GM0014, av -> AV
    "E2;TALENTTOUR;01-03-2025;Groningen;AH;",  # 3 code_unknown: gemeentecode (E2 is still in events.csv)
]
OCTOBER_VISITS = f"programma/{MONTH}/event_deelnames.csv"
NOVEMBER_VISITS = f"programma/{NEXT_MONTH}/event_deelnames.csv"  # no events.csv in 2026-11: October's stands
FORMATS = {  # path -> what the file exercises (contract section 2)
    f"uwv/{MONTH}/werkzoekenden.csv": "comma delimiter",
    f"uwv/{MONTH}/uitkeringen.csv": "byte order mark",
    EVENTS: "Windows-1252",
    f"gemeente/GM0014/{MONTH}/pw_uitkeringen.csv": "header case, whitespace, extra column",
    f"gemeente/GM0014/{MONTH}/participatieladder.csv": "required column trede missing",
    f"gemeente/GM0014/{MONTH}/notities.csv": "not a file of the contract",
}


def deliver_everything(landing: Path) -> None:
    """The fixture delivery shared by most tests below."""
    deliver(landing, TRAJECTEN, TRAJECTEN_LINES)
    deliver(landing, ACTIVITIES, ACTIVITIES_LINES)
    deliver(landing, ANSWERS, ANSWERS_LINES)
    deliver(landing, INPUTS, INPUTS_LINES)
    deliver(landing, EVENTS, EVENTS_LINES, encoding="cp1252")
    deliver(landing, OCTOBER_VISITS, ["event_id;bsn;werkgever_id;werkend_opgegeven", "E1;111222333;;J", "E3;;;N"])
    deliver(landing, NOVEMBER_VISITS, ["event_id;bsn;werkgever_id;werkend_opgegeven", "E2;;;N", "E9;;;"])
    formats = list(FORMATS)
    deliver(landing, formats[0], ["bsn,datum_inschrijving,datum_uitschrijving", "111222333,01-01-2024,"])
    deliver(landing, formats[1], ["bsn;uitkeringssoort;ingangsdatum;einddatum", "111222333;WW;01-01-2024;"], bom=True)
    deliver(landing, formats[3], [" BSN ;Regeling;DATUM_BEGIN;datum_einde;Opmerking",
                                  "111222333;PW;01-01-2024;;let op", "123456782 ; pw ; 01-02-2024 ; ; "])
    deliver(landing, formats[4], ["bsn;meetdatum", "111222333;01-01-2024", "123456782;01-02-2024"])
    deliver(landing, formats[5], ["wat;waarom", "x;y"])


@dataclass(frozen=True)
class Delivered:
    landing: Path
    data_dir: Path
    result: object
    printed: str


@pytest.fixture(scope="module")
def delivered(tmp_path_factory: pytest.TempPathFactory) -> Delivered:
    root = tmp_path_factory.mktemp("delivered")
    deliver_everything(root / "landing")
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(io.StringIO()) as printed:
        patch.setenv("LLO_PSEUDONYM_KEY", KEY)
        result = run_intake(root / "landing", root / "data", workers=1)
    return Delivered(root / "landing", root / "data", result, printed.getvalue())


def test_every_row_check_with_the_reason_a_supplier_can_act_on(delivered: Delivered) -> None:
    data_dir = delivered.data_dir
    assert delivered.result.exit_code == 0
    rejected = quarantine(data_dir, TRAJECTEN)
    assert set(rejected) == set(EXPECTED_TRAJECTEN)
    for line, (check, column, value, reason) in EXPECTED_TRAJECTEN.items():
        row = rejected[line]
        assert (row["check_code"], row["column_name"], row["delivered_value"]) == (check, column, value), line
        assert row["reason"] == f"{TRAJECTEN} line {line}: {reason}"
    rows = accepted(data_dir, "gemeente__trajecten", "GM0014")
    assert sorted(rows.index) == [2, 12, 13, 16]
    line_12 = rows.loc[12]
    assert (line_12.traject_id, line_12.actie_code, line_12.instrument, line_12.reden_einde) == (
        "T9", "WIZ_LAB", "SCHOLING", "AFGEROND")
    assert (line_12.datum_start, line_12.datum_einde) == (date(2024, 2, 1), date(2024, 2, 29))
    assert line_12.person_id == pseudonym("123456782", KEY.encode())
    assert rows.loc[13].person_id == pseudonym("012345672", KEY.encode())
    row = manifest(data_dir)[TRAJECTEN]
    assert (row["rows_read"], row["rows_accepted"], row["rows_quarantined"]) == (16, 4, 12)
    assert row["bsn_padded_rows"] == 1 and row["warning_codes"] == "bsn_padded"


def test_uniqueness_and_duplicates_hold_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of two rows: line 3 duplicates line 2 and line 11 reuses T1 from line 2, each in another chunk
    than the line they repeat; the outcome must be the same as in one chunk."""
    monkeypatch.setattr(llo.intake, "CHUNK_ROWS", 2)
    landing, data_dir = tmp_path / "landing", tmp_path / "data"
    deliver(landing, TRAJECTEN, TRAJECTEN_LINES)
    run_intake(landing, data_dir, workers=1)
    rejected = quarantine(data_dir, TRAJECTEN)
    assert {line: row["check_code"] for line, row in rejected.items()} == {
        line: expected[0] for line, expected in EXPECTED_TRAJECTEN.items()}


def test_numbers_booleans_ranges_and_survey_scales(delivered: Delivered) -> None:
    data_dir = delivered.data_dir
    rejected = quarantine(data_dir, ACTIVITIES)
    assert {line: (row["check_code"], row["column_name"]) for line, row in rejected.items()} == {
        3: ("number_invalid", "uren"), 4: ("bool_invalid", "voltijd"), 5: ("out_of_range", "stap_categorie"),
        6: ("number_invalid", "stap_categorie"), 7: ("number_invalid", "uren"), 9: ("out_of_range", "uren")}
    assert rejected[5]["reason"] == f"{ACTIVITIES} line 5: stap_categorie 5 is out of range (expected >= 1 and <= 4)"
    assert rejected[4]["reason"].endswith(
        "voltijd 'misschien' is not a yes/no value (expected J/N, Ja/Nee, 1/0 or true/false)")
    rows = accepted(data_dir, "onderwijs__leeractiviteiten", "onderwijs")
    assert rows.loc[2, "uren"] == 12.5 and rows.loc[8, "uren"] == 7.5
    assert bool(rows.loc[2, "voltijd"]) is True and bool(rows.loc[8, "voltijd"]) is False
    rejected = quarantine(data_dir, ANSWERS)
    assert {line: row["check_code"] for line, row in rejected.items()} == {3: "out_of_range", 5: "out_of_range"}
    assert rejected[3]["reason"] == f"{ANSWERS} line 3: score 7 is outside the scale 1-5 of vraag_code MOTIVATIE_WERK"


def test_codes_municipalities_quarters_and_compound_keys(delivered: Delivered) -> None:
    data_dir = delivered.data_dir
    rejected = quarantine(data_dir, INPUTS)
    assert {line: row["check_code"] for line, row in rejected.items()} == {
        3: "id_not_unique", 4: "date_invalid", 5: "code_unknown"}
    assert rejected[3]["reason"] == f"{INPUTS} line 3: actie_code/kwartaal 'WIZ_LAB|2025-Q3' already used on line 2"
    assert rejected[4]["reason"] == (
        f"{INPUTS} line 4: kwartaal '2025-Q5' is not a quarter (expected e.g. 2025-Q3 or 2025K3)")
    row = accepted(data_dir, "programma__inzet", "programma").loc[2]
    assert (row.actie_code, row.kwartaal, row.werkwijzen) == ("WIZ_LAB", "2025-Q3", "GROEPSAANPAK|MATCHINGSTOOL")
    event = accepted(data_dir, "programma__events", "programma").loc[2]
    assert (event.gemeentecode, event.doelgroep) == ("GM0014", "AV")
    assert quarantine(data_dir, EVENTS)[3]["reason"] == (
        f"{EVENTS} line 3: gemeentecode 'Groningen' is not a municipality code (expected GMxxxx, xxxx or a number)")


def test_event_ids_must_exist_in_the_latest_events_delivery(delivered: Delivered) -> None:
    """October delivers events E1 and E2 (E2 quarantined for its municipality code, but in the file);
    November delivers attendances only, so October's events.csv still stands for it."""
    data_dir = delivered.data_dir
    assert quarantine(data_dir, OCTOBER_VISITS)[3]["reason"] == (
        f"{OCTOBER_VISITS} line 3: event_id 'E3' does not exist in {EVENTS}")
    rejected = quarantine(data_dir, NOVEMBER_VISITS)
    assert list(rejected) == [3] and rejected[3]["check_code"] == "reference_missing"
    assert rejected[3]["reason"] == f"{NOVEMBER_VISITS} line 3: event_id 'E9' does not exist in {EVENTS}"
    anonymous = accepted(data_dir, "programma__event_deelnames", "programma", NEXT_MONTH).loc[2]
    assert anonymous.event_id == "E2" and pd.isna(anonymous.person_id)


# --- whole files ---------------------------------------------------------------------------------


def test_file_formats_warnings_and_rejections(delivered: Delivered) -> None:
    data_dir = delivered.data_dir
    rows = manifest(data_dir)
    werkzoekenden, uitkeringen, events, pw, ladder, notes = (rows[path] for path in FORMATS)
    assert (werkzoekenden["delimiter"], werkzoekenden["warning_codes"], werkzoekenden["rows_accepted"]) == (
        ",", "comma_delimiter", 1)
    assert (uitkeringen["warning_codes"], uitkeringen["encoding"], uitkeringen["rows_accepted"]) == ("bom", "utf-8", 1)
    assert (events["warning_codes"], events["encoding"]) == ("windows_1252", "windows-1252")
    assert accepted(data_dir, "programma__events", "programma").loc[2, "naam"] == "Café"
    assert (pw["warning_codes"], pw["extra_columns"], pw["rows_accepted"]) == ("extra_columns", "opmerking", 2)
    assert accepted(data_dir, "gemeente__pw_uitkeringen", "GM0014")["regeling"].tolist() == ["PW", "PW"]
    assert ladder["status"] == "REJECTED"
    assert ladder["message"] == (
        f"gemeente/GM0014/{MONTH}/participatieladder.csv: required column trede missing; "
        "expected columns bsn;meetdatum;trede, found bsn;meetdatum")
    assert (ladder["rows_read"], ladder["rows_accepted"], ladder["rows_quarantined"]) == (2, 0, 2)
    assert {row["check_code"] for row in quarantine(data_dir, ladder["file_path"]).values()} == {"missing_column"}
    assert not (data_dir / "intake" / "gemeente__participatieladder" / "GM0014").exists()
    assert notes["status"] == "REJECTED" and "not a file of the delivery contract" in notes["message"]
    assert delivered.result.exit_code == 0  # the rejected files do not stop the others


def test_the_summary_table_lists_every_file(delivered: Delivered) -> None:
    printed = delivered.printed  # columns: file, status, read, accepted, quarantined, warnings
    assert re.search(rf"{re.escape(TRAJECTEN)} +ACCEPTED +16 +4 +12 +bsn_padded\n", printed)
    assert re.search(rf"gemeente/GM0014/{MONTH}/participatieladder.csv +REJECTED +2 +0 +2\n", printed)
    for path in manifest(delivered.data_dir):
        assert path in printed


def test_rows_read_equals_accepted_plus_quarantined_for_every_file(delivered: Delivered) -> None:
    data_dir = delivered.data_dir
    per_file = pq.read_table(data_dir / "intake" / "_meta" / "quarantine.parquet").to_pandas().groupby(
        "file_path").size()
    assert per_file.sum() > 0
    for path, row in manifest(data_dir).items():
        assert row["rows_read"] == row["rows_accepted"] + row["rows_quarantined"], path
        assert per_file.get(path, 0) == row["rows_quarantined"], path
        if row["file_kind"] and row["status"] == "ACCEPTED":
            written = pq.read_metadata(data_dir / "intake" / row["file_kind"] / row["supplier_code"]
                                       / row["delivery_month"] / "data.parquet").num_rows
            assert written == row["rows_accepted"], path


def test_every_kind_has_a_zero_row_schema_file(delivered: Delivered) -> None:
    for file_kind in FILE_KINDS:
        schema_file = pq.read_table(delivered.data_dir / "intake" / file_kind.kind / "_schema.parquet")
        assert schema_file.num_rows == 0
        assert schema_file.schema.names == [name for name, _ in llo.intake.intake_schema(file_kind)]


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*"))
            if path.is_file()}


def test_running_twice_changes_nothing(tmp_path: Path) -> None:
    landing, data_dir = tmp_path / "landing", tmp_path / "data"
    deliver_everything(landing)
    first = run_intake(landing, data_dir, workers=1)
    before = {name: snapshot(data_dir / name) for name in ("intake", "archive", "quarantine", "gx")}
    second = run_intake(landing, data_dir, workers=1)
    assert second.exit_code == 0 and second.files == [] and second.skipped == len(first.files) == 12
    assert {name: snapshot(data_dir / name) for name in ("intake", "archive", "quarantine", "gx")} == before


def test_same_bytes_under_another_month_are_recognised(tmp_path: Path) -> None:
    landing, data_dir = tmp_path / "landing", tmp_path / "data"
    deliver(landing, TRAJECTEN, TRAJECTEN_LINES)
    again = TRAJECTEN.replace(MONTH, NEXT_MONTH)
    deliver(landing, again, TRAJECTEN_LINES)
    run_intake(landing, data_dir, workers=1)
    rows = manifest(data_dir)
    assert rows[again]["duplicate_of"] == TRAJECTEN and rows[TRAJECTEN]["duplicate_of"] is None
    assert rows[again]["rows_accepted"] == rows[TRAJECTEN]["rows_accepted"] == 4  # still taken in for its month


def test_a_changed_file_replaces_its_earlier_version_and_both_stay_archived(tmp_path: Path) -> None:
    landing, data_dir = tmp_path / "landing", tmp_path / "data"
    deliver(landing, TRAJECTEN, TRAJECTEN_LINES[:2])
    run_intake(landing, data_dir, workers=1)
    deliver(landing, TRAJECTEN, [TRAJECTEN_LINES[0], TRAJECTEN_LINES[11]])  # now only T9
    run_intake(landing, data_dir, workers=1)
    versions = pq.read_table(data_dir / "intake" / "_meta" / "manifest.parquet").to_pylist()
    assert [row["status"] for row in versions] == ["REPLACED", "ACCEPTED"]
    assert accepted(data_dir, "gemeente__trajecten", "GM0014")["traject_id"].tolist() == ["T9"]
    archived = {path.name for path in (data_dir / "archive" / "gemeente" / "GM0014" / MONTH).glob("*.csv")}
    assert archived == {"trajecten.csv", f"trajecten.{versions[1]['file_sha256'][:12]}.csv"}


def test_a_file_without_header_is_rejected_without_showing_its_first_line(tmp_path: Path) -> None:
    """The supplier forgot the header: the first data line is taken for it and must not reach the manifest."""
    landing, data_dir = tmp_path / "landing", tmp_path / "data"
    deliver(landing, f"uwv/{MONTH}/werkzoekenden.csv", ["111222333;01-01-2024;", "123456782;01-02-2024;"])
    assert run_intake(landing, data_dir, workers=1).exit_code == 1
    row = manifest(data_dir)[f"uwv/{MONTH}/werkzoekenden.csv"]
    assert row["message"] == (f"uwv/{MONTH}/werkzoekenden.csv: required columns bsn, datum_inschrijving missing; "
                              "expected columns bsn;datum_inschrijving;datum_uitschrijving, found <value>;<value>;")
    assert row["extra_columns"] == "<value>;<value>;(unnamed column 3)"
    assert (row["rows_read"], row["rows_quarantined"]) == (1, 1)  # the line taken for a header is not a row


def test_exit_codes(tmp_path: Path) -> None:
    assert run_intake(tmp_path / "missing", tmp_path / "data", workers=1).exit_code == 2
    landing = tmp_path / "landing"
    landing.mkdir()
    assert run_intake(landing, tmp_path / "data", workers=1).exit_code == 1  # nothing delivered at all
    deliver(landing, f"gemeente/GM0014/{MONTH}/participatieladder.csv", ["bsn;meetdatum", "111222333;01-01-2024"])
    assert run_intake(landing, tmp_path / "data", workers=1).exit_code == 1  # the only new file was rejected
    deliver(landing, TRAJECTEN, TRAJECTEN_LINES)
    assert run_intake(landing, tmp_path / "data", workers=1).exit_code == 0
    assert run_intake(landing, tmp_path / "data", workers=1).exit_code == 0  # nothing new


def test_no_bsn_outside_archive_and_quarantine(delivered: Delivered) -> None:
    data_dir = delivered.data_dir
    restricted = {"archive", "quarantine"}
    bsns = [bsn.encode() for bsn in FIXTURE_BSNS] + [b"12345672"]  # also the unpadded form as delivered
    found_restricted, leaks = set(), []
    for path in data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for bsn in bsns:
                if bsn in content:
                    if path.relative_to(data_dir).parts[0] in restricted:
                        found_restricted.add(bsn)
                    else:
                        leaks.append((path, bsn))
    assert leaks == []
    # The search does find them where they may be: every bsn as delivered (012345672 only arrived as 12345672).
    assert found_restricted == set(bsns) - {b"012345672"}
    raw = (data_dir / "quarantine" / "gemeente" / "GM0014" / MONTH / "trajecten.rejected.csv").read_text()
    assert "T5;123456789;;SCHOLING;01-02-2024;;" in raw  # the raw line, for the supplier
    for directory in restricted:
        assert stat.S_IMODE((data_dir / directory).stat().st_mode) == 0o700


def test_data_docs_of_the_run(delivered: Delivered) -> None:
    assert delivered.result.data_docs == delivered.data_dir / "gx" / "index.html"
    assert delivered.result.data_docs.exists()
    pages = list((delivered.data_dir / "gx" / "validations" / "gemeente__trajecten").rglob("*.html"))
    assert len(pages) == 1  # one GX run: trajecten of 2026-10


def test_every_row_check_has_a_reason_text() -> None:
    from llo.contract import KINDS

    trajecten = KINDS["gemeente__trajecten"]
    for check in ROW_CHECKS:
        column = trajecten.column("instrument")
        details = {"first_line": 2, "found": 3, "expected": 7, "start_column": "datum_start", "start_value": "x",
                   "key_columns": ("traject_id",), "source_file": "f", "other_kind": "k"}
        assert llo.intake.describe_failure(check, column, "X", details)


def test_two_worker_processes_give_the_same_result_as_one(tmp_path: Path) -> None:
    """Groups of files (kind and month) go to worker processes; the outcome may not depend on that. Two
    municipalities' trajecten make a group of two files, validated in one GX run."""
    landing = tmp_path / "landing"
    deliver_everything(landing)
    deliver(landing, TRAJECTEN.replace("GM0014", "GM0037"), TRAJECTEN_LINES[:5])
    outcomes = []
    for workers in (1, 2):
        data_dir = tmp_path / f"data-{workers}"
        assert run_intake(landing, data_dir, workers=workers).exit_code == 0
        rows = pq.read_table(data_dir / "intake" / "_meta" / "manifest.parquet").drop(["intake_at"]).to_pylist()
        rejected = pq.read_table(data_dir / "intake" / "_meta" / "quarantine.parquet").drop(["intake_at"]).to_pylist()
        written = {str(path.relative_to(data_dir)): pq.read_table(path).drop(["_intake_at"]).to_pylist()
                   for path in sorted((data_dir / "intake").glob("*/*/*/data.parquet"))}
        outcomes.append((rows, rejected, written))
    assert outcomes[0] == outcomes[1]
    assert len(outcomes[0][2]) == 11  # 13 files: two rejected
    assert [row["check_code"] for row in outcomes[0][1] if "GM0037" in row["file_path"]] == [
        "duplicate_row", "field_count", "required_missing"]
