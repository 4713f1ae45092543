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

CHUNK_ROWS = 100_000
BSN_MASK = "<bsn>"
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
    """`12,5` or `12.5` (no thousands separators); whole numbers for int columns."""
    pattern = r"[+-]?[0-9]+" if whole else r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)"
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


