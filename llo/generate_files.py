"""Turning the generator's typed rows into delivery files: the delivery-month cut
of a full extract, formatting per the supplier's habits, injected defects and
the writing itself (pyarrow, appended per chunk of people).

Typed column values, by contract column type:
    bsn                  int64, -1 = empty
    date                 int64 day number; OPEN (or any day after the delivery month) = empty
    int, decimal         float64, NaN = empty
    bool                 int8: 1 = J, 0 = N, -1 = empty
    code, text, ...      Coded (index into a vocabulary, -1 = empty) or Numbered (prefix + number)
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from llo.contract import ROW_CHECKS, Column, FileKind
from llo.generate_calendar import day

DATE_TABLE_FIRST = day("1880-01-01")
DATE_TABLE_LAST = day("2100-12-31")


@dataclass(frozen=True)
class Coded:
    index: np.ndarray  # -1 = empty
    vocabulary: tuple[str, ...] | np.ndarray

    def __getitem__(self, rows: np.ndarray) -> Coded:
        return Coded(self.index[rows], self.vocabulary)

    def __len__(self) -> int:
        return len(self.index)


@dataclass(frozen=True)
class Numbered:
    prefix: str
    number: np.ndarray  # -1 = empty
    width: int = 7

    def __getitem__(self, rows: np.ndarray) -> Numbered:
        return Numbered(self.prefix, self.number[rows], self.width)

    def __len__(self) -> int:
        return len(self.number)


@dataclass
class Table:
    """Typed rows of one file kind before the cut to a delivery month."""

    kind: FileKind
    columns: dict[str, object]
    known: np.ndarray  # first day the record is in a delivery (its start or event day)
    supplier: np.ndarray | None = None  # municipality index per row, for gemeente files
    # column -> (day, value): while that day is after the delivery month the column shows `value`
    # (None = empty): reden_einde only once the end is known, resultaat LOPEND while running, ...
    pending: dict[str, tuple[np.ndarray, str | None]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.known)

    def subset(self, rows: np.ndarray) -> Table:
        return Table(
            self.kind,
            {name: values[rows] for name, values in self.columns.items()},
            self.known[rows],
            None if self.supplier is None else self.supplier[rows],
            {name: (days[rows], value) for name, (days, value) in self.pending.items()},
        )


@dataclass(frozen=True)
class FileStyle:
    """How one supplier writes one file (delivery contract section 2 allows all of these)."""

    iso_dates: bool = False
    decimal_comma: bool = False
    delimiter: str = ";"
    bom: bool = False
    windows_1252: bool = False
    drop_bsn_zero: bool = False  # spreadsheet: bsn 012345678 written as 12345678
    missing_column: str | None = None
    defect_rate: float = 0.0


# --- formatting -----------------------------------------------------------------------------------------

class Formatter:
    """Arrow text for dates and codes. The date tables are made once; the Arrow copies of the code
    vocabularies (employer ids are large) once per block of rows, see `start_block`."""

    def __init__(self) -> None:
        days = np.arange(DATE_TABLE_FIRST, DATE_TABLE_LAST + 1, dtype=np.int64)
        iso_text = np.datetime_as_string(days.astype("datetime64[D]"), unit="D").tolist()
        self.iso_dates = pa.array(iso_text, pa.string())
        self.dmy_dates = pa.array([f"{text[8:10]}-{text[5:7]}-{text[0:4]}" for text in iso_text], pa.string())
        self.vocabularies: dict[int, tuple[object, pa.Array]] = {}

    def start_block(self) -> None:
        """Every chunk's tables arrive from a worker with their own (unpickled) copies of shared
        vocabularies such as the employer ids, so vocabularies cached beyond their block would keep
        one copy per chunk: memory growing with chunks times employers."""
        self.vocabularies.clear()

    def dates(self, days: np.ndarray, last_day: int, iso_dates: bool) -> pa.Array:
        empty = (days > last_day) | (days < DATE_TABLE_FIRST)
        index = pa.array(np.where(empty, 0, days - DATE_TABLE_FIRST), mask=empty)
        return (self.iso_dates if iso_dates else self.dmy_dates).take(index)

    def codes(self, values: Coded) -> pa.Array:
        key = id(values.vocabulary)
        cached = self.vocabularies.get(key)
        if cached is None or cached[0] is not values.vocabulary:
            cached = (values.vocabulary, pa.array(list(values.vocabulary), pa.string()))
            self.vocabularies[key] = cached
        empty = values.index < 0
        return cached[1].take(pa.array(np.where(empty, 0, values.index), mask=empty))


def _numbered(values: Numbered) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(values.number, mask=values.number < 0), pa.string()), values.width, "0")
    return pc.binary_join_element_wise(values.prefix, digits, "")


def _numbers(values: np.ndarray, decimal_comma: bool) -> pa.Array:
    text = pc.cast(pa.array(np.round(values, 2), mask=np.isnan(values)), pa.string())
    return pc.replace_substring(text, ".", ",") if decimal_comma else text


def format_column(column: Column, values: object, last_day: int, style: FileStyle, formatter: Formatter) -> pa.Array:
    if isinstance(values, Coded):
        return formatter.codes(values)
    if isinstance(values, Numbered):
        return _numbered(values)
    if column.type == "bsn":
        empty = values < 0
        text = pc.utf8_lpad(pc.cast(pa.array(np.where(empty, 0, values)), pa.string()), 9, "0")
        return pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), text)
    if column.type == "date":
        return formatter.dates(values, last_day, style.iso_dates)
    if column.type in ("int", "decimal"):
        return _numbers(values, style.decimal_comma)
    if column.type == "bool":
        empty = values < 0
        return pa.array(["N", "J"], pa.string()).take(pa.array(np.where(empty, 0, values), mask=empty))
    raise TypeError(f"{column.name}: no formatting for {type(values).__name__}")


def format_table(table: Table, last_day: int, style: FileStyle, formatter: Formatter) -> dict[str, pa.Array]:
    """The rows of `table` known by `last_day` (the end of the delivery month), as text."""
    columns = {}
    for column in table.kind.columns:
        text = format_column(column, table.columns[column.name], last_day, style, formatter)
        if column.name in table.pending:
            days, value = table.pending[column.name]
            pending = pa.array(days > last_day)
            text = pc.if_else(pending, pa.scalar(value, pa.string()), text)
        columns[column.name] = text
    return columns


# --- defects ----------------------------------------------------------------------------------------------

UNKNOWN_CODES = {
    "instrument": "JOBCOACH", "regeling": "WWB", "uitkeringssoort": "WAO", "geslacht": "O", "kanaal": "BRIEF",
    "reden_einde": "PENSIOEN", "bron": "CBS", "onderwijstype": "HAVO", "vorm": "HYBRIDE", "resultaat": "VOLDOENDE",
    "contractsoort": "FLEX", "actie_code": "WIZ_ONBEKEND", "doelgroep": "JONGEREN", "type": "BELLEN",
    "meting": "TUSSENMETING", "respondent_type": "LEERLING", "vraag_code": "ALGEMEEN_OORDEEL",
}
OUT_OF_RANGE = {"uren_per_week": "96", "trede": "7", "stap_categorie": "5"}
IMPOSSIBLE_DAYS = ("31-02", "30-02", "31-04", "31-06", "31-09", "31-11")


def _defect_kinds(kind: FileKind) -> list[tuple[str, str | tuple[str, str]]]:
    """Every (check, column) a row of this kind can be made to fail on its own."""
    options: list[tuple[str, str | tuple[str, str]]] = []
    for column in kind.columns:
        if column.required:
            options.append(("required_missing", column.name))
        if column.type == "bsn":
            options += [("bsn_format", column.name), ("bsn_elfproef", column.name)]
        if column.type == "date":
            options.append(("date_invalid", column.name))
        if column.type in ("int", "decimal"):
            options.append(("number_invalid", column.name))
        if column.type == "bool":
            options.append(("bool_invalid", column.name))
        if column.type == "code":
            options.append(("code_unknown", column.name))
        if column.min_value is not None or column.max_value is not None:
            options.append(("out_of_range", column.name))
    options += [("date_order", pair) for pair in kind.date_order]
    options += [("reference_missing", reference[0]) for reference in kind.references]
    return options


def _break_value(check: str, column: Column, value: str, rng: np.random.Generator, iso_dates: bool) -> str:
    if check == "required_missing":
        return ""
    if check == "bsn_format":
        return value + str(rng.integers(0, 10))  # ten digits
    if check == "bsn_elfproef":
        return value[:8] + str((int(value[8]) + int(rng.integers(1, 10))) % 10)
    if check == "date_invalid":
        year = value[:4] if iso_dates else value[-4:]
        impossible = IMPOSSIBLE_DAYS[int(rng.integers(0, len(IMPOSSIBLE_DAYS)))]
        return f"{year}-{impossible[3:]}-{impossible[:2]}" if iso_dates else f"{impossible}-{year}"
    if check == "number_invalid":
        return value + " uur" if column.name in ("uren_per_week", "uren") else value + "x"
    if check == "bool_invalid":
        return "misschien"
    if check == "code_unknown":
        unknown = UNKNOWN_CODES.get(column.name, "ONBEKEND")
        assert unknown.upper() not in {code.upper() for code in column.allowed_codes()}
        return unknown
    if check == "out_of_range":
        return OUT_OF_RANGE.get(column.name, "-5")
    if check == "reference_missing":
        return f"EV-ONBEKEND-{int(rng.integers(1000, 9999))}"
    raise ValueError(check)


def inject_defects(kind: FileKind, columns: dict[str, pa.Array], style: FileStyle, rng: np.random.Generator,
                   counts: dict[str, int], broken_earlier: set[str] | None = None) -> tuple[dict[str, pa.Array], np.ndarray]:
    """Break a share `style.defect_rate` of the rows, one check per row (the only one the row fails),
    and duplicate some clean rows. Returns the columns and the row order (with duplicates).
    `broken_earlier` holds the broken lines of earlier blocks of the same file; it is updated."""
    n = len(next(iter(columns.values())))
    order = np.arange(n)
    broken = np.zeros(n, bool)
    if style.defect_rate > 0 and n > 0:
        original = dict(columns)
        options = _defect_kinds(kind)
        chosen = np.flatnonzero(rng.random(n) < style.defect_rate)
        n_duplicates = int(np.sum(rng.random(len(chosen)) < 1 / (len(options) + 1)))
        duplicates, chosen = chosen[:n_duplicates], chosen[n_duplicates:]
        pick = rng.integers(0, len(options), len(chosen))
        edits: dict[str, dict[int, str]] = {}
        check_of_row: dict[int, str] = {}
        for option_index in np.unique(pick):
            check, target = options[option_index]
            rows = chosen[pick == option_index]
            for row, column, value in _broken_values(kind, columns, check, target, rows, rng, style):
                edits.setdefault(column, {})[row] = value
                check_of_row[row] = check
        _apply(columns, edits, n)
        # A broken row must not become identical to another line (it would count as a duplicate) nor
        # empty (a line of delimiters only reads as a blank line): such rows are left as they were.
        # Across blocks only broken lines can be twins: a block holds all rows of its people.
        rows = np.array(sorted(check_of_row), np.int64)
        for row in np.concatenate([_rows_with_twins(kind, columns, edits, rows), _empty_rows(columns, rows),
                                   _rows_seen_before(columns, rows, broken_earlier)]):
            check_of_row.pop(int(row), None)
        _apply(columns, {name: {row: original[name][row].as_py() for row in changes if row not in check_of_row}
                         for name, changes in edits.items()}, n)
        for check in check_of_row.values():
            counts[check] = counts.get(check, 0) + 1
        broken[list(check_of_row)] = True
        duplicates = duplicates[~broken[duplicates]]
        counts["duplicate_row"] = counts.get("duplicate_row", 0) + len(duplicates)
        broken[duplicates] = True
        order = np.sort(np.concatenate([order, duplicates]), kind="stable")
    if style.drop_bsn_zero and "bsn" in columns:
        bsn = columns["bsn"]
        text = pc.fill_null(bsn, "")
        dropped = (pc.starts_with(text, "0").to_numpy(zero_copy_only=False)
                   & ~pc.starts_with(text, "00").to_numpy(zero_copy_only=False)
                   & (pc.utf8_length(text).to_numpy(zero_copy_only=False) == 9) & ~broken)
        columns["bsn"] = pc.if_else(pa.array(dropped), pc.utf8_slice_codeunits(text, 1), bsn)
        counts["bsn_padded"] = counts.get("bsn_padded", 0) + int(np.bincount(order, minlength=n)[dropped].sum())
    return columns, order


def _broken_values(kind: FileKind, columns: dict[str, pa.Array], check: str, target: str | tuple[str, str],
                   rows: np.ndarray, rng: np.random.Generator, style: FileStyle) -> list[tuple[int, str, str]]:
    """(row, column, new text) making each usable row fail `check` on `target` and nothing else."""
    if check == "date_order":
        first, second = (columns[name].take(pa.array(rows, pa.int64())).to_pylist() for name in target)
        return [edit for row, a, b in zip(rows.tolist(), first, second)
                if a and b and _date_key(a, style) < _date_key(b, style)
                for edit in ((row, target[0], b), (row, target[1], a))]
    column = kind.column(target)
    values = columns[target].take(pa.array(rows, pa.int64())).to_pylist()
    edits = []
    for row, value in zip(rows.tolist(), values):
        if check == "required_missing" and column.type == "bsn":
            usable = True
        elif check in ("bsn_elfproef", "bsn_format"):
            usable = len(value or "") == 9
        else:
            usable = bool(value)
        if usable:
            edits.append((row, target, _break_value(check, column, value, rng, style.iso_dates)))
    return edits


def _apply(columns: dict[str, pa.Array], edits: dict[str, dict[int, str | None]], n: int) -> None:
    for name, changes in edits.items():
        if not changes:
            continue
        rows = np.array(sorted(changes))
        mask = np.zeros(n, bool)
        mask[rows] = True
        columns[name] = pc.replace_with_mask(columns[name], pa.array(mask), pa.array([changes[row] for row in rows], pa.string()))


def _empty_rows(columns: dict[str, pa.Array], rows: np.ndarray) -> np.ndarray:
    """Those of `rows` without any value."""
    if len(rows) == 0:
        return rows
    selection = pa.array(rows)
    has_value = np.zeros(len(rows), bool)
    for values in columns.values():
        has_value |= pc.fill_null(pc.not_equal(values.take(selection), ""), False).to_numpy(zero_copy_only=False)
    return rows[~has_value]


def _rows_seen_before(columns: dict[str, pa.Array], rows: np.ndarray, seen: set[str] | None) -> np.ndarray:
    """Those of `rows` whose line is in `seen`; the lines of the others are added to it."""
    if seen is None or len(rows) == 0:
        return rows[:0]
    selection = pa.array(rows)
    lines = pc.binary_join_element_wise(*(pc.fill_null(values.take(selection), "") for values in columns.values()),
                                        ";").to_pylist()
    repeated = np.array([line in seen for line in lines], bool)
    seen.update(lines)
    return rows[repeated]


def _rows_with_twins(kind: FileKind, columns: dict[str, pa.Array], edits: dict[str, dict[int, str]],
                     rows: np.ndarray) -> np.ndarray:
    """Those of `rows` whose whole line occurs more than once. A twin of a row agrees with it on a
    column the row's defect left alone (its id or bsn when possible), so only lines sharing that value
    are compared."""
    if len(rows) == 0:
        return rows
    preference = [*kind.unique[:1], "bsn", *kind.column_names]
    anchor = np.array([next(name for name in preference if name in columns and row not in edits.get(name, {}))
                       for row in rows.tolist()])
    twins = []
    for name in np.unique(anchor):
        mine = rows[anchor == name]
        values = columns[name]
        shared = pc.is_in(values, value_set=values.take(pa.array(mine)), skip_nulls=False).to_numpy(zero_copy_only=False)
        candidates = np.flatnonzero(shared)
        lines = pc.binary_join_element_wise(*(pc.fill_null(column.take(pa.array(candidates)), "") for column in columns.values()), ";")
        counted = pc.value_counts(lines)
        repeated = counted.field("values").filter(pc.greater(counted.field("counts"), 1))
        if len(repeated):
            position = np.searchsorted(candidates, mine)
            twins.append(mine[pc.is_in(lines.take(pa.array(position)), value_set=repeated).to_numpy(zero_copy_only=False)])
    return np.concatenate(twins) if twins else rows[:0]


def _date_key(text: str, style: FileStyle) -> str:
    return text if style.iso_dates else text[6:10] + text[3:5] + text[0:2]


# --- writing --------------------------------------------------------------------------------------------

def rng_for(seed: int, *parts: object) -> np.random.Generator:
    """A generator of its own per file and chunk, so output never depends on processing order."""
    return np.random.default_rng([seed, *(zlib.crc32(str(part).encode()) for part in parts)])


class Writer:
    """Appends blocks of rows to delivery files; the first block of a file this run starts it."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.seed = seed
        self.started: set[Path] = set()
        self.broken_lines: dict[Path, set[str]] = {}
        self.formatter = Formatter()
        self.defects: dict[str, int] = {check: 0 for check in ROW_CHECKS}
        self.rows_written: dict[str, int] = {}
        self.block: str | None = None

    def write_month(self, table: Table, last_day: int, files: list[tuple[Path, np.ndarray, FileStyle]], block: str) -> None:
        """Write the rows of `table` known by `last_day` to delivery files: (path, rows, style) per file.
        The table is formatted once per date and decimal style, then split."""
        if block != self.block:
            self.formatter.start_block()
            self.block = block
        known = np.flatnonzero(table.known <= last_day)
        table = table.subset(known)
        position = np.full(len(known) and int(known.max()) + 1, -1)
        position[known] = np.arange(len(known))
        formatted: dict[tuple[bool, bool], dict[str, pa.Array]] = {}
        for relative, rows, style in files:
            rows = position[rows[rows < len(position)]] if len(position) else rows[:0]
            rows = rows[rows >= 0]
            key = (style.iso_dates, style.decimal_comma)
            if key not in formatted:
                formatted[key] = format_table(table, last_day, style, self.formatter)
            selection = pa.array(rows, pa.int64())
            columns = {name: values.take(selection) for name, values in formatted[key].items()}
            self._write(relative, table.kind, columns, style, block)

    def _write(self, relative: Path, kind: FileKind, columns: dict[str, pa.Array], style: FileStyle, block: str) -> None:
        columns, order = inject_defects(kind, columns, style, rng_for(self.seed, relative, block), self.defects,
                                        self.broken_lines.setdefault(relative, set()))
        names = [name for name in kind.column_names if name != style.missing_column]
        arrow = pa.table([columns[name] for name in names], names=names).take(pa.array(order))
        buffer = io.BytesIO()
        path = self.root / relative
        first = path not in self.started
        if first:
            buffer.write(("\ufeff" if style.bom else "").encode("utf-8"))
            buffer.write((style.delimiter.join(names) + "\n").encode("utf-8"))
        if len(arrow):
            pa_csv.write_csv(arrow, buffer, pa_csv.WriteOptions(include_header=False, delimiter=style.delimiter,
                                                                quoting_style="none"))
        data = buffer.getvalue()
        if style.windows_1252:
            data = data.decode("utf-8").encode("cp1252")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb" if first else "ab") as handle:
            handle.write(data)
        self.started.add(path)
        self.rows_written[kind.kind] = self.rows_written.get(kind.kind, 0) + len(arrow)
