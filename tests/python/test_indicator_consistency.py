"""Consistency of the indicator marts on the shared generated region (fixture
`pipeline`): properties every correct build has, whatever the data. The exact
values are checked by the dbt unit tests on hand-worked fixtures."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pytest

from llo.settings import PROJECT_DIR

MIN_CELL_SIZE = 10  # dbt var min_cell_size (dbt_project.yml)


@contextmanager
def warehouse(pipeline) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(pipeline.paths.warehouse_path), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def catalogue_codes() -> set[str]:
    with open(PROJECT_DIR / "seeds" / "indicators.csv", newline="", encoding="utf-8") as handle:
        return {row["indicator_code"] for row in csv.DictReader(handle)}


def test_every_catalogue_indicator_has_rows(pipeline) -> None:
    with warehouse(pipeline) as connection:
        present = {code for (code,) in connection.execute("select distinct indicator_code from main.indicator_all").fetchall()}
    assert catalogue_codes() - present == set(), "catalogue indicators without any row in indicator_all"


def test_pop_total_of_municipalities_adds_up_to_regio_per_period(pipeline) -> None:
    with warehouse(pipeline) as connection:
        rows = connection.execute(
            """
            select
                period_type,
                period,
                sum(value) filter (where municipality_code != 'REGIO') as municipalities,
                sum(value) filter (where municipality_code = 'REGIO') as regio
            from main.indicator_context
            where indicator_code = 'POP_TOTAL' and breakdown = 'TOTAAL'
            group by period_type, period
            order by period_type, period
            """
        ).fetchall()
    assert rows, "indicator_context has no POP_TOTAL rows"
    mismatches = [row for row in rows if row[2] != row[3]]
    assert mismatches == [], "(period_type, period, sum of municipalities, REGIO) that differ"


def test_breakdowns_of_pop_total_add_up_to_the_total(pipeline) -> None:
    """Every person at the peildatum has exactly one age band, sex (or ONBEKEND) and benefit type."""
    with warehouse(pipeline) as connection:
        mismatches = connection.execute(
            """
            with totals as (
                select period_type, period, municipality_code, value as total
                from main.indicator_context
                where indicator_code = 'POP_TOTAL' and breakdown = 'TOTAAL'
            ),
            breakdowns as (
                select period_type, period, municipality_code, breakdown, sum(value) as summed
                from main.indicator_context
                where indicator_code = 'POP_TOTAL' and breakdown != 'TOTAAL'
                group by period_type, period, municipality_code, breakdown
            )
            select breakdowns.*, totals.total
            from breakdowns
            inner join totals using (period_type, period, municipality_code)
            where breakdowns.summed != totals.total
            """
        ).fetchall()
    assert mismatches == []


def test_shares_lie_between_zero_and_one_and_equal_numerator_over_denominator(pipeline) -> None:
    with warehouse(pipeline) as connection:
        outside, inconsistent, count = connection.execute(
            """
            select
                count(*) filter (where value < 0 or value > 1),
                count(*) filter (where abs(value - numerator / denominator) > 1e-9),
                count(*)
            from main.indicator_all
            where unit = 'share'
            """
        ).fetchone()
    assert count > 0
    assert outside == 0
    assert inconsistent == 0


def test_means_lie_on_the_question_scale(pipeline) -> None:
    """A mean score (measure value of a survey indicator) lies within its question's scale."""
    with warehouse(pipeline) as connection:
        outside = connection.execute(
            """
            select indicators.indicator_code, indicators.value, questions.scale_min, questions.scale_max
            from main.indicator_all as indicators
            inner join reference.survey_questions as questions
                on indicators.indicator_code = questions.indicator_code
            where
                indicators.unit = 'mean'
                and (indicators.value < questions.scale_min or indicators.value > questions.scale_max)
            """
        ).fetchall()
    assert outside == []


def test_stocks_only_for_complete_periods_and_flows_absent_until_observable(pipeline) -> None:
    with warehouse(pipeline) as connection:
        stock_rows_in_running_period = connection.execute(
            """
            select count(*) from main.indicator_all
            where not is_complete and indicator_code in ('POP_TOTAL', 'IMP_LLO_12M', 'IMP_RUNG_DISTRIBUTION')
            """
        ).fetchone()[0]
        unobservable_flows = connection.execute(
            """
            select count(*)
            from main.indicator_impact as impact
            cross join (select max(as_of_date) as as_of_date from main.dim_period) as bounds
            where
                impact.indicator_code in (
                    'IMP_AV_UPWARD_12M', 'IMP_AV_TO_WORK_12M', 'IMP_AH_HOURS_UP_12M', 'IMP_AH_GROWTH_SECTOR_12M'
                )
                and impact.period_start + interval 12 month > bounds.as_of_date
            """
        ).fetchone()[0]
    assert stock_rows_in_running_period == 0
    assert unobservable_flows == 0


def test_published_tables_blank_every_suppressed_and_small_cell(pipeline) -> None:
    """What leaves the warehouse: no value where suppressed, and no person count below
    min_cell_size shown (money and staff amounts of the input layer excepted)."""
    with warehouse(pipeline) as connection:
        blank_not_blank = connection.execute(
            """
            select count(*) from published.indicator_all
            where is_suppressed and (numerator is not null or denominator is not null or value is not null)
            """
        ).fetchone()[0]
        small_shown = connection.execute(
            f"""
            select count(*) from published.indicator_all
            where
                not is_suppressed
                and (
                    (unit in ('count', 'share') and numerator < {MIN_CELL_SIZE})
                    or denominator < {MIN_CELL_SIZE}
                )
            """
        ).fetchone()[0]
        small_effects_shown = connection.execute(
            f"""
            select count(*) from published.action_effect
            where n_participants < {MIN_CELL_SIZE} or n_comparison < {MIN_CELL_SIZE}
            """
        ).fetchone()[0]
    assert blank_not_blank == 0
    assert small_shown == 0
    assert small_effects_shown == 0


@pytest.mark.parametrize("table", ["indicator_context", "indicator_input", "indicator_output", "indicator_outcome", "indicator_impact"])
def test_indicator_all_is_the_union_of_the_layers(pipeline, table: str) -> None:
    with warehouse(pipeline) as connection:
        layer_rows = connection.execute(f"select count(*) from main.{table}").fetchone()[0]
        in_all = connection.execute(
            f"select count(*) from main.indicator_all where layer = (select any_value(layer) from main.{table})"
        ).fetchone()[0]
    assert layer_rows > 0
    assert in_all == layer_rows
