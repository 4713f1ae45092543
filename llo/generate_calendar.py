"""Dates as whole days since 1970-01-01 (int64 numpy arrays), the generator's
calendar arithmetic, vectorised.

A running period has end day OPEN, a day far beyond any delivery, so the rule
"an end after the delivery month is not known yet" blanks it automatically."""

from __future__ import annotations

import numpy as np

EPOCH = np.datetime64("1970-01-01", "D")
OPEN = 10_000_000  # year ~29000: "no end date"
YEAR_DAYS = 365.25


def day(iso: str) -> int:
    return int((np.datetime64(iso, "D") - EPOCH).astype(np.int64))


def iso(days: int) -> str:
    return str(EPOCH + np.timedelta64(int(days), "D"))


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day of month of each day number."""
    dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day_of_month = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day_of_month


def add_months(days: np.ndarray, months: int | np.ndarray) -> np.ndarray:
    """Calendar month arithmetic as DuckDB does it: 29-02-2024 + 12 months = 28-02-2025."""
    dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month_start = dates.astype("datetime64[M]")
    day_of_month = (dates - month_start.astype("datetime64[D]")).astype(np.int64)
    target = month_start + np.asarray(months, dtype=np.int64)
    month_length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    first = (target.astype("datetime64[D]") - EPOCH).astype(np.int64)
    return first + np.minimum(day_of_month, month_length - 1)


def age_on(birth: np.ndarray, days: np.ndarray | int) -> np.ndarray:
    """Completed years between birth and the given day(s)."""
    birth_year, birth_month, birth_day = ymd(birth)
    year, month, day_of_month = ymd(np.broadcast_to(np.asarray(days, dtype=np.int64), np.shape(birth)))
    before_birthday = (month * 100 + day_of_month) < (birth_month * 100 + birth_day)
    return year - birth_year - before_birthday.astype(np.int64)


def birthday(birth: np.ndarray, years: int) -> np.ndarray:
    """The day a person turns `years` old."""
    return add_months(birth, 12 * years)


def month_end(month: str) -> int:
    """Last day of a yyyy-mm month."""
    start = np.datetime64(month, "M")
    return int(((start + 1).astype("datetime64[D]") - EPOCH).astype(np.int64)) - 1


def month_start(month: str) -> int:
    return int((np.datetime64(month, "M").astype("datetime64[D]") - EPOCH).astype(np.int64))


def delivery_months(as_of: str, months: int) -> list[str]:
    """The `months` delivery months ending at `as_of` (yyyy-mm), oldest first."""
    last = np.datetime64(as_of, "M")
    return [str(last - offset) for offset in range(months - 1, -1, -1)]


def quarter_starts(first: int, last: int) -> np.ndarray:
    """First days of the calendar quarters that start in [first, last]."""
    start = np.datetime64(iso(first), "M")
    start = start - (start.astype(np.int64) % 3)
    quarters = []
    while (start.astype("datetime64[D]") - EPOCH).astype(np.int64) <= last:
        begin = int((start.astype("datetime64[D]") - EPOCH).astype(np.int64))
        if begin >= first:
            quarters.append(begin)
        start = start + 3
    return np.asarray(quarters, dtype=np.int64)


def quarter_label(days: np.ndarray) -> np.ndarray:
    """'2025-Q3' per day, as a numpy string array."""
    year, month, _ = ymd(days)
    return np.char.add(np.char.add(year.astype(str), "-Q"), ((month - 1) // 3 + 1).astype(str))
