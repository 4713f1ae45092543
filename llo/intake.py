"""Intake: every delivery validated against the contract, nothing lost, no bsn past the door.

For every file in the landing area not taken in before (same path and sha256 in
the manifest), following delivery-contract sections 2 and 5:

1. archive the bytes as delivered with their sha256;
2. detect the encoding (UTF-8 with or without BOM, else Windows-1252) and the
   delimiter (`;`, or `,` with a warning) and match the header to the contract
   (a missing required column rejects the whole file);
3. stream the records in chunks of CHUNK_ROWS; per chunk: parse every value by
   its contract type, check the bsn (format, elfproef), validate the parsed
   chunk with the kind's Great Expectations suite (llo.expectations), and give
   every failing row one quarantine reason: its first failing check in
   llo.contract.ROW_CHECKS order;
4. replace bsn by its keyed pseudonym and write the accepted rows as typed
   Parquet (docs/design.md); write the raw rejected lines to the restricted
   quarantine and a bsn-free quarantine row per rejected line to _meta.

rows read = rows accepted + rows quarantined, for every file.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import hmac
import io
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from llo.contract import (
    FILE_KINDS, FILE_REJECTION, FILE_WARNINGS, KINDS, METADATA_COLUMNS, ROW_CHECKS, Column, FileKind,
    intake_column_name, intake_schema,
)
from llo.expectations import BSN_MASK, PARSED_TYPES, reference_parameter, text_column

CHUNK_ROWS = 100_000
ELFPROEF_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1], dtype=np.int64)
CHECK_RANK = {check: rank for rank, check in enumerate(ROW_CHECKS)}
FIRST_YEAR, LAST_YEAR = 1900, 2100  # a date outside these years is a typo, not a date of the monitor

STATUS_ACCEPTED = "ACCEPTED"  # taken in; some rows may be quarantined
STATUS_REJECTED = "REJECTED"  # not taken in: not a contract file, no header, or a required column missing
STATUS_REPLACED = "REPLACED"  # an earlier version of a path whose bytes changed since

ARROW_TYPES = {
    "varchar": pa.string(), "date": pa.date32(), "integer": pa.int32(), "double": pa.float64(),
    "boolean": pa.bool_(), "timestamp": pa.timestamp("us"),
}
TRUE_WORDS = {"j": True, "ja": True, "1": True, "true": True, "n": False, "nee": False, "0": False, "false": False}


# --- the two rules tests and other stages call directly ---------------------------------------


def _elfproef_mask(bsn9: pd.Series) -> np.ndarray:
    """Elfproef of 9-digit strings: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 divisible by 11, not all zeros."""
    if bsn9.empty:
        return np.zeros(0, dtype=bool)
    digits = np.frombuffer("".join(bsn9).encode("ascii"), dtype=np.uint8).reshape(-1, 9).astype(np.int64) - 48
    return ((digits @ ELFPROEF_WEIGHTS) % 11 == 0) & digits.any(axis=1)


def elfproef(bsn: str) -> bool:
    """True when `bsn` (1-9 digits, left-padded with zeros to 9) passes the elfproef."""
    bsn = bsn.strip()
    if not re.fullmatch(r"[0-9]{1,9}", bsn):
        return False
    return bool(_elfproef_mask(pd.Series([bsn.zfill(9)]))[0])


def pseudonym(bsn9: str, key: bytes) -> str:
    """interfaces.md: lowercase hex of HMAC-SHA-256 with the key, message the 9-digit bsn in ASCII."""
    return hmac.new(key, bsn9.encode("ascii"), hashlib.sha256).hexdigest()


def pseudonym_key(data_dir: Path) -> bytes:
    """LLO_PSEUDONYM_KEY, or a random key kept in $LLO_DATA_DIR/secrets (created once, mode 0600)."""
    from_environment = os.environ.get("LLO_PSEUDONYM_KEY", "")
    if from_environment:
        return from_environment.encode("utf-8")
    key_file = data_dir / "secrets" / "pseudonym.key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        print(f"warning: LLO_PSEUDONYM_KEY is not set; created a random pseudonymisation key in {key_file}. "
              "Keep it secret and keep it: another key gives every person another person_id.", file=sys.stderr)
    return key_file.read_text(encoding="ascii").strip().encode("utf-8")


# --- manifest and quarantine rows --------------------------------------------------------------


@dataclass
class ManifestRow:
    """One delivered file version (delivery-contract section 5)."""

    file_path: str
    file_sha256: str
    file_kind: str | None
    source_name: str | None
    supplier_code: str | None
    delivery_month: str | None
    status: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    size_bytes: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    warning_codes: str | None = None
    warnings: str | None = None
    bsn_padded_rows: int = 0
    extra_columns: str | None = None
    duplicate_of: str | None = None
    message: str | None = None
    archive_path: str | None = None
    intake_at: datetime | None = None


MANIFEST_SCHEMA = pa.schema([
    ("file_path", pa.string()), ("file_sha256", pa.string()), ("file_kind", pa.string()),
    ("source_name", pa.string()), ("supplier_code", pa.string()), ("delivery_month", pa.string()),
    ("status", pa.string()), ("rows_read", pa.int64()), ("rows_accepted", pa.int64()),
    ("rows_quarantined", pa.int64()), ("size_bytes", pa.int64()), ("encoding", pa.string()),
    ("delimiter", pa.string()), ("warning_codes", pa.string()), ("warnings", pa.string()),
    ("bsn_padded_rows", pa.int64()), ("extra_columns", pa.string()), ("duplicate_of", pa.string()),
    ("message", pa.string()), ("archive_path", pa.string()), ("intake_at", pa.timestamp("us")),
])
assert MANIFEST_SCHEMA.names == [item.name for item in fields(ManifestRow)]

QUARANTINE_SCHEMA = pa.schema([
    ("file_path", pa.string()), ("file_sha256", pa.string()), ("file_kind", pa.string()),
    ("source_name", pa.string()), ("supplier_code", pa.string()), ("delivery_month", pa.string()),
    ("line_number", pa.int64()), ("check_code", pa.string()), ("column_name", pa.string()),
    ("delivered_value", pa.string()), ("reason", pa.string()), ("intake_at", pa.timestamp("us")),
])


# --- where a file sits in the landing area -----------------------------------------------------


@dataclass(frozen=True)
class LandingFile:
    path: str  # relative to the landing folder, '/'-separated
    file_kind: FileKind | None
    supplier: str | None
    delivery_month: str | None
    problem: str | None = None  # why the path is not a delivery file of the contract


_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
_MUNICIPALITY = re.compile(r"GM[0-9]{4}")
_LAYOUT = "expected <source>/<yyyy-mm>/<file>.csv, or gemeente/<GMxxxx>/<yyyy-mm>/<file>.csv (delivery contract section 1)"


def locate(relative: PurePosixPath) -> LandingFile:
    """The file kind, supplier and delivery month of a landing path."""
    parts = relative.parts
    path = relative.as_posix()
    source = parts[0]
    per_municipality = source == "gemeente"
    if len(parts) != (4 if per_municipality else 3):
        return LandingFile(path, None, None, None, f"not a delivery path: {_LAYOUT}")
    month, name = parts[-2], parts[-1].lower()
    supplier = parts[1].upper() if per_municipality else source
    kind = KINDS.get(f"{source}__{name.removesuffix('.csv')}") if name.endswith(".csv") else None
    if kind is None:
        known = ", ".join(f"{k.source}/{k.file}.csv" for k in FILE_KINDS)
        return LandingFile(path, None, None, None, f"not a file of the delivery contract; expected one of {known}")
    if not _MONTH.fullmatch(month):
        return LandingFile(path, None, None, None, f"delivery month folder '{month}' is not yyyy-mm")
    if per_municipality and not _MUNICIPALITY.fullmatch(supplier):
        return LandingFile(path, None, None, None, f"municipality folder '{parts[1]}' is not GMxxxx")
    return LandingFile(path, kind, supplier, month)


def find_landing_files(landing: Path) -> list[LandingFile]:
    """Every file under the landing folder (hidden files skipped), in processing order: by delivery
    month, then contract order (so events.csv is taken in before event_deelnames.csv), then supplier."""
    found = [
        locate(PurePosixPath(path.relative_to(landing).as_posix()))
        for path in landing.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(landing).parts)
    ]
    order = {file_kind.kind: index for index, file_kind in enumerate(FILE_KINDS)}
    return sorted(found, key=lambda item: (
        item.delivery_month or "", order.get(item.file_kind.kind, -1) if item.file_kind else -1,
        item.supplier or "", item.path))


# --- bytes: hash, encoding, archive ------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    sha256: str
    size: int
    is_utf8: bool
    has_bom: bool


def scan_bytes(path: Path) -> Scan:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    is_utf8, size, first = True, 0, b""
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            if not first:
                first = block[:3]
            digest.update(block)
            size += len(block)
            if is_utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    is_utf8 = False
        if is_utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                is_utf8 = False
    return Scan(digest.hexdigest(), size, is_utf8, first == codecs.BOM_UTF8)


def _restricted_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def archive_file(source: Path, relative: str, sha256: str, archive_dir: Path) -> Path:
    """Copy the delivered bytes to the archive with a `.sha256` file. An archived earlier version of
    the same path is never overwritten: a changed file is kept next to it as <name>.<sha12>.csv."""
    target = archive_dir / relative
    if target.exists() and _archived_sha(target) != sha256:
        target = target.with_name(f"{target.stem}.{sha256[:12]}{target.suffix}")
    _restricted_dir(target.parent)
    if not target.exists() or _archived_sha(target) != sha256:
        temporary = target.with_name(target.name + ".partial")
        shutil.copyfile(source, temporary)
        if scan_bytes(temporary).sha256 != sha256:
            raise RuntimeError(f"{relative} changed while it was being archived; run intake again")
        temporary.replace(target)
        target.with_name(target.name + ".sha256").write_text(f"{sha256}  {target.name}\n", encoding="ascii")
    return target


def _archived_sha(target: Path) -> str | None:
    sha_file = target.with_name(target.name + ".sha256")
    return sha_file.read_text(encoding="ascii").split()[0] if sha_file.exists() else None


# --- text: records with their line numbers and raw text ----------------------------------------


@dataclass(frozen=True)
class Record:
    line_number: int  # line where the record starts (the header is line 1)
    raw: str  # the record's text as delivered, without its line break
    fields: list[str]


def read_records(handle: io.TextIOBase, delimiter: str) -> Iterator[Record]:
    """Records of a CSV text, blank lines skipped. A quoted field may span lines: the record keeps
    the line it starts on and all of its text."""
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for line in handle:
            consumed.append(line)
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    for values in reader:
        first_line = reader.line_num - len(consumed) + 1
        raw = "".join(consumed).rstrip("\r\n")
        consumed.clear()
        if any(value.strip() for value in values):
            yield Record(first_line, raw, values)


def open_text(path: Path, scan: Scan) -> io.TextIOWrapper:
    if scan.is_utf8:
        return open(path, encoding="utf-8-sig", newline="")
    return open(path, encoding="cp1252", errors="replace", newline="")


def choose_delimiter(header_line: str) -> str:
    """`;` per contract; a header that only splits on `,` is read comma-delimited (with a warning)."""
    if ";" not in header_line and "," in header_line:
        return ","
    return ";"


# --- parsing values by contract type -----------------------------------------------------------


def _matches(texts: pd.Series, pattern: str) -> pd.Series:
    return texts.str.fullmatch(pattern).fillna(False).astype(bool)


def parse_dates(texts: pd.Series) -> pd.Series:
    """dd-mm-jjjj (canonical) or jjjj-mm-dd; anything else, an impossible date or a year outside
    FIRST_YEAR..LAST_YEAR gives NaT."""
    parsed = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[us]")
    for pattern, date_format in ((r"[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}", "%d-%m-%Y"),
                                 (r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", "%Y-%m-%d")):
        hit = _matches(texts, pattern)
        if hit.any():
            parsed[hit] = pd.to_datetime(texts[hit], format=date_format, errors="coerce")
    years = parsed.dt.year
    return parsed.where((years >= FIRST_YEAR) & (years <= LAST_YEAR))


def parse_numbers(texts: pd.Series, whole: bool) -> pd.Series:
    """`12,5` or `12.5` (no thousands separators); for int columns whole numbers of at most 9 digits
    (the intake writes them as 32-bit integers)."""
    pattern = r"[+-]?[0-9]{1,9}" if whole else r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)"
    valid = _matches(texts, pattern)
    numbers = pd.to_numeric(texts.where(valid).str.replace(",", ".", regex=False), errors="coerce")
    return numbers.astype("float64")


def parse_booleans(texts: pd.Series) -> pd.Series:
    return texts.str.lower().map(TRUE_WORDS).astype("boolean")


def parse_municipalities(texts: pd.Series) -> pd.Series:
    """GM0014, 0014 or 14 -> GM0014 (a merged municipality's code is kept; staging maps it)."""
    digits = texts.str.upper().str.extract(r"^(?:GM)?([0-9]{1,4})$", expand=False)
    return ("GM" + digits.str.zfill(4)).astype("str")


def parse_quarters(texts: pd.Series) -> pd.Series:
    """2025-Q3 or 2025K3 -> 2025-Q3."""
    parts = texts.str.upper().str.extract(r"^([0-9]{4})\s*-?\s*[QK]([1-4])$")
    return (parts[0] + "-Q" + parts[1]).astype("str")


def parse_codes(texts: pd.Series) -> pd.Series:
    """'|'-separated codes, upper case, without spaces around the separators."""
    return texts.str.upper().str.replace(r"\s*\|\s*", "|", regex=True)


PARSERS = {
    "date": parse_dates,
    "int": lambda texts: parse_numbers(texts, whole=True),
    "decimal": lambda texts: parse_numbers(texts, whole=False),
    "bool": parse_booleans,
    "gemeente": parse_municipalities,
    "quarter": parse_quarters,
    "code": lambda texts: texts.str.upper(),
    "codes": parse_codes,
    "text": lambda texts: texts,
}


@dataclass
class BsnCheck:
    bsn9: pd.Series  # zero-padded 9-digit bsn, null when empty or failing
    failure: pd.Series  # bsn_format / bsn_elfproef / null
    padded: int  # values with fewer than 9 digits that were left-padded


def check_bsn(texts: pd.Series) -> BsnCheck:
    """Contract section 2: 1-9 digits, left-padded with zeros to 9, elfproef."""
    given = texts.notna()
    digits_only = _matches(texts, r"[0-9]{1,9}")
    failure = pd.Series(None, index=texts.index, dtype="str")
    failure[given & ~digits_only] = "bsn_format"
    padded = texts.where(digits_only).str.zfill(9)
    candidates = padded[digits_only]
    fails_elfproef = pd.Series(~_elfproef_mask(candidates), index=candidates.index)
    failure[fails_elfproef[fails_elfproef].index] = "bsn_elfproef"
    short = int((digits_only & (texts.str.len() < 9)).sum())
    return BsnCheck(padded.where(failure.isna()), failure, short)


# --- one delivery file -------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """The one quarantine reason of a rejected line."""

    line: int
    check: str
    column: str | None
    value: str | None  # as delivered, bsn values masked
    reason: str


@dataclass(frozen=True)
class Reference:
    """The ids a reference column may take: those in the latest delivery of the other file."""

    ids: frozenset[str]
    other_kind: str
    source_file: str | None  # landing path of that delivery, None when there is none


@dataclass
class FileState:
    """What a file's later chunks need to know about its earlier ones (memory: 16 bytes a row)."""

    line_hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))  # sorted
    hash_lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # first line per hash
    claimed_keys: dict[str, int] = field(default_factory=dict)  # unique key -> the line that holds it
    rows_read: int = 0
    rows_accepted: int = 0
    bsn_padded: int = 0
    failures: list[Failure] = field(default_factory=list)


class FileRejected(Exception):
    def __init__(self, message: str, column: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


def _quoted(value: object) -> str:
    return f"'{value}'"


def describe_failure(check: str, column: Column | None, value: str | None, extra: dict) -> str:
    """What went wrong and what was expected, for the supplier: the text after '<file> line <n>: '.
    Never includes a bsn value."""
    name = column.name if column else ""
    if check == "duplicate_row":
        return f"exact duplicate of line {extra['first_line']}"
    if check == "field_count":
        return f"{extra['found']} fields where the header has {extra['expected']}"
    if check == "required_missing":
        return f"{name} is empty; it is required"
    if check == "bsn_format":
        return f"{name} is not a number of 1-9 digits"
    if check == "bsn_elfproef":
        return f"{name} fails elfproef"
    if check == "date_invalid" and column.type == "quarter":
        return f"{name} {_quoted(value)} is not a quarter (expected e.g. 2025-Q3 or 2025K3)"
    if check == "date_invalid":
        return (f"{name} {_quoted(value)} is not a date (expected dd-mm-jjjj or jjjj-mm-dd, "
                f"year {FIRST_YEAR}-{LAST_YEAR})")
    if check == "number_invalid" and column.type == "int":
        return f"{name} {_quoted(value)} is not a whole number (at most 9 digits)"
    if check == "number_invalid":
        return f"{name} {_quoted(value)} is not a number (expected e.g. 12,5 or 12.5, no thousands separator)"
    if check == "bool_invalid":
        return f"{name} {_quoted(value)} is not a yes/no value (expected J/N, Ja/Nee, 1/0 or true/false)"
    if check == "code_unknown" and column.type == "gemeente":
        return f"{name} {_quoted(value)} is not a municipality code (expected GMxxxx, xxxx or a number)"
    if check == "code_unknown":
        return f"{name} {_quoted(value)} unknown; expected one of {', '.join(code.upper() for code in column.allowed_codes())}"
    if check == "out_of_range" and column.range_by is not None:
        low, high = column.range_by.ranges()[extra["range_key"]]
        return (f"{name} {value} is outside the scale {low:g}-{high:g} of "
                f"{column.range_by.key_column} {extra['range_key']}")
    if check == "out_of_range":
        low = "" if column.min_value is None else f"{'>' if column.min_exclusive else '>='} {column.min_value:g}"
        high = "" if column.max_value is None else f"<= {column.max_value:g}"
        return f"{name} {value} is out of range (expected {' and '.join(part for part in (low, high) if part)})"
    if check == "date_order":
        return f"{extra['start_column']} {extra['start_value']} is after {name} {value}"
    if check == "id_not_unique":
        return f"{'/'.join(extra['key_columns'])} {_quoted(value)} already used on line {extra['first_line']}"
    if check == "reference_missing":
        where = extra["source_file"] or f"any delivery of {extra['other_kind']} up to this month"
        return f"{name} {_quoted(value)} does not exist in {where}"
    raise ValueError(f"no reason text for check {check}")


class FileIntake:
    """Takes in one version of one delivery file: read, parse, validate, quarantine, write."""

    def __init__(self, run: IntakeRun, landing_file: LandingFile, archived: Path, scan: Scan) -> None:
        self.run = run
        self.landing_file = landing_file
        self.file_kind: FileKind = landing_file.file_kind
        self.archived = archived
        self.scan = scan
        self.state = FileState()
        self.warnings: dict[str, str] = {}
        self.extra_columns: list[str] = []
        self.references = {
            column: run.reference(landing_file, other_kind, other_column)
            for column, other_kind, other_column in self.file_kind.references
        }
        self.column_order = {column.name: position for position, column in enumerate(self.file_kind.columns)}

    def take_in(self, row: ManifestRow) -> None:
        """Fills in the manifest row of this file version."""
        if self.scan.has_bom:
            self.warnings["bom"] = FILE_WARNINGS["bom"]
        if not self.scan.is_utf8:
            self.warnings["windows_1252"] = FILE_WARNINGS["windows_1252"]
        with open_text(self.archived, self.scan) as handle:
            delimiter = choose_delimiter(handle.readline())
            handle.seek(0)
            if delimiter == ",":
                self.warnings["comma_delimiter"] = FILE_WARNINGS["comma_delimiter"]
            records = read_records(handle, delimiter)
            try:
                header = next(records, None)
                if header is None:
                    raise FileRejected(f"{self.landing_file.path}: the file is empty; expected a header line "
                                       f"{';'.join(self.file_kind.column_names)}", None)
                positions = self.match_header(header)
            except FileRejected as rejection:
                row.status, row.message = STATUS_REJECTED, rejection.message
                self.reject_all(records, rejection)
            else:
                self.read_chunks(records, positions, width=len(header.fields))
        if self.state.bsn_padded:
            self.warnings["bsn_padded"] = f"{FILE_WARNINGS['bsn_padded']} ({self.state.bsn_padded} rows)"
        row.encoding = "utf-8" if self.scan.is_utf8 else "windows-1252"
        row.delimiter = delimiter
        row.rows_read = self.state.rows_read
        row.rows_accepted = self.state.rows_accepted
        row.rows_quarantined = len(self.state.failures)
        row.bsn_padded_rows = self.state.bsn_padded
        row.extra_columns = ";".join(self.extra_columns) or None
        row.warning_codes = "|".join(self.warnings) or None
        row.warnings = "; ".join(f"{code}: {text}" for code, text in self.warnings.items()) or None

    def match_header(self, header: Record) -> dict[str, int]:
        """Position of every contract column in a record; header names are case-insensitive."""
        names = [name.strip().lower() for name in header.fields]
        positions: dict[str, int] = {}
        for position, name in enumerate(names):
            if name in self.file_kind.column_names and name not in positions:
                positions[name] = position
            else:
                self.extra_columns.append(name or f"(unnamed column {position + 1})")
        missing = [name for name in self.file_kind.required_columns if name not in positions]
        if missing:
            raise FileRejected(
                f"{self.landing_file.path}: required column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} missing; expected columns {';'.join(self.file_kind.column_names)}, "
                f"found {';'.join(names)}", missing[0])
        if self.extra_columns:
            self.warnings["extra_columns"] = f"{FILE_WARNINGS['extra_columns']}: {', '.join(self.extra_columns)}"
        return positions

    def reject_all(self, records: Iterator[Record], rejection: FileRejected) -> None:
        """Nothing of a rejected file goes in: every line goes to the quarantine with the file's reason."""
        rejected = []
        for record in records:
            failure = Failure(record.line_number, FILE_REJECTION, rejection.column, None, rejection.message)
            rejected.append((record, failure))
        self.state.rows_read = len(rejected)
        self.state.failures = [failure for _, failure in rejected]
        self.run.write_raw_quarantine(self, rejected)

    def read_chunks(self, records: Iterator[Record], positions: dict[str, int], width: int) -> None:
        rejected: list[tuple[Record, Failure]] = []
        with self.run.parquet_sink(self) as sink:
            chunk: list[Record] = []
            for record in records:
                chunk.append(record)
                if len(chunk) == CHUNK_ROWS:
                    rejected += self.take_chunk(chunk, positions, width, sink)
                    chunk = []
            if chunk or self.state.rows_read == 0:
                rejected += self.take_chunk(chunk, positions, width, sink)
        self.run.write_raw_quarantine(self, rejected)

    def take_chunk(self, chunk: list[Record], positions: dict[str, int], width: int,
                   sink: ParquetSink) -> list[tuple[Record, Failure]]:
        state = self.state
        state.rows_read += len(chunk)
        if state.rows_read > CHUNK_ROWS:
            self.run.progress(f"    {self.landing_file.path}: {state.rows_read:,} rows read")
        failures: dict[int, Failure] = {}
        for line, first_line in self.duplicate_lines(chunk).items():
            failures[line] = self.failure(line, "duplicate_row", None, None, {"first_line": first_line})
        for record in chunk:
            surplus = record.fields[width:]
            if record.line_number not in failures and (
                    len(record.fields) < width or any(value.strip() for value in surplus)):
                failures[record.line_number] = self.failure(
                    record.line_number, "field_count", None, None,
                    {"found": len(record.fields), "expected": width})
        texts = self.texts([record for record in chunk if record.line_number not in failures], positions)
        typed, chunk_failures = self.validate(texts)
        failures.update(chunk_failures)
        accepted = typed[~typed.index.isin(list(failures))]
        state.rows_accepted += len(accepted)
        sink.write(accepted)
        by_line = {record.line_number: record for record in chunk}
        rejected = [(by_line[line], failures[line]) for line in sorted(failures)]
        state.failures += [failure for _, failure in rejected]
        return rejected

    def duplicate_lines(self, chunk: list[Record]) -> dict[int, int]:
        """Line -> first line, for every record whose text repeats an earlier record of the file."""
        state = self.state
        lines = np.array([record.line_number for record in chunk], dtype=np.int64)
        hashes = pd.util.hash_array(np.array([record.raw for record in chunk], dtype=object))
        first = pd.Series(lines).groupby(hashes).transform("min").to_numpy() if len(chunk) else lines
        if len(state.line_hashes):
            position = np.searchsorted(state.line_hashes, hashes).clip(max=len(state.line_hashes) - 1)
            seen = state.line_hashes[position] == hashes
            first = np.where(seen, state.hash_lines[position], first)
        is_first = first == lines
        merged_hashes = np.concatenate([state.line_hashes, hashes[is_first]])
        merged_lines = np.concatenate([state.hash_lines, lines[is_first]])
        order = np.argsort(merged_hashes, kind="stable")
        state.line_hashes, state.hash_lines = merged_hashes[order], merged_lines[order]
        return dict(zip(lines[~is_first].tolist(), first[~is_first].tolist()))

    def texts(self, records: list[Record], positions: dict[str, int]) -> pd.DataFrame:
        """Trimmed text per contract column, null when empty or the column is absent; index = line."""
        index = pd.Index([record.line_number for record in records], dtype="int64")
        columns = {}
        for column in self.file_kind.columns:
            position = positions.get(column.name)
            values = pd.Series(
                [record.fields[position] for record in records] if position is not None else None,
                index=index, dtype="str")
            values = values.str.strip()
            columns[column.name] = values.where(values != "")
        return pd.DataFrame(columns, index=index)

    def validate(self, texts: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, Failure]]:
        """Typed values of a chunk and the first failure (ROW_CHECKS order) of every failing line."""
        typed = pd.DataFrame(index=texts.index)
        frame = pd.DataFrame(index=texts.index)  # what GX sees: typed values, bsn masked
        found: list[tuple[int, str, dict]] = []  # (line, check, details with at least "column")
        for column in self.file_kind.columns:
            text = texts[column.name]
            if column.type == "bsn":
                bsn = check_bsn(text)
                typed[column.name] = bsn.bsn9
                frame[column.name] = text.where(text.isna(), BSN_MASK)
                self.state.bsn_padded += bsn.padded
                found += [(line, check, {"column": column.name}) for line, check in bsn.failure.dropna().items()]
                continue
            typed[column.name] = PARSERS[column.type](text)
            frame[column.name] = typed[column.name]
            if column.type in PARSED_TYPES:
                frame[text_column(column.name)] = text
        if len(texts):
            parameters = {reference_parameter(column): sorted(reference.ids)
                          for column, reference in self.references.items()}
            # GX keys its Data Docs pages by run name, which may not contain "/".
            run_name = f"{self.landing_file.path.replace('/', ' ')} lines {texts.index.min()}-{texts.index.max()}"
            for unexpected in self.run.suites.validate(self.file_kind, frame, run_name, parameters):
                found += [(line, unexpected.check, unexpected.meta) for line in unexpected.lines]
        found.sort(key=lambda item: (item[0], CHECK_RANK[item[1]], self.column_order[item[2]["column"]]))
        found = self.resolve_unique(found, typed)
        failures: dict[int, Failure] = {}
        for line, check, details in found:
            if line not in failures:
                failures[line] = self.describe(line, check, details, texts)
        return typed, failures

    def resolve_unique(self, found: list[tuple[int, str, dict]], typed: pd.DataFrame) -> list[tuple[int, str, dict]]:
        """GX flags every line whose key occurs more than once in the chunk. Among the lines that pass
        every check before id_not_unique, the first keeps the key (also across the chunks of a file);
        the later ones are id_not_unique."""
        if not self.file_kind.unique:
            return found
        rank = CHECK_RANK["id_not_unique"]
        failing_earlier = {line for line, check, _ in found if CHECK_RANK[check] < rank}
        flagged = {line for line, check, _ in found if check == "id_not_unique"}
        resolved = [item for item in found if item[1] != "id_not_unique"]
        keys = typed[self.file_kind.unique[0]]
        for name in self.file_kind.unique[1:]:
            keys = keys + "|" + typed[name]
        first_in_chunk: dict[str, int] = {}
        for line, key in keys.items():
            if line in failing_earlier:
                continue
            first_line = self.state.claimed_keys.get(key)
            if first_line is None and line in flagged:
                first_line = first_in_chunk.get(key)
            if first_line is None:
                first_in_chunk.setdefault(key, line)
            else:
                resolved.append((line, "id_not_unique", {
                    "column": self.file_kind.unique[0], "key": key, "first_line": first_line,
                    "key_columns": self.file_kind.unique}))
        self.state.claimed_keys.update(first_in_chunk)
        resolved.sort(key=lambda item: (item[0], CHECK_RANK[item[1]], self.column_order[item[2]["column"]]))
        return resolved

    def describe(self, line: int, check: str, details: dict, texts: pd.DataFrame) -> Failure:
        column = self.file_kind.column(details["column"])
        value = details["key"] if check == "id_not_unique" else texts.at[line, column.name]
        value = None if pd.isna(value) else value
        if check == "date_order":
            details = details | {"start_value": texts.at[line, details["start_column"]]}
        if check == "reference_missing":
            reference = self.references[column.name]
            details = details | {"source_file": reference.source_file, "other_kind": reference.other_kind}
        return self.failure(line, check, column, value, details)

    def failure(self, line: int, check: str, column: Column | None, value: str | None, details: dict) -> Failure:
        reason = f"{self.landing_file.path} line {line}: {describe_failure(check, column, value, details)}"
        shown = BSN_MASK if column is not None and column.type == "bsn" and value is not None else value
        return Failure(line, check, column.name if column else None, shown, reason)


# --- writing -----------------------------------------------------------------------------------


def arrow_schema(file_kind: FileKind) -> pa.Schema:
    return pa.schema([(name, ARROW_TYPES[type_]) for name, type_ in intake_schema(file_kind)])


def _arrow_column(values: pd.Series, type_: pa.DataType) -> pa.Array:
    if type_ == pa.date32():
        return pa.array(values, type=pa.timestamp("us"), from_pandas=True).cast(pa.date32())
    if type_ == pa.int32():
        return pa.array(values, type=pa.float64(), from_pandas=True).cast(pa.int32())
    return pa.array(values, type=type_, from_pandas=True)


class ParquetSink:
    """Accepted rows of one file version, written chunk by chunk to
    intake/<kind>/<supplier>/<yyyy-mm>/data.parquet (replaced atomically when complete)."""

    def __init__(self, run: IntakeRun, file_intake: FileIntake) -> None:
        landing_file = file_intake.landing_file
        self.run = run
        self.file_kind = file_intake.file_kind
        self.schema = arrow_schema(self.file_kind)
        self.metadata = {
            "_supplier": landing_file.supplier,
            "_delivery_month": landing_file.delivery_month,
            "_file_sha256": file_intake.scan.sha256,
            "_intake_at": run.intake_at,
        }
        self.target = (run.intake_dir / self.file_kind.kind / landing_file.supplier
                       / landing_file.delivery_month / "data.parquet")
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.partial = self.target.with_name("data.parquet.partial")
        self.writer = pq.ParquetWriter(self.partial, self.schema)

    def write(self, accepted: pd.DataFrame) -> None:
        arrays = []
        for column in self.file_kind.columns:
            values = accepted[column.name]
            if column.type == "bsn":
                values = self.run.pseudonymise(values)
            arrays.append(_arrow_column(values, self.schema.field(intake_column_name(column)).type))
        rows = len(accepted)
        for name, _type, _description in METADATA_COLUMNS:
            if name == "_line_number":
                arrays.append(pa.array(accepted.index.to_numpy(), type=pa.int32()))
            else:
                arrays.append(pa.array([self.metadata[name]] * rows, type=self.schema.field(name).type))
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def __enter__(self) -> ParquetSink:
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        self.writer.close()
        if error_type is None:
            self.partial.replace(self.target)
        else:
            self.partial.unlink(missing_ok=True)


# --- the run -----------------------------------------------------------------------------------


@dataclass
class IntakeResult:
    exit_code: int
    files: list[ManifestRow]  # the file versions taken in (or rejected) by this run
    skipped: int  # files already taken in before
    seconds: float
    data_docs: Path | None


class IntakeRun:
    def __init__(self, landing: Path, data_dir: Path) -> None:
        self.landing = landing
        self.data_dir = data_dir
        self.intake_dir = data_dir / "intake"
        self.meta_dir = self.intake_dir / "_meta"
        self.archive_dir = data_dir / "archive"
        self.quarantine_dir = data_dir / "quarantine"
        self.intake_at = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        for restricted in (self.archive_dir, self.quarantine_dir):
            _restricted_dir(restricted).chmod(0o700)
        self.manifest = read_manifest(self.meta_dir / "manifest.parquet")
        self.new_quarantine: list[pa.Table] = []
        self._key: bytes | None = None
        self._suites = None
        self._reference_ids: dict[tuple[str, str], frozenset[str]] = {}

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = pseudonym_key(self.data_dir)
        return self._key

    @property
    def suites(self):
        if self._suites is None:
            from llo.expectations import SuiteRunner  # importing GX takes seconds: only when needed

            self._suites = SuiteRunner(docs_dir=self.data_dir / "gx")
        return self._suites

    def progress(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def pseudonymise(self, bsn9: pd.Series) -> pd.Series:
        given = bsn9.dropna().unique()
        pseudonyms = {bsn: pseudonym(bsn, self.key) for bsn in given}
        return bsn9.map(pseudonyms)

    def parquet_sink(self, file_intake: FileIntake) -> ParquetSink:
        return ParquetSink(self, file_intake)

    def reference(self, landing_file: LandingFile, other_kind: str, other_column: str) -> Reference:
        """Ids in the latest taken-in delivery of `other_kind` by the same supplier, up to this month."""
        candidates = [
            row for row in self.manifest
            if row.file_kind == other_kind and row.supplier_code == landing_file.supplier
            and row.status == STATUS_ACCEPTED and row.delivery_month <= landing_file.delivery_month
        ]
        if not candidates:
            return Reference(frozenset(), other_kind, None)
        latest = max(candidates, key=lambda row: (row.delivery_month, row.intake_at))
        cache_key = (latest.archive_path, other_column)
        if cache_key not in self._reference_ids:
            self._reference_ids[cache_key] = frozenset(read_column(self.data_dir / latest.archive_path, other_column))
        return Reference(self._reference_ids[cache_key], other_kind, latest.file_path)

    def write_raw_quarantine(self, file_intake: FileIntake, rejected: list[tuple[Record, Failure]]) -> None:
        """Rejected lines with their raw text (restricted: they hold bsn) and, for _meta, without."""
        if not rejected:
            return
        relative = file_intake.archived.relative_to(self.archive_dir)
        target = _restricted_dir((self.quarantine_dir / relative).parent) / f"{relative.stem}.rejected.csv"
        with open(target, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["line_number", "check_code", "column_name", "reason", "raw_line"])
            for record, failure in rejected:
                writer.writerow([failure.line, failure.check, failure.column or "", failure.reason, record.raw])
        landing_file = file_intake.landing_file
        count = len(rejected)
        self.new_quarantine.append(pa.Table.from_pydict({
            "file_path": [landing_file.path] * count,
            "file_sha256": [file_intake.scan.sha256] * count,
            "file_kind": [file_intake.file_kind.kind] * count,
            "source_name": [file_intake.file_kind.source] * count,
            "supplier_code": [landing_file.supplier] * count,
            "delivery_month": [landing_file.delivery_month] * count,
            "line_number": [failure.line for _, failure in rejected],
            "check_code": [failure.check for _, failure in rejected],
            "column_name": [failure.column for _, failure in rejected],
            "delivered_value": [failure.value for _, failure in rejected],
            "reason": [failure.reason for _, failure in rejected],
            "intake_at": [self.intake_at] * count,
        }, schema=QUARANTINE_SCHEMA))

    def take_in(self, landing_file: LandingFile, scan: Scan) -> ManifestRow:
        archived = archive_file(self.landing / landing_file.path, landing_file.path, scan.sha256, self.archive_dir)
        file_kind = landing_file.file_kind
        row = ManifestRow(
            file_path=landing_file.path, file_sha256=scan.sha256,
            file_kind=file_kind.kind if file_kind else None, source_name=file_kind.source if file_kind else None,
            supplier_code=landing_file.supplier, delivery_month=landing_file.delivery_month,
            status=STATUS_ACCEPTED, size_bytes=scan.size,
            duplicate_of=next((earlier.file_path for earlier in self.manifest
                               if earlier.file_sha256 == scan.sha256 and earlier.file_path != landing_file.path), None),
            archive_path=archived.relative_to(self.data_dir).as_posix(), intake_at=self.intake_at,
        )
        if file_kind is None:
            row.status, row.message = STATUS_REJECTED, f"{landing_file.path}: {landing_file.problem}"
        else:
            FileIntake(self, landing_file, archived, scan).take_in(row)
        if row.status == STATUS_ACCEPTED:  # a rejected new version leaves the earlier one standing
            for earlier in self.manifest:
                if earlier.file_path == landing_file.path and earlier.status != STATUS_REPLACED:
                    earlier.status = STATUS_REPLACED
        self.manifest.append(row)
        return row

    def write_meta(self) -> None:
        self.meta_dir.mkdir(parents=True, exist_ok=True)
        manifest = pa.Table.from_pylist([asdict(row) for row in self.manifest], schema=MANIFEST_SCHEMA)
        _write_parquet_atomically(manifest, self.meta_dir / "manifest.parquet")
        quarantine_path = self.meta_dir / "quarantine.parquet"
        tables = [pq.read_table(quarantine_path, schema=QUARANTINE_SCHEMA)] if quarantine_path.exists() else []
        quarantine = pa.concat_tables(tables + self.new_quarantine) if tables or self.new_quarantine \
            else QUARANTINE_SCHEMA.empty_table()
        _write_parquet_atomically(quarantine, quarantine_path)

    def write_schemas(self) -> None:
        """A zero-row _schema.parquet for every kind: a kind never delivered reads as empty in dbt."""
        for file_kind in FILE_KINDS:
            target = self.intake_dir / file_kind.kind / "_schema.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_parquet_atomically(arrow_schema(file_kind).empty_table(), target)


def read_manifest(path: Path) -> list[ManifestRow]:
    if not path.exists():
        return []
    return [ManifestRow(**row) for row in pq.read_table(path, schema=MANIFEST_SCHEMA).to_pylist()]


def read_column(archived: Path, column: str) -> set[str]:
    """The non-empty trimmed values of one column of an archived delivery file."""
    scan = scan_bytes(archived)
    with open_text(archived, scan) as handle:
        delimiter = choose_delimiter(handle.readline())
        handle.seek(0)
        records = read_records(handle, delimiter)
        header = next(records)
        names = [name.strip().lower() for name in header.fields]
        position = names.index(column)
        return {record.fields[position].strip() for record in records
                if len(record.fields) > position and record.fields[position].strip()}


def _write_parquet_atomically(table: pa.Table, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    pq.write_table(table, partial)
    partial.replace(target)


def summary_table(rows: list[ManifestRow]) -> str:
    header = ("file", "status", "read", "accepted", "quarantined", "warnings")
    lines = [(row.file_path, row.status, f"{row.rows_read:,}", f"{row.rows_accepted:,}",
              f"{row.rows_quarantined:,}", (row.warning_codes or "").replace("|", ", ")) for row in rows]
    widths = [max(len(str(item[index])) for item in [header, *lines]) for index in range(len(header))]
    numeric = {2, 3, 4}

    def render(item: tuple) -> str:
        return "  ".join(str(value).rjust(widths[index]) if index in numeric else str(value).ljust(widths[index])
                         for index, value in enumerate(item)).rstrip()

    return "\n".join([render(header), render(tuple("-" * width for width in widths)), *map(render, lines)])


def run_intake(landing: Path, data_dir: Path) -> IntakeResult:
    """Takes in every file of the landing folder not taken in before. Exit code 0 when something
    usable was taken in or nothing new was there; 1 when nothing usable remains; 2 when the
    landing folder does not exist."""
    started = time.perf_counter()
    landing, data_dir = Path(landing).resolve(), Path(data_dir).resolve()
    if not landing.is_dir():
        print(f"llo intake: landing folder {landing} does not exist (set LLO_LANDING_DIR or pass --landing)",
              file=sys.stderr)
        return IntakeResult(2, [], 0, time.perf_counter() - started, None)
    run = IntakeRun(landing, data_dir)
    taken_in = {(row.file_path, row.file_sha256) for row in run.manifest}
    landing_files = find_landing_files(landing)
    done, skipped = [], 0
    for number, landing_file in enumerate(landing_files, start=1):
        scan = scan_bytes(landing / landing_file.path)
        if (landing_file.path, scan.sha256) in taken_in:
            skipped += 1
            continue
        run.progress(f"[{number}/{len(landing_files)}] {landing_file.path}")
        done.append(run.take_in(landing_file, scan))
    run.write_schemas()
    if done or not (run.meta_dir / "manifest.parquet").exists():
        run.write_meta()
    data_docs = None
    if run._suites is not None and run.suites.validated_chunks:
        data_docs = run.suites.write_data_docs()
    seconds = time.perf_counter() - started
    if done:
        print(summary_table(done))
    print(f"llo intake: {len(done)} file(s) taken in, {skipped} already taken in before, "
          f"{sum(row.rows_accepted for row in done):,} rows accepted, "
          f"{sum(row.rows_quarantined for row in done):,} quarantined, in {seconds:.1f} s")
    if data_docs:
        print(f"Great Expectations Data Docs: {data_docs}")
    usable = any(row.rows_accepted for row in done) if done else any(row.rows_accepted for row in run.manifest)
    if not usable:
        print("llo intake: nothing usable: " + ("no row of the new deliveries was accepted" if done
              else f"no delivery files under {landing}"), file=sys.stderr)
    return IntakeResult(0 if usable else 1, done, skipped, seconds, data_docs)
