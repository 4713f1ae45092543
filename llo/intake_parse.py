"""Reading delivered text for the intake (delivery contract section 2): bytes, encoding and
delimiter, records with their line numbers and raw text, and the parsing of values by their
contract type (dates, numbers, booleans, codes, municipality codes, quarters, bsn with the
elfproef). Vectorised with pyarrow: a scale-1 delivery holds millions of rows."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ELFPROEF_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1], dtype=np.int64)
FIRST_YEAR, LAST_YEAR = 1900, 2100  # a date outside these years is a typo, not a date of the monitor
BOOLEAN_WORDS = {"j": True, "ja": True, "1": True, "true": True, "n": False, "nee": False, "0": False, "false": False}


# --- bytes: hash and encoding ----------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    """What one pass over a file's bytes tells: its sha256, size and encoding."""

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
            first = first or block[:3]
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


def open_text(path: Path, scan: Scan) -> io.TextIOWrapper:
    if scan.is_utf8:
        return open(path, encoding="utf-8-sig", newline="")
    return open(path, encoding="cp1252", errors="replace", newline="")


def choose_delimiter(header_line: str) -> str:
    """`;` per contract; a header that only splits on `,` is read comma-delimited (with a warning)."""
    return "," if ";" not in header_line and "," in header_line else ";"


# --- text: records with line numbers and raw text ----------------------------------------------


@dataclass
class Batch:
    """Consecutive records of a file (blank lines skipped)."""

    lines: np.ndarray  # line on which each record starts (the header is line 1)
    raw: list[str]  # the record's text as delivered, without its line break
    fields: pa.ListArray  # the record's fields, untrimmed

    def __len__(self) -> int:
        return len(self.lines)


class RecordReader:
    """Reads records batch by batch. A batch without a quote is split on the delimiter in pyarrow (the
    common case, fast); a batch holding a quote goes through the csv module, where a quoted field may
    span lines and hold the delimiter."""

    def __init__(self, handle: io.TextIOBase, delimiter: str) -> None:
        self.handle = handle
        self.delimiter = delimiter
        self.lines_read = 0
        self.blank = f"{delimiter} \t\r\n"

    def header(self) -> list[str] | None:
        """The fields of the first non-blank record; None for an empty file."""
        while batch := self.batch(1):
            if len(batch):
                return batch.fields[0].as_py()
        return None

    def batch(self, size: int) -> Batch | None:
        block = list(islice(self.handle, size))
        if not block:
            return None
        if any('"' in line for line in block):
            return self._quoted(block)
        first_line = self.lines_read + 1
        self.lines_read += len(block)
        raw = [line.rstrip("\r\n") for line in block]
        lines = np.arange(first_line, first_line + len(block), dtype=np.int64)
        if any(not text.strip(self.blank) for text in raw):
            kept = [index for index, text in enumerate(raw) if text.strip(self.blank)]
            raw, lines = [raw[index] for index in kept], lines[kept]
        return Batch(lines, raw, pc.split_pattern(pa.array(raw, pa.string()), self.delimiter))

    def _quoted(self, block: list[str]) -> Batch:
        consumed: list[str] = []
        remaining = len(block)

        def source() -> Iterator[str]:
            nonlocal remaining
            for line in chain(block, self.handle):  # a record may continue after the block
                remaining -= 1
                consumed.append(line)
                yield line

        lines, raws, records = [], [], []
        reader = csv.reader(source(), delimiter=self.delimiter)
        start = self.lines_read
        for values in reader:
            first_line = start + reader.line_num - len(consumed) + 1
            raw = "".join(consumed).rstrip("\r\n")
            consumed.clear()
            if "".join(values).strip():
                lines.append(first_line)
                raws.append(raw)
                records.append(values)
            if remaining <= 0:
                break
        self.lines_read = start + reader.line_num
        return Batch(np.array(lines, dtype=np.int64), raws, pa.array(records, pa.list_(pa.string())))


# --- parsing values by contract type (pyarrow, vectorised) -------------------------------------


def elfproef_mask(bsn9: list[str]) -> np.ndarray:
    """Elfproef of 9-digit strings: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 divisible by 11, and not all zeros."""
    if not bsn9:
        return np.zeros(0, dtype=bool)
    digits = np.frombuffer("".join(bsn9).encode("ascii"), dtype=np.uint8).reshape(-1, 9).astype(np.int64) - 48
    return ((digits @ ELFPROEF_WEIGHTS) % 11 == 0) & digits.any(axis=1)


def elfproef(bsn: str) -> bool:
    """True when `bsn` (1-9 digits, left-padded with zeros to 9) passes the elfproef."""
    bsn = bsn.strip()
    return bool(re.fullmatch(r"[0-9]{1,9}", bsn)) and bool(elfproef_mask([bsn.zfill(9)])[0])


def looks_like_bsn(value: object) -> bool:
    """A value of 8 or 9 digits that passes the elfproef: treated as a bsn wherever it turns up."""
    return isinstance(value, str) and bool(re.fullmatch(r"[0-9]{8,9}", value)) and elfproef(value)


def _matches(texts: pa.Array, pattern: str) -> np.ndarray:
    """Whole-value regular expression match; null gives False."""
    return pc.fill_null(pc.match_substring_regex(texts, f"^(?:{pattern})$"), False).to_numpy(zero_copy_only=False)


def _null_where(values: pa.Array, invalid: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(invalid), pa.scalar(None, values.type), values)


def trimmed_or_null(values: pa.Array) -> pa.Array:
    """Delivered text with surrounding whitespace trimmed; an empty value is null."""
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _regex_parts(texts: pa.Array, pattern: str) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """Named groups of a whole-value match; (matched, {group: text, null where not matched})."""
    parts = pc.extract_regex(texts, pattern)
    matched = pc.fill_null(parts.is_valid(), False)
    names = [parts.type.field(index).name for index in range(parts.type.num_fields)]
    groups = {name: pc.if_else(matched, pc.struct_field(parts, name), pa.scalar(None, pa.string())) for name in names}
    return matched.to_numpy(zero_copy_only=False), groups


def parse_dates(texts: pa.Array) -> pa.Array:
    """dd-mm-jjjj (canonical) or jjjj-mm-dd; anything else, an impossible date (31-02-2024) or a year
    outside FIRST_YEAR..LAST_YEAR gives null."""
    dutch, dmy = _regex_parts(texts, r"^(?P<d>[0-9]{1,2})-(?P<m>[0-9]{1,2})-(?P<y>[0-9]{4})$")
    iso, ymd = _regex_parts(texts, r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})$")

    def number(name: str) -> np.ndarray:
        text = pc.coalesce(dmy[name], ymd[name], pa.scalar("0"))
        return pc.cast(text, pa.int64()).to_numpy()

    year, month, day = number("y"), number("m"), number("d")
    valid = (dutch | iso) & (year >= FIRST_YEAR) & (year <= LAST_YEAR) & (month >= 1) & (month <= 12) & (day >= 1)
    first_of_month = ((year - 1970) * 12 + month.clip(1, 12) - 1).astype("datetime64[M]").astype("datetime64[D]")
    first_of_next = (first_of_month.astype("datetime64[M]") + 1).astype("datetime64[D]")
    days_in_month = (first_of_next - first_of_month).astype(np.int64)
    valid &= day <= days_in_month
    dates = first_of_month + (day.clip(1, None) - 1).astype("timedelta64[D]")
    return pa.array(dates, type=pa.date32(), mask=~valid)


def parse_numbers(texts: pa.Array, whole: bool) -> pa.Array:
    """`12,5` or `12.5` (no thousands separators); for int columns whole numbers of at most 9 digits
    (the intake writes them as 32-bit integers). Anything else gives null."""
    pattern = r"[+-]?[0-9]{1,9}" if whole else r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)"
    valid = _matches(texts, pattern)
    cleaned = pc.replace_substring(_null_where(texts, ~valid), ",", ".")
    return pc.cast(cleaned, pa.float64())


def parse_booleans(texts: pa.Array) -> pa.Array:
    words = pa.array(list(BOOLEAN_WORDS))
    position = pc.index_in(pc.utf8_lower(texts), value_set=words)
    return pc.take(pa.array(list(BOOLEAN_WORDS.values()), pa.bool_()), position)


def parse_municipalities(texts: pa.Array) -> pa.Array:
    """GM0014, 0014 or 14 -> GM0014 (a merged municipality's code is kept; staging maps it)."""
    _, parts = _regex_parts(pc.utf8_upper(texts), r"^(?:GM)?(?P<n>[0-9]{1,4})$")
    return pc.binary_join_element_wise(pa.scalar("GM"), pc.utf8_lpad(parts["n"], 4, "0"), "")


def parse_quarters(texts: pa.Array) -> pa.Array:
    """2025-Q3 or 2025K3 -> 2025-Q3."""
    _, parts = _regex_parts(pc.utf8_upper(texts), r"^(?P<y>[0-9]{4})\s*-?\s*[QK](?P<q>[1-4])$")
    return pc.binary_join_element_wise(parts["y"], parts["q"], "-Q")


def parse_codes(texts: pa.Array) -> pa.Array:
    """'|'-separated codes: upper case, no spaces around the separators."""
    return pc.replace_substring_regex(pc.utf8_upper(texts), r"\s*\|\s*", "|")


PARSERS = {
    "date": parse_dates,
    "int": lambda texts: parse_numbers(texts, whole=True),
    "decimal": lambda texts: parse_numbers(texts, whole=False),
    "bool": parse_booleans,
    "gemeente": parse_municipalities,
    "quarter": parse_quarters,
    "code": pc.utf8_upper,
    "codes": parse_codes,
    "text": lambda texts: texts,
}


@dataclass
class BsnCheck:
    bsn9: pa.Array  # zero-padded 9-digit bsn; null when empty or failing
    failure: np.ndarray  # per row: "bsn_format", "bsn_elfproef" or "" (passes)
    padded: int  # values with fewer than 9 digits that were left-padded


def check_bsn(texts: pa.Array) -> BsnCheck:
    """Contract section 2: 1-9 digits, left-padded with zeros to 9, then the elfproef."""
    given = texts.is_valid().to_numpy(zero_copy_only=False)
    digits_only = _matches(texts, r"[0-9]{1,9}")
    padded = pc.utf8_lpad(_null_where(texts, ~digits_only), 9, "0")
    passes = np.zeros(len(texts), dtype=bool)
    passes[digits_only] = elfproef_mask(pc.filter(padded, pa.array(digits_only)).to_pylist())
    failure = np.where(given & ~digits_only, "bsn_format", np.where(digits_only & ~passes, "bsn_elfproef", ""))
    short = digits_only & (pc.fill_null(pc.utf8_length(texts), 9).to_numpy(zero_copy_only=False) < 9)
    return BsnCheck(_null_where(padded, ~passes), failure, int(short.sum()))
