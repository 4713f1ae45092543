"""Intake: every delivery validated against the contract, nothing lost, no bsn past the door.

For every file in the landing area not taken in before (same path and sha256 in
the manifest), following delivery-contract sections 2 and 5:

1. archive the bytes as delivered, with their sha256;
2. detect the encoding (UTF-8 with or without BOM, else Windows-1252) and the
   delimiter (`;`, or `,` with a warning), and match the header to the contract
   (a missing required column rejects the whole file);
3. read the records in chunks of CHUNK_ROWS; per chunk: find exact duplicate
   lines and lines with the wrong number of fields, parse every value by its
   contract type and check the bsn (llo.intake_parse), validate the parsed rows
   with the kind's Great Expectations suite (llo.expectations), and give every
   failing line one quarantine reason: its first failing check in
   llo.contract.ROW_CHECKS order;
4. replace bsn by its keyed pseudonym and write the accepted rows as typed
   Parquet (docs/design.md); write the rejected lines with their raw text to the
   restricted quarantine folder, and without it (bsn masked) to _meta.

rows read = rows accepted + rows quarantined, for every file.

A Great Expectations run has a fixed cost of about a fifth of a second, so the
files of one kind and delivery month (e.g. the 14 municipalities' trajecten) are
validated together, CHUNK_ROWS rows per run; and those groups are spread over
WORKERS processes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import multiprocessing
import os
import re
import secrets
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from llo.contract import (
    FILE_KINDS, FILE_REJECTION, FILE_WARNINGS, KINDS, METADATA_COLUMNS, ROW_CHECKS, Column, FileKind,
    intake_column_name, intake_schema,
)
from llo.expectations import BSN_MASK, INDEX_NAMES, PARSED_TYPES, SUPPLIER, reference_parameter, text_column
from llo.intake_parse import (
    PARSERS, Batch, RecordReader, Scan, check_bsn, choose_delimiter, elfproef, looks_like_bsn, open_text, scan_bytes,
    trimmed_or_null,
)

__all__ = ["elfproef", "pseudonym", "pseudonym_key", "run_intake", "IntakeResult", "ManifestRow"]

CHUNK_ROWS = 200_000
# Worker processes; 2 uses both cores of the reference machine. LLO_INTAKE_WORKERS overrides (1 = no subprocess).
WORKERS = int(os.environ.get("LLO_INTAKE_WORKERS", "2"))
CHECK_RANK = {check: rank for rank, check in enumerate(ROW_CHECKS)}

STATUS_ACCEPTED = "ACCEPTED"  # taken in; some rows may be quarantined
STATUS_REJECTED = "REJECTED"  # nothing taken in: not a contract file, no header, or a required column missing
STATUS_REPLACED = "REPLACED"  # an earlier version of a path whose bytes changed since

ARROW_TYPES = {
    "varchar": pa.string(), "date": pa.date32(), "integer": pa.int32(), "double": pa.float64(),
    "boolean": pa.bool_(), "timestamp": pa.timestamp("us"),
}


# --- the two rules other code and tests call directly ------------------------------------------


class KeyedHash:
    """HMAC-SHA-256 (RFC 2104) with the key's inner and outer hash states prepared once: hashing a bsn is
    then two state copies instead of a new HMAC object, three times faster for millions of bsns."""

    def __init__(self, key: bytes) -> None:
        block = key if len(key) <= 64 else hashlib.sha256(key).digest()
        block = block.ljust(64, b"\0")  # SHA-256 works on 64-byte blocks
        self.inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in block))
        self.outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in block))

    def hexdigest(self, message: bytes) -> str:
        inner = self.inner.copy()
        inner.update(message)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def pseudonym(bsn9: str, key: bytes) -> str:
    """interfaces.md: lowercase hex of HMAC-SHA-256 with the key, message the 9-digit bsn in ASCII."""
    return KeyedHash(key).hexdigest(bsn9.encode("ascii"))


def pseudonym_key(data_dir: Path) -> bytes:
    """LLO_PSEUDONYM_KEY, or else a random key kept in $LLO_DATA_DIR/secrets (created once, mode 0600)."""
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


def _group_starts(ordered: np.ndarray) -> np.ndarray:
    """In a sorted array, True where a run of equal values starts."""
    return np.concatenate(([True], ordered[1:] != ordered[:-1])) if len(ordered) else np.zeros(0, dtype=bool)


def _contained(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """Whether each value occurs in a sorted array."""
    if not len(sorted_values):
        return np.zeros(len(values), dtype=bool)
    position = np.searchsorted(sorted_values, values).clip(max=len(sorted_values) - 1)
    return sorted_values[position] == values


class Pseudonymiser:
    """pseudonym() for many bsns. The same person appears in many files and deliveries, so each bsn is
    hashed once per process and its pseudonym kept in sorted numpy arrays (bsn as a number -> 64 hex
    characters; about 72 bytes per person)."""

    def __init__(self, key: bytes) -> None:
        self.keyed_hash = KeyedHash(key)
        self.bsns = np.zeros(0, dtype=np.int64)  # sorted
        self.pseudonyms = np.zeros(0, dtype="S64")

    def __call__(self, bsn9: pa.Array) -> pa.Array:
        numbers = pc.cast(bsn9, pa.int64())
        given = numbers.is_valid().to_numpy(zero_copy_only=False)
        wanted = numbers.to_numpy(zero_copy_only=False)[given].astype(np.int64)
        distinct = np.sort(wanted)
        distinct = distinct[_group_starts(distinct)]
        self._add(distinct[~_contained(distinct, self.bsns)])
        found = self.pseudonyms[np.searchsorted(self.bsns, wanted)]
        digests = pa.FixedSizeBinaryArray.from_buffers(pa.binary(64), len(found), [None, pa.py_buffer(found.tobytes())])
        result = np.full(len(bsn9), -1, dtype=np.int64)
        result[given] = np.arange(len(found))
        return pc.take(pc.cast(pc.cast(digests, pa.binary()), pa.string()),
                       pa.array(result, mask=~given))

    def _add(self, new_bsns: np.ndarray) -> None:
        if not len(new_bsns):
            return
        hexes = [self.keyed_hash.hexdigest(b"%09d" % bsn) for bsn in new_bsns.tolist()]
        position = np.searchsorted(self.bsns, new_bsns)  # new_bsns is sorted
        self.bsns = np.insert(self.bsns, position, new_bsns)
        self.pseudonyms = np.insert(self.pseudonyms, position, np.array(hexes, dtype="S64"))


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
_LAYOUT = ("expected <source>/<yyyy-mm>/<file>.csv or gemeente/<GMxxxx>/<yyyy-mm>/<file>.csv "
           "(delivery contract section 1)")


def locate(relative: PurePosixPath) -> LandingFile:
    """The file kind, supplier and delivery month of a path in the landing area."""
    parts, path = relative.parts, relative.as_posix()
    per_municipality = parts[0] == "gemeente"
    if len(parts) != (4 if per_municipality else 3):
        return LandingFile(path, None, None, None, f"not a delivery path: {_LAYOUT}")
    month, name = parts[-2], parts[-1].lower()
    supplier = parts[1].upper() if per_municipality else parts[0]
    file_kind = KINDS.get(f"{parts[0]}__{name.removesuffix('.csv')}") if name.endswith(".csv") else None
    if file_kind is None:
        known = ", ".join(f"{kind.source}/{kind.file}.csv" for kind in FILE_KINDS)
        return LandingFile(path, None, None, None, f"not a file of the delivery contract; expected one of {known}")
    if not _MONTH.fullmatch(month):
        return LandingFile(path, None, None, None, f"delivery month folder '{month}' is not yyyy-mm")
    if per_municipality and not _MUNICIPALITY.fullmatch(supplier):
        return LandingFile(path, None, None, None, f"municipality folder '{parts[1]}' is not GMxxxx")
    return LandingFile(path, file_kind, supplier, month)


def find_landing_files(landing: Path) -> list[LandingFile]:
    """Every file under the landing folder (hidden ones skipped) in processing order: by delivery month,
    then contract order (so events.csv is taken in before event_deelnames.csv), then supplier."""
    found = [
        locate(PurePosixPath(path.relative_to(landing).as_posix()))
        for path in landing.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(landing).parts)
    ]
    order = {file_kind.kind: index for index, file_kind in enumerate(FILE_KINDS)}
    return sorted(found, key=lambda item: (
        item.delivery_month or "", order[item.file_kind.kind] if item.file_kind else -1,
        item.supplier or "", item.path))


# --- archive ---------------------------------------------------------------------------------------


def _restricted_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _archived_sha(target: Path) -> str | None:
    sha_file = target.with_name(target.name + ".sha256")
    return sha_file.read_text(encoding="ascii").split()[0] if sha_file.exists() else None


def archive_file(source: Path, relative: str, sha256: str, archive_dir: Path) -> Path:
    """Copy the delivered bytes to the archive, next to a `.sha256` file. An archived earlier version of
    the same path is never overwritten: a changed file is kept beside it as <name>.<sha12>.csv."""
    target = archive_dir / relative
    if target.exists() and _archived_sha(target) != sha256:
        target = target.with_name(f"{target.stem}.{sha256[:12]}{target.suffix}")
    _restricted_dir(target.parent)
    if not target.exists() or _archived_sha(target) != sha256:
        partial = target.with_name(target.name + ".partial")
        digest = hashlib.sha256()
        with open(source, "rb") as delivered, open(partial, "wb") as copy:
            while block := delivered.read(1 << 20):
                digest.update(block)
                copy.write(block)
        if digest.hexdigest() != sha256:
            partial.unlink()
            raise RuntimeError(f"{relative} changed while it was being archived; run intake again")
        partial.replace(target)
        target.with_name(target.name + ".sha256").write_text(f"{sha256}  {target.name}\n", encoding="ascii")
    return target


# --- one delivery file -------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """The one quarantine reason of a rejected line."""

    line: int
    check: str
    column: str | None
    value: str | None  # as delivered; bsn values masked
    reason: str


@dataclass(frozen=True)
class Reference:
    """The ids a reference column may take: those in the latest delivery of the other file."""

    ids: frozenset[str]
    other_kind: str
    source_file: str | None  # landing path of that delivery; None when there is none


class FirstSeen:
    """For a stream of 64-bit hashes (of lines, of keys): the line each was first seen on. Memory: 16 bytes
    per distinct hash, whatever the size of what was hashed."""

    def __init__(self) -> None:
        self.hashes = np.zeros(0, dtype=np.uint64)  # sorted
        self.lines = np.zeros(0, dtype=np.int64)

    def first_lines(self, hashes: np.ndarray, lines: np.ndarray,
                    repeats_in_chunk: np.ndarray | None = None) -> np.ndarray:
        """First line of every hash, counting earlier chunks and this one (lines ascending). When
        `repeats_in_chunk` is given, only those rows are looked for among earlier rows of this chunk."""
        order = np.argsort(hashes, kind="stable")  # equal hashes stay in line order
        starts = _group_starts(hashes[order])
        first = np.empty_like(lines)
        first[order] = lines[order][starts][np.cumsum(starts) - 1]
        if repeats_in_chunk is not None:
            first = np.where(repeats_in_chunk, first, lines)
        if len(self.hashes):
            position = np.searchsorted(self.hashes, hashes).clip(max=len(self.hashes) - 1)
            seen = self.hashes[position] == hashes
            first = np.where(seen, self.lines[position], first)
        new = first == lines
        position = np.searchsorted(self.hashes, hashes[new])
        order = np.argsort(position, kind="stable")
        self.hashes = np.insert(self.hashes, position[order], hashes[new][order])
        self.lines = np.insert(self.lines, position[order], lines[new][order])
        return first


def _hash_texts(values: list[str]) -> np.ndarray:
    """64-bit hashes of texts. Python's own string hash: fast, and stable within the process, which is
    all the state of one file needs."""
    return np.fromiter(map(hash, values), dtype=np.int64, count=len(values)).view(np.uint64)


class FileRejected(Exception):
    def __init__(self, message: str, column: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


def _shown(value: str | None, column: Column | None) -> str | None:
    """A delivered value as the bsn-free quarantine may show it: the value of a bsn column is masked, and
    so is any value that is a valid bsn (a bsn typed into another column)."""
    if value is None:
        return None
    if (column is not None and column.type == "bsn") or looks_like_bsn(value):
        return BSN_MASK
    return value


def _header_name_shown(name: str) -> str:
    """A header name as the manifest may show it. A file without a header line has data as its first
    line, perhaps a bsn: anything that does not look like a column name is shown as <value>."""
    return name if not name or re.fullmatch(r"[a-z_][a-z0-9_ ]*", name) else "<value>"


def _quoted(value: object) -> str:
    return f"'{value}'"


def describe_failure(check: str, column: Column | None, value: str | None, details: dict) -> str:
    """What went wrong and what was expected, for the supplier: the text after '<file> line <n>: '.
    It never holds a bsn."""
    name = column.name if column else ""
    if check == "duplicate_row":
        return f"exact duplicate of line {details['first_line']}"
    if check == "field_count":
        return f"{details['found']} fields where the header has {details['expected']}"
    if check == "required_missing":
        return f"{name} is empty; it is required"
    if check == "bsn_format":
        return f"{name} is not a number of 1-9 digits"
    if check == "bsn_elfproef":
        return f"{name} fails elfproef"
    if check == "date_invalid" and column.type == "quarter":
        return f"{name} {_quoted(value)} is not a quarter (expected e.g. 2025-Q3 or 2025K3)"
    if check == "date_invalid":
        return f"{name} {_quoted(value)} is not a date (expected dd-mm-jjjj or jjjj-mm-dd, year 1900-2100)"
    if check == "number_invalid" and column.type == "int":
        return f"{name} {_quoted(value)} is not a whole number (at most 9 digits)"
    if check == "number_invalid":
        return f"{name} {_quoted(value)} is not a number (expected e.g. 12,5 or 12.5, no thousands separator)"
    if check == "bool_invalid":
        return f"{name} {_quoted(value)} is not a yes/no value (expected J/N, Ja/Nee, 1/0 or true/false)"
    if check == "code_unknown" and column.type == "gemeente":
        return f"{name} {_quoted(value)} is not a municipality code (expected GMxxxx, xxxx or a number)"
    if check == "code_unknown":
        expected = ", ".join(code.upper() for code in column.allowed_codes())
        return f"{name} {_quoted(value)} unknown; expected one of {expected}"
    if check == "out_of_range" and column.range_by is not None:
        low, high = column.range_by.ranges()[details["range_key"]]
        key = f"{column.range_by.key_column} {details['range_key']}"
        return f"{name} {value} is outside the scale {low:g}-{high:g} of {key}"
    if check == "out_of_range":
        low = "" if column.min_value is None else f"{'>' if column.min_exclusive else '>='} {column.min_value:g}"
        high = "" if column.max_value is None else f"<= {column.max_value:g}"
        return f"{name} {value} is out of range (expected {' and '.join(part for part in (low, high) if part)})"
    if check == "date_order":
        return f"{details['start_column']} {details['start_value']} is after {name} {value}"
    if check == "id_not_unique":
        return f"{'/'.join(details['key_columns'])} {_quoted(value)} already used on line {details['first_line']}"
    if check == "reference_missing":
        where = details["source_file"] or f"any delivery of {details['other_kind']} up to this month"
        return f"{name} {_quoted(value)} does not exist in {where}"
    raise ValueError(f"no reason text for check {check}")


@dataclass
class ParsedChunk:
    """The candidate lines of a chunk (not a duplicate, the right number of fields), parsed."""

    lines: np.ndarray
    texts: dict[str, pa.Array]  # trimmed text per contract column, null when empty
    typed: dict[str, pa.Array]  # typed value per contract column (bsn: the padded bsn), null when invalid
    bsn_failures: dict[str, np.ndarray]  # per bsn column: the failing check per row, "" when it passes


@dataclass
class PendingChunk:
    """A chunk of a file, read and parsed, waiting for its Great Expectations run."""

    supplier: str
    batch: Batch
    parsed: ParsedChunk
    failures: dict[int, Failure]  # found while reading: duplicate_row and field_count


class FileIntake:
    """Takes in one version of one delivery file: start (header), chunks (read and parse), finish_chunk
    (after validation: quarantine and write), finish (the manifest row)."""

    def __init__(self, worker: Worker, item: GroupItem, references: dict[str, Reference]) -> None:
        self.worker = worker
        self.landing_file = item.landing_file
        self.file_kind: FileKind = item.landing_file.file_kind
        self.archived = worker.data_dir / item.row.archive_path
        self.scan = item.scan
        self.references = references
        self.warnings: dict[str, str] = {}
        self.extra_columns: list[str] = []
        self.rows_read = self.rows_accepted = self.rows_quarantined = self.bsn_padded = 0
        self.seen_lines = FirstSeen()
        self.claimed_keys = FirstSeen()
        self.column_order = {column.name: position for position, column in enumerate(self.file_kind.columns)}
        self.handle: io.TextIOWrapper | None = None
        self.sink: ParquetSink | None = None
        self.quarantine = RawQuarantine(worker, self)

    def start(self, row: ManifestRow) -> bool:
        """Opens the file and matches its header; False (and the file done) when it is rejected whole."""
        if self.scan.has_bom:
            self.warnings["bom"] = FILE_WARNINGS["bom"]
        if not self.scan.is_utf8:
            self.warnings["windows_1252"] = FILE_WARNINGS["windows_1252"]
        self.handle = open_text(self.archived, self.scan)
        row.delimiter = choose_delimiter(self.handle.readline())
        self.handle.seek(0)
        if row.delimiter == ",":
            self.warnings["comma_delimiter"] = FILE_WARNINGS["comma_delimiter"]
        self.reader = RecordReader(self.handle, row.delimiter)
        try:
            header = self.reader.header()
            if header is None:
                raise FileRejected(f"{self.landing_file.path}: the file is empty; expected a header line "
                                   f"{';'.join(self.file_kind.column_names)}", None)
            self.positions = self.match_header(header)
        except FileRejected as rejection:
            row.status, row.message = STATUS_REJECTED, rejection.message
            self.reject_all(rejection)
            return False
        self.width = len(header)
        self.sink = ParquetSink(self.worker, self)
        return True

    def match_header(self, names: list[str]) -> dict[str, int]:
        """Position of every contract column in a record; header names are case-insensitive."""
        names = [name.strip().lower() for name in names]
        positions: dict[str, int] = {}
        for position, name in enumerate(names):
            if name in self.file_kind.column_names and name not in positions:
                positions[name] = position
            else:
                self.extra_columns.append(_header_name_shown(name) or f"(unnamed column {position + 1})")
        missing = [name for name in self.file_kind.required_columns if name not in positions]
        if missing:
            raise FileRejected(
                f"{self.landing_file.path}: required column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} missing; expected columns {';'.join(self.file_kind.column_names)}, "
                f"found {';'.join(map(_header_name_shown, names))}", missing[0])
        if self.extra_columns:
            self.warnings["extra_columns"] = f"{FILE_WARNINGS['extra_columns']}: {', '.join(self.extra_columns)}"
        return positions

    def reject_all(self, rejection: FileRejected) -> None:
        """Nothing of a rejected file goes in: every line goes to the quarantine with the file's reason."""
        while batch := self.reader.batch(CHUNK_ROWS):
            rejected = [Failure(line, FILE_REJECTION, rejection.column, None, rejection.message)
                        for line in batch.lines.tolist()]
            self.rows_read += len(batch)
            self.rows_quarantined += len(rejected)
            self.quarantine.write(batch, rejected)

    def chunks(self) -> Iterator[PendingChunk]:
        """The file's records, CHUNK_ROWS at a time: reader checks done, values parsed."""
        while batch := self.reader.batch(CHUNK_ROWS):
            self.rows_read += len(batch)
            if self.rows_read > CHUNK_ROWS:
                self.worker.progress(f"    {self.landing_file.path}: {self.rows_read:,} rows read")
            yield self.prepare(batch)

    def prepare(self, batch: Batch) -> PendingChunk:
        lines = batch.lines
        failures: dict[int, Failure] = {}
        first = self.seen_lines.first_lines(_hash_texts(batch.raw), lines)
        for line, first_line in zip(lines[first != lines].tolist(), first[first != lines].tolist()):
            failures[line] = self.failure(line, "duplicate_row", None, None, {"first_line": first_line})
        counts = pc.list_value_length(batch.fields).to_numpy()
        for index in np.flatnonzero(counts != self.width).tolist():
            line = int(lines[index])
            surplus = batch.fields[index].as_py()[self.width:]
            # Trailing empty fields, as spreadsheets write them, are not an error.
            if line not in failures and not (counts[index] > self.width and not "".join(surplus).strip()):
                failures[line] = self.failure(line, "field_count", None, None,
                                              {"found": int(counts[index]), "expected": self.width})
        candidates = ~np.isin(lines, np.fromiter(failures, dtype=np.int64, count=len(failures)))
        parsed = self.parse(pc.filter(batch.fields, pa.array(candidates)), lines[candidates])
        return PendingChunk(self.landing_file.supplier, batch, parsed, failures)

    def parse(self, records: pa.ListArray, lines: np.ndarray) -> ParsedChunk:
        texts, typed, bsn_failures = {}, {}, {}
        for column in self.file_kind.columns:
            position = self.positions.get(column.name)
            if position is None or not len(records):
                text = pa.nulls(len(records), pa.string())
            else:
                text = trimmed_or_null(pc.list_element(records, position))
            texts[column.name] = text
            if column.type == "bsn":
                bsn = check_bsn(text)
                typed[column.name], bsn_failures[column.name] = bsn.bsn9, bsn.failure
                self.bsn_padded += bsn.padded
            else:
                typed[column.name] = PARSERS[column.type](text)
        return ParsedChunk(lines, texts, typed, bsn_failures)

    def gx_table(self, parsed: ParsedChunk) -> pa.Table:
        """What Great Expectations validates: the typed values, a `__text` companion for typed columns,
        bsn masked, and the supplier (uniqueness holds per file, and a group has a file per supplier)."""
        columns = {}
        for column in self.file_kind.columns:
            text = parsed.texts[column.name]
            if column.type == "bsn":
                columns[column.name] = pc.if_else(text.is_valid(), pa.scalar(BSN_MASK), pa.scalar(None, pa.string()))
                continue
            columns[column.name] = parsed.typed[column.name]
            if column.type in PARSED_TYPES:
                columns[text_column(column.name)] = text
        columns[SUPPLIER] = pa.array([self.landing_file.supplier] * len(parsed.lines), pa.string())
        return pa.table(columns)

    def finish_chunk(self, chunk: PendingChunk, found: list[tuple[int, str, dict]]) -> None:
        """Given what GX found in the chunk: quarantine the failing lines, write the accepted ones."""
        parsed = chunk.parsed
        for name, checks in parsed.bsn_failures.items():
            found += [(int(parsed.lines[index]), str(checks[index]), {"column": name})
                      for index in np.flatnonzero(checks != "").tolist()]
        found = self.resolve_unique(found, parsed)
        found.sort(key=lambda item: (item[0], CHECK_RANK[item[1]], self.column_order[item[2]["column"]]))
        failures = chunk.failures
        for line, check, details in found:
            if line not in failures:
                index = int(np.searchsorted(parsed.lines, line))  # lines ascend
                failures[line] = self.describe(line, index, check, details, parsed)
        accepted = ~np.isin(parsed.lines, np.fromiter(failures, dtype=np.int64, count=len(failures)))
        self.rows_accepted += int(accepted.sum())
        self.sink.write(parsed, accepted)
        rejected = [failures[line] for line in sorted(failures)]
        self.rows_quarantined += len(rejected)
        self.quarantine.write(chunk.batch, rejected)

    def resolve_unique(self, found: list[tuple[int, str, dict]], parsed: ParsedChunk) -> list[tuple[int, str, dict]]:
        """GX flags every line whose key occurs more than once in the file's part of the run. Among the
        lines that pass every check before id_not_unique, the first one keeps the key, also across the
        chunks of a file; the later ones are id_not_unique."""
        if not self.file_kind.unique:
            return found
        rank = CHECK_RANK["id_not_unique"]
        failing_earlier = np.array([line for line, check, _ in found if CHECK_RANK[check] < rank], dtype=np.int64)
        flagged = np.array([line for line, check, _ in found if check == "id_not_unique"], dtype=np.int64)
        resolved = [item for item in found if item[1] != "id_not_unique"]
        eligible = ~np.isin(parsed.lines, failing_earlier)
        keys = pc.binary_join_element_wise(
            *(pc.cast(parsed.typed[name], pa.string()) for name in self.file_kind.unique), "|")
        eligible_keys = pc.filter(keys, pa.array(eligible)).to_pylist()
        eligible_lines = parsed.lines[eligible]
        repeats = np.isin(eligible_lines, flagged)
        first = self.claimed_keys.first_lines(_hash_texts(eligible_keys), eligible_lines, repeats)
        for index in np.flatnonzero(first != eligible_lines).tolist():
            resolved.append((int(eligible_lines[index]), "id_not_unique", {
                "column": self.file_kind.unique[0], "key": eligible_keys[index], "first_line": int(first[index]),
                "key_columns": self.file_kind.unique}))
        return resolved

    def describe(self, line: int, index: int, check: str, details: dict, parsed: ParsedChunk) -> Failure:
        column = self.file_kind.column(details["column"])
        value = details["key"] if check == "id_not_unique" else parsed.texts[column.name][index].as_py()
        if check == "date_order":
            details = details | {"start_value": parsed.texts[details["start_column"]][index].as_py()}
        if check == "reference_missing":
            reference = self.references[column.name]
            details = details | {"source_file": reference.source_file, "other_kind": reference.other_kind}
        return self.failure(line, check, column, value, details)

    def failure(self, line: int, check: str, column: Column | None, value: str | None, details: dict) -> Failure:
        shown = _shown(value, column)
        if "start_value" in details:
            details = details | {"start_value": _shown(details["start_value"], None)}
        reason = f"{self.landing_file.path} line {line}: {describe_failure(check, column, shown, details)}"
        return Failure(line, check, column.name if column else None, shown, reason)

    def finish(self, row: ManifestRow) -> list[pa.Table]:
        """Closes the file, fills in its manifest row; returns its bsn-free quarantine rows."""
        if self.sink is not None:
            self.sink.close()
        self.quarantine.close()
        self.handle.close()
        if self.bsn_padded:
            self.warnings["bsn_padded"] = f"{FILE_WARNINGS['bsn_padded']} ({self.bsn_padded} rows)"
        row.encoding = "utf-8" if self.scan.is_utf8 else "windows-1252"
        row.rows_read, row.rows_accepted = self.rows_read, self.rows_accepted
        row.rows_quarantined = self.rows_quarantined
        assert row.rows_read == row.rows_accepted + row.rows_quarantined, row.file_path
        row.bsn_padded_rows = self.bsn_padded
        row.extra_columns = ";".join(self.extra_columns) or None
        row.warning_codes = "|".join(self.warnings) or None
        row.warnings = "; ".join(f"{code}: {text}" for code, text in self.warnings.items()) or None
        return self.quarantine.tables


class KindValidator:
    """Runs a kind's Great Expectations suite over the parsed chunks of the files of one group, CHUNK_ROWS
    rows per run, and hands each file what was found in its rows."""

    def __init__(self, worker: Worker, file_kind: FileKind, parameters: dict, name: str) -> None:
        self.worker = worker
        self.file_kind = file_kind
        self.parameters = parameters
        self.name = name
        self.pending: list[tuple[FileIntake, PendingChunk]] = []
        self.rows = 0
        self.runs = 0

    def add(self, file_intake: FileIntake, chunk: PendingChunk) -> None:
        self.pending.append((file_intake, chunk))
        self.rows += len(chunk.parsed.lines)
        if self.rows >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        found: dict[int, list[tuple[int, str, dict]]] = {id(chunk): [] for _, chunk in self.pending}
        lines = np.concatenate([chunk.parsed.lines for _, chunk in self.pending]) if self.pending else []
        if len(lines):
            table = pa.concat_tables([file_intake.gx_table(chunk.parsed) for file_intake, chunk in self.pending])
            # Text as pandas categoricals: GX validates them about twice as fast as strings.
            table = pa.table({name: pc.dictionary_encode(values) if pa.types.is_string(values.type) else values
                              for name, values in zip(table.column_names, table.columns)})
            frame = table.to_pandas(date_as_object=False, types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
            frame.index = pd.MultiIndex.from_arrays([frame[SUPPLIER], lines], names=INDEX_NAMES)
            self.runs += 1
            chunks = {}  # supplier -> its pending chunks, in line order
            for _, chunk in self.pending:
                chunks.setdefault(chunk.supplier, []).append(chunk)
            for unexpected in self.worker.suites.validate(self.file_kind, frame, f"{self.name} part {self.runs}",
                                                          self.parameters):
                for supplier, line in unexpected.rows:
                    chunk = next(chunk for chunk in chunks[supplier]
                                 if len(chunk.parsed.lines) and line <= chunk.parsed.lines[-1])
                    found[id(chunk)].append((line, unexpected.check, unexpected.meta))
        for file_intake, chunk in self.pending:
            file_intake.finish_chunk(chunk, found[id(chunk)])
        self.pending, self.rows = [], 0


# --- writing -----------------------------------------------------------------------------------


def arrow_schema(file_kind: FileKind) -> pa.Schema:
    return pa.schema([(name, ARROW_TYPES[type_]) for name, type_ in intake_schema(file_kind)])


class ParquetSink:
    """Accepted rows of one file version, written chunk by chunk to
    intake/<kind>/<supplier>/<yyyy-mm>/data.parquet, which is replaced when the file is complete."""

    def __init__(self, worker: Worker, file_intake: FileIntake) -> None:
        landing_file = file_intake.landing_file
        self.worker = worker
        self.file_kind = file_intake.file_kind
        self.schema = arrow_schema(self.file_kind)
        self.constants = {
            "_supplier": landing_file.supplier, "_delivery_month": landing_file.delivery_month,
            "_file_sha256": file_intake.scan.sha256, "_intake_at": worker.intake_at,
        }
        self.target = (worker.intake_dir / self.file_kind.kind / landing_file.supplier
                       / landing_file.delivery_month / "data.parquet")
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.partial = self.target.with_name("data.parquet.partial")
        self.writer = pq.ParquetWriter(self.partial, self.schema)

    def write(self, parsed: ParsedChunk, accepted: np.ndarray) -> None:
        keep = pa.array(accepted)
        arrays = []
        for column in self.file_kind.columns:
            values = pc.filter(parsed.typed[column.name], keep)
            if column.type == "bsn":
                values = self.worker.pseudonymise(values)
            arrays.append(pc.cast(values, self.schema.field(intake_column_name(column)).type))
        rows = int(accepted.sum())
        for name, _type, _description in METADATA_COLUMNS:
            if name == "_line_number":
                arrays.append(pa.array(parsed.lines[accepted], type=pa.int32()))
            else:
                arrays.append(pa.array([self.constants[name]] * rows, type=self.schema.field(name).type))
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        self.writer.close()
        self.partial.replace(self.target)


class RawQuarantine:
    """Rejected lines of one file version: with their raw text in the restricted quarantine folder
    (<file>.rejected.csv, for the supplier), and bsn-free as rows for _meta/quarantine.parquet."""

    def __init__(self, worker: Worker, file_intake: FileIntake) -> None:
        self.worker = worker
        self.file_intake = file_intake
        relative = file_intake.archived.relative_to(worker.archive_dir)
        self.target = (worker.quarantine_dir / relative).parent / f"{relative.stem}.rejected.csv"
        self.handle: io.TextIOWrapper | None = None
        self.tables: list[pa.Table] = []

    def write(self, batch: Batch, failures: list[Failure]) -> None:
        if not failures:
            return
        if self.handle is None:
            _restricted_dir(self.target.parent)
            self.handle = open(self.target, "w", encoding="utf-8", newline="")
            self.writer = csv.writer(self.handle, delimiter=";")
            self.writer.writerow(["line_number", "check_code", "column_name", "reason", "raw_line"])
        raw = dict(zip(batch.lines.tolist(), batch.raw))
        self.writer.writerows([failure.line, failure.check, failure.column or "", failure.reason, raw[failure.line]]
                              for failure in failures)
        landing_file, count = self.file_intake.landing_file, len(failures)
        self.tables.append(pa.Table.from_pydict({
            "file_path": [landing_file.path] * count,
            "file_sha256": [self.file_intake.scan.sha256] * count,
            "file_kind": [self.file_intake.file_kind.kind] * count,
            "source_name": [self.file_intake.file_kind.source] * count,
            "supplier_code": [landing_file.supplier] * count,
            "delivery_month": [landing_file.delivery_month] * count,
            "line_number": [failure.line for failure in failures],
            "check_code": [failure.check for failure in failures],
            "column_name": [failure.column for failure in failures],
            "delivered_value": [failure.value for failure in failures],
            "reason": [failure.reason for failure in failures],
            "intake_at": [self.worker.intake_at] * count,
        }, schema=QUARANTINE_SCHEMA))

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


# --- groups of files, taken in by a worker -----------------------------------------------------


@dataclass
class GroupItem:
    position: int  # position among the new files of the run, for progress messages
    landing_file: LandingFile
    scan: Scan
    row: ManifestRow  # prepared by the run: path, sha256, size, archive path, duplicate_of


@dataclass(frozen=True)
class Group:
    """The new files of one kind and delivery month, validated together."""

    file_kind: FileKind
    delivery_month: str
    items: list[GroupItem]
    references: dict[str, Reference]
    total: int  # new files in the run, for progress messages


@dataclass
class GroupResult:
    rows: list[ManifestRow]
    quarantine: list[pa.Table]
    data_docs: list[tuple[tuple, str]]  # serialized GX validation results, for the run's Data Docs


class Worker:
    """What taking in files needs, once per process: where to write, the pseudonymiser (with its cache)
    and the GX suites."""

    def __init__(self, data_dir: Path, intake_at: datetime, key: bytes) -> None:
        self.data_dir = data_dir
        self.intake_dir = data_dir / "intake"
        self.archive_dir = data_dir / "archive"
        self.quarantine_dir = data_dir / "quarantine"
        self.intake_at = intake_at
        self.pseudonymise = Pseudonymiser(key)
        self._suites = None

    @property
    def suites(self):
        if self._suites is None:
            from llo.expectations import SuiteRunner  # importing GX takes seconds: only when there is work

            self._suites = SuiteRunner(docs_dir=self.data_dir / "gx")
        return self._suites

    def progress(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def take_in(self, group: Group) -> GroupResult:
        name = f"{group.file_kind.kind} {group.delivery_month}"
        parameters = {reference_parameter(column): sorted(reference.ids)
                      for column, reference in group.references.items()}
        validator = KindValidator(self, group.file_kind, parameters, name)
        started = []
        for item in group.items:
            self.progress(f"[{item.position}/{group.total}] {item.landing_file.path}")
            file_intake = FileIntake(self, item, group.references)
            if file_intake.start(item.row):
                for chunk in file_intake.chunks():
                    validator.add(file_intake, chunk)
            started.append(file_intake)
        validator.flush()
        quarantine = [table for file_intake, item in zip(started, group.items)
                      for table in file_intake.finish(item.row)]
        data_docs = self._suites.take_results() if self._suites is not None else []
        return GroupResult([item.row for item in group.items], quarantine, data_docs)


_process_worker: Worker | None = None  # the Worker of a pool process (set by its initializer)


def _start_process_worker(data_dir: Path, intake_at: datetime, key: bytes) -> None:
    global _process_worker
    _process_worker = Worker(data_dir, intake_at, key)


def _take_in_process(group: Group) -> GroupResult:
    return _process_worker.take_in(group)


# --- the run -----------------------------------------------------------------------------------


@dataclass
class IntakeResult:
    exit_code: int
    files: list[ManifestRow]  # the file versions this run took in (or rejected)
    skipped: int  # files taken in by an earlier run
    seconds: float
    data_docs: Path | None


class IntakeRun:
    def __init__(self, landing: Path, data_dir: Path) -> None:
        self.landing = landing
        self.data_dir = data_dir
        self.intake_dir = data_dir / "intake"
        self.meta_dir = self.intake_dir / "_meta"
        self.archive_dir = data_dir / "archive"
        for restricted in (self.archive_dir, data_dir / "quarantine"):
            _restricted_dir(restricted).chmod(0o700)
        self.intake_at = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        self.manifest = read_manifest(self.meta_dir / "manifest.parquet")
        self.new_rows: list[ManifestRow] = []  # this run's, as the workers return them
        self.new_quarantine: list[pa.Table] = []
        self.data_docs: list[tuple[tuple, str]] = []
        self._reference_ids: dict[tuple[str, str], frozenset[str]] = {}

    def archive(self, landing_file: LandingFile, scan: Scan, earlier: list[ManifestRow]) -> ManifestRow:
        """Archives a new file and prepares its manifest row."""
        archived = archive_file(self.landing / landing_file.path, landing_file.path, scan.sha256, self.archive_dir)
        file_kind = landing_file.file_kind
        row = ManifestRow(
            file_path=landing_file.path, file_sha256=scan.sha256,
            file_kind=file_kind.kind if file_kind else None, source_name=file_kind.source if file_kind else None,
            supplier_code=landing_file.supplier, delivery_month=landing_file.delivery_month,
            status=STATUS_ACCEPTED, size_bytes=scan.size,
            duplicate_of=next((other.file_path for other in earlier
                               if other.file_sha256 == scan.sha256 and other.file_path != landing_file.path), None),
            archive_path=archived.relative_to(self.data_dir).as_posix(), intake_at=self.intake_at,
        )
        if file_kind is None:
            row.status, row.message = STATUS_REJECTED, f"{landing_file.path}: {landing_file.problem}"
        return row

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

    def record(self, result: GroupResult) -> None:
        for row in result.rows:
            if row.status == STATUS_ACCEPTED:  # a rejected new version leaves the earlier one standing
                for earlier in self.manifest:
                    if earlier.file_path == row.file_path:
                        earlier.status = STATUS_REPLACED
            self.manifest.append(row)
            self.new_rows.append(row)
        self.new_quarantine += result.quarantine
        self.data_docs += result.data_docs

    def order_new_rows(self, paths: list[str]) -> None:
        """This run's manifest rows in processing order (groups of files finish in another order)."""
        position = {path: index for index, path in enumerate(paths)}
        self.new_rows.sort(key=lambda row: position[row.file_path])
        new_ids = {id(row) for row in self.new_rows}
        self.manifest = [row for row in self.manifest if id(row) not in new_ids] + self.new_rows

    def write_meta(self) -> None:
        self.meta_dir.mkdir(parents=True, exist_ok=True)
        manifest = pa.Table.from_pylist([asdict(row) for row in self.manifest], schema=MANIFEST_SCHEMA)
        _write_parquet_atomically(manifest, self.meta_dir / "manifest.parquet")
        path = self.meta_dir / "quarantine.parquet"
        earlier = [pq.read_table(path, schema=QUARANTINE_SCHEMA)] if path.exists() else []
        tables = earlier + self.new_quarantine
        _write_parquet_atomically(pa.concat_tables(tables) if tables else QUARANTINE_SCHEMA.empty_table(), path)

    def write_schemas(self) -> None:
        """A zero-row _schema.parquet for every kind, so a kind never delivered reads as empty in dbt."""
        for file_kind in FILE_KINDS:
            target = self.intake_dir / file_kind.kind / "_schema.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_parquet_atomically(arrow_schema(file_kind).empty_table(), target)

    def progress(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def write_data_docs(self) -> Path | None:
        """Data Docs of this run's validations (those of an earlier run stay when nothing was validated)."""
        if not self.data_docs:
            return None
        from llo.expectations import SuiteRunner

        docs = SuiteRunner(docs_dir=self.data_dir / "gx")
        docs.add_results(self.data_docs)
        return docs.write_data_docs()


def group_new_files(new: list[tuple[LandingFile, Scan, ManifestRow]]) -> list[Group]:
    """Contract files grouped by kind and delivery month, in processing order; references are resolved
    when the group is taken in (after the files they refer to)."""
    groups: dict[tuple[str, str], list[GroupItem]] = {}
    for position, (landing_file, scan, row) in enumerate(new, start=1):
        if row.status != STATUS_REJECTED:
            items = groups.setdefault((landing_file.file_kind.kind, landing_file.delivery_month), [])
            items.append(GroupItem(position, landing_file, scan, row))
    return [Group(KINDS[kind], month, items, {}, len(new)) for (kind, month), items in groups.items()]


def read_manifest(path: Path) -> list[ManifestRow]:
    if not path.exists():
        return []
    return [ManifestRow(**row) for row in pq.read_table(path, schema=MANIFEST_SCHEMA).to_pylist()]


def read_column(archived: Path, column: str) -> set[str]:
    """The non-empty trimmed values of one column of an archived delivery file."""
    with open_text(archived, scan_bytes(archived)) as handle:
        reader = RecordReader(handle, choose_delimiter(handle.readline()))
        handle.seek(0)
        position = [name.strip().lower() for name in reader.header()].index(column)
        values: set[str] = set()
        while batch := reader.batch(CHUNK_ROWS):
            values.update(record[position].strip() for record in batch.fields.to_pylist() if len(record) > position)
        values.discard("")
        return values


def _write_parquet_atomically(table: pa.Table, target: Path) -> None:
    partial = target.with_name(target.name + ".partial")
    pq.write_table(table, partial)
    partial.replace(target)


def summary_table(rows: list[ManifestRow]) -> str:
    """The per-file summary `llo intake` prints."""
    header = ("file", "status", "read", "accepted", "quarantined", "warnings")
    lines = [(row.file_path, row.status, f"{row.rows_read:,}", f"{row.rows_accepted:,}",
              f"{row.rows_quarantined:,}", (row.warning_codes or "").replace("|", ", ")) for row in rows]
    widths = [max(len(item[index]) for item in [header, *lines]) for index in range(len(header))]

    def render(item: tuple[str, ...]) -> str:
        return "  ".join(value.rjust(widths[index]) if index in (2, 3, 4) else value.ljust(widths[index])
                         for index, value in enumerate(item)).rstrip()

    return "\n".join([render(header), render(tuple("-" * width for width in widths)), *map(render, lines)])


def take_in_groups(run: IntakeRun, groups: list[Group], workers: int) -> None:
    """Takes in the groups, in worker processes when there are several groups and workers. Groups whose
    files refer to another kind (event_deelnames -> events) go after all others."""
    first = [group for group in groups if not group.file_kind.references]
    then = [group for group in groups if group.file_kind.references]

    def with_references(group: Group) -> Group:
        references = {
            column: run.reference(group.items[0].landing_file, other_kind, other_column)
            for column, other_kind, other_column in group.file_kind.references
        }
        return Group(group.file_kind, group.delivery_month, group.items, references, group.total)

    if not groups:
        return
    key = pseudonym_key(run.data_dir)
    if workers <= 1 or len(groups) <= 1:
        worker = Worker(run.data_dir, run.intake_at, key)
        for group in first:
            run.record(worker.take_in(group))
        for group in then:
            run.record(worker.take_in(with_references(group)))
        return
    context = multiprocessing.get_context("spawn")  # no fork of a process with pyarrow threads
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_process_worker,
                             initargs=(run.data_dir, run.intake_at, key)) as pool:
        for result in pool.map(_take_in_process, first):
            run.record(result)
        for result in pool.map(_take_in_process, [with_references(group) for group in then]):
            run.record(result)


def run_intake(landing: Path, data_dir: Path, workers: int = WORKERS) -> IntakeResult:
    """Takes in every file of the landing folder not taken in before. Exit code 0 when something usable
    was taken in or nothing new was there, 1 when nothing usable remains, 2 when the landing folder
    does not exist."""
    started = time.perf_counter()
    landing, data_dir = Path(landing).resolve(), Path(data_dir).resolve()
    if not landing.is_dir():
        print(f"llo intake: landing folder {landing} does not exist (set LLO_LANDING_DIR or pass --landing)",
              file=sys.stderr)
        return IntakeResult(2, [], 0, time.perf_counter() - started, None)
    run = IntakeRun(landing, data_dir)
    taken_in = {(row.file_path, row.file_sha256) for row in run.manifest}
    new: list[tuple[LandingFile, Scan, ManifestRow]] = []
    skipped = 0
    for landing_file in find_landing_files(landing):
        scan = scan_bytes(landing / landing_file.path)
        if (landing_file.path, scan.sha256) in taken_in:
            skipped += 1
            continue
        new.append((landing_file, scan, run.archive(landing_file, scan, run.manifest + [row for _, _, row in new])))
    run.progress(f"{len(new)} new file(s) ({sum(scan.size for _, scan, _ in new) / 1e6:,.0f} MB) archived, "
                 f"{skipped} taken in before ({time.perf_counter() - started:.1f} s)")
    for _, _, row in new:
        if row.status == STATUS_REJECTED:  # not a file of the contract: nothing to read
            run.record(GroupResult([row], [], []))
    take_in_groups(run, group_new_files(new), workers)
    run.order_new_rows([row.file_path for _, _, row in new])
    run.write_schemas()
    if new or not (run.meta_dir / "manifest.parquet").exists():
        run.write_meta()
    if run.data_docs:
        run.progress(f"taken in ({time.perf_counter() - started:.1f} s); writing the Data Docs")
    data_docs = run.write_data_docs()
    done = run.new_rows
    seconds = time.perf_counter() - started
    if done:
        print(summary_table(done))
    print(f"llo intake: {len(done)} file(s) taken in, {skipped} already taken in before, "
          f"{sum(row.rows_accepted for row in done):,} rows accepted, "
          f"{sum(row.rows_quarantined for row in done):,} quarantined, in {seconds:.1f} s")
    if data_docs:
        print(f"Great Expectations Data Docs: {data_docs}")
    usable = any(row.rows_accepted for row in (done or run.manifest))
    if not usable:
        print("llo intake: nothing usable: " + ("no row of the new deliveries was accepted" if done
              else f"no delivery files under {landing}"), file=sys.stderr)
    return IntakeResult(0 if usable else 1, done, skipped, seconds, data_docs)
