"""A small hand-made warehouse whose schema `published` has the public tables
(interfaces.md) with a few rows whose meaning is written down here, so publish and
dashboard tests can work out expected values by hand. It is not generated data:
every number below is chosen, not computed.

The region in this fixture has two municipalities, GM0014 (Groningen) and GM0037
(Stadskanaal), and two complete quarters 2025-Q1 and 2025-Q2; the as-of date is
2025-08-31, so 2025-Q3 and the year 2025 are incomplete.

Hand-picked figures the tests rely on (period 2025-Q2 unless said otherwise):
- POP_TOTAL: REGIO 1000, GM0014 600, GM0037 400 (2025-Q1: 990, 595, 395).
- POP_GROUP: REGIO AV 300 and AH 700; GM0014 AV 150, AH 450; GM0037 AV 150, AH 250.
- IMP_LLO_12M: REGIO 250/1000 = 25%, GM0014 180/600 = 30%, GM0037 70/400 = 17.5%
  (2025-Q1: REGIO 240/990).
- IMP_LLO_4W_25_64: REGIO 120/600 = 20%, GM0014 84/350 = 24%, GM0037 36/250 = 14.4%.
- IMP_RUNG_DISTRIBUTION, REGIO, breakdown rung 0..7: 100, 60, 50, 40, 30, 20, 0
  (suppressed), 700 of 1000 -- rung 6 is 0 persons, below min_cell_size, so it
  and (secondary) rung 5 are suppressed.
- IMP_AV_UPWARD_12M, REGIO, 2025-Q1: 45/300 = 15%.
- OUT_AV_CONTACTS, REGIO: all actions 52 (other actions too), of which by sex M 30
  and V 22; KANSRIJK_OPLEIDEN 40, WIZ_ACADEMY 7 (suppressed).
- OUT_AH_EVENT_PARTICIPANTS, REGIO, ALLE: 55. OUT_WG_REACHED, REGIO: 25.
- OUTC_AV_MOTIVATION, REGIO, KANSRIJK_OPLEIDEN: measure value 150/40 = 3.75 (mean
  score), measure share_positive 24/40 = 60%.
- IN_BUDGET_EUR / IN_SPENT_EUR / IN_COST_PER_PARTICIPANT, REGIO:
  KANSRIJK_OPLEIDEN 50000 / 40000 / 40000 over 80 persons = 500;
  WIZ_ACADEMY 20000 / 12000 / 12000 over 6 persons (suppressed).
- action_effect, REGIO, whole window (period_type 'window', period 'ALL'), as
  (participants, in strata with comparison, comparison; higher rung: participant
  rate, comparison rate, difference pp, interval; working: the same):
  KANSRIJK_OPLEIDEN AV (52, 50, 800; 30% vs 20%, +10.0 pp, 2.0 to 18.0; 40% vs 30%,
  +10.0 pp, 1.0 to 19.0), 1 stratum dropped; WIZ_ACADEMY AH (30, 30, 900; 0% vs 0%,
  0.0 pp; 90% vs 85%, +5.0 pp, -3.0 to 13.0) -- AH is at the top rung already;
  TALENTTOUR AV (25, 25, 700; 20% vs 24%, -4.0 pp, -20.0 to 12.0; 30% vs 32%,
  -2.0 pp); KANSRIJK_TALENT AV suppressed. Year 2024: KANSRIJK_OPLEIDEN AV
  (20, 20, 400; 25% vs 20%, +5.0 pp, -10.0 to 20.0).
- delivery_files: 3 files: gemeente GM0014 brp_verblijf 2025-08 (1000 read, 990
  accepted, 10 quarantined), uwv dienstverbanden 2025-08 (500, 500, 0), programma
  inzet 2025-08 (20, 18, 2); so 3 deliveries, 1520 rows read, 1508 accepted,
  12 quarantined. Quarantine reasons: bsn_elfproef 7 and date_invalid 3 for
  brp_verblijf, code_unknown 2 for inzet.

Besides schema `published` the warehouse holds a person-level table in `main`
(werkdefinitie_population with person_id), which publish must never copy.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb

from llo.publish import publish
from llo.settings import PROJECT_DIR, Paths

INDICATOR_COLUMNS = (
    "indicator_code varchar, layer varchar, measure varchar, period_type varchar, period varchar, period_start date, "
    "period_end date, is_complete boolean, municipality_code varchar, target_group varchar, action_code varchar, "
    "breakdown varchar, breakdown_value varchar, numerator double, denominator double, value double, unit varchar, "
    "is_suppressed boolean"
)
LAYERS = ("context", "input", "output", "outcome", "impact")
PERIODS = {
    "2025-Q1": ("quarter", "2025-01-01", "2025-03-31", True),
    "2025-Q2": ("quarter", "2025-04-01", "2025-06-30", True),
    "2025-Q3": ("quarter", "2025-07-01", "2025-09-30", False),
    "2025": ("year", "2025-01-01", "2025-12-31", False),
}
AS_OF_DATE = "2025-08-31"
PSEUDONYM = "a" * 64  # looks like a pseudonym: 64 lowercase hex characters


def _catalogue() -> dict[str, dict[str, str]]:
    with (PROJECT_DIR / "seeds" / "indicators.csv").open(encoding="utf-8") as handle:
        return {row["indicator_code"]: row for row in csv.DictReader(handle)}


def _row(
    code: str, period: str, municipality: str, numerator: float | None, denominator: float | None = None,
    *, target_group: str | None = None, action: str = "ALLE", breakdown: str = "TOTAAL",
    breakdown_value: str = "TOTAAL", suppressed: bool = False, measure: str = "value", unit: str | None = None,
) -> tuple:
    entry = _catalogue()[code]
    period_type, start, end, complete = PERIODS[period]
    unit = unit or entry["unit"]
    value = numerator if unit in ("count", "eur", "fte", "hours") and denominator is None else (
        None if numerator is None or not denominator else numerator / denominator
    )
    if suppressed:
        numerator = denominator = value = None
    return (
        code, entry["layer"], measure, period_type, period, start, end, complete, municipality,
        target_group or entry["target_group"], action, breakdown, breakdown_value,
        numerator, denominator, value, unit, suppressed,
    )


def indicator_rows() -> list[tuple]:
    rows = []
    for period, (regio, groningen, stadskanaal) in {"2025-Q1": (990, 595, 395), "2025-Q2": (1000, 600, 400)}.items():
        rows += [
            _row("POP_TOTAL", period, "REGIO", regio),
            _row("POP_TOTAL", period, "GM0014", groningen),
            _row("POP_TOTAL", period, "GM0037", stadskanaal),
        ]
    for municipality, (av, ah) in {"REGIO": (300, 700), "GM0014": (150, 450), "GM0037": (150, 250)}.items():
        rows += [
            _row("POP_GROUP", "2025-Q2", municipality, av, breakdown="target_group", breakdown_value="AV"),
            _row("POP_GROUP", "2025-Q2", municipality, ah, breakdown="target_group", breakdown_value="AH"),
        ]
    rows += [
        _row("IMP_LLO_12M", "2025-Q1", "REGIO", 240, 990),
        _row("IMP_LLO_12M", "2025-Q2", "REGIO", 250, 1000),
        _row("IMP_LLO_12M", "2025-Q2", "GM0014", 180, 600),
        _row("IMP_LLO_12M", "2025-Q2", "GM0037", 70, 400),
        _row("IMP_LLO_4W_25_64", "2025-Q2", "REGIO", 120, 600),
        _row("IMP_LLO_4W_25_64", "2025-Q2", "GM0014", 84, 350),
        _row("IMP_LLO_4W_25_64", "2025-Q2", "GM0037", 36, 250),
        _row("IMP_AV_UPWARD_12M", "2025-Q1", "REGIO", 45, 300),
    ]
    for rung, count in enumerate((100, 60, 50, 40, 30, 20, 0, 700)):
        rows.append(
            _row("IMP_RUNG_DISTRIBUTION", "2025-Q2", "REGIO", count, 1000, breakdown="rung",
                 breakdown_value=str(rung), suppressed=rung in (5, 6))
        )
    rows += [
        _row("OUT_AV_CONTACTS", "2025-Q2", "REGIO", 52),
        _row("OUT_AV_CONTACTS", "2025-Q2", "REGIO", 30, breakdown="sex", breakdown_value="M"),
        _row("OUT_AV_CONTACTS", "2025-Q2", "REGIO", 22, breakdown="sex", breakdown_value="V"),
        _row("OUT_AV_CONTACTS", "2025-Q2", "REGIO", 40, action="KANSRIJK_OPLEIDEN"),
        _row("OUT_AV_CONTACTS", "2025-Q2", "REGIO", 7, action="WIZ_ACADEMY", suppressed=True),
        _row("OUT_AH_EVENT_PARTICIPANTS", "2025-Q2", "REGIO", 55),
        _row("OUT_WG_REACHED", "2025-Q2", "REGIO", 25),
        _row("OUTC_AV_MOTIVATION", "2025-Q2", "REGIO", 150, 40, action="KANSRIJK_OPLEIDEN"),
        _row("OUTC_AV_MOTIVATION", "2025-Q2", "REGIO", 24, 40, action="KANSRIJK_OPLEIDEN",
             measure="share_positive", unit="share"),
    ]
    for action, (budget, spent, persons) in {"KANSRIJK_OPLEIDEN": (50000, 40000, 80), "WIZ_ACADEMY": (20000, 12000, 6)}.items():
        rows += [
            _row("IN_BUDGET_EUR", "2025-Q2", "REGIO", budget, action=action),
            _row("IN_SPENT_EUR", "2025-Q2", "REGIO", spent, action=action),
            _row("IN_COST_PER_PARTICIPANT", "2025-Q2", "REGIO", spent, persons, action=action, suppressed=persons < 10),
        ]
    return rows


ACTION_EFFECT_COLUMNS = (
    "action_code varchar, target_group varchar, period_type varchar, period varchar, period_start date, "
    "period_end date, is_complete boolean, municipality_code varchar, participants bigint, n_participants bigint, "
    "n_comparison bigint, strata_dropped bigint, participant_rate double, comparison_rate double, "
    "difference_pp double, ci_low_pp double, ci_high_pp double, participant_rate_working double, "
    "comparison_rate_working double, difference_working_pp double, ci_low_working_pp double, "
    "ci_high_working_pp double, label varchar, is_suppressed boolean"
)
DESCRIPTIVE = "beschrijvend, geen causaal effect"


def action_effect_rows() -> list[tuple]:
    window = ("window", "ALL", "2023-04-01", "2024-08-31", True, "REGIO")
    year = ("year", "2024", "2024-01-01", "2024-12-31", True, "REGIO")
    hidden = (None,) * 5
    return [
        ("KANSRIJK_OPLEIDEN", "AV", *window, 52, 50, 800, 1, 0.30, 0.20, 10.0, 2.0, 18.0,
         0.40, 0.30, 10.0, 1.0, 19.0, DESCRIPTIVE, False),
        ("WIZ_ACADEMY", "AH", *window, 30, 30, 900, 0, 0.0, 0.0, 0.0, 0.0, 0.0,
         0.90, 0.85, 5.0, -3.0, 13.0, DESCRIPTIVE, False),
        ("TALENTTOUR", "AV", *window, 25, 25, 700, 0, 0.20, 0.24, -4.0, -20.0, 12.0,
         0.30, 0.32, -2.0, -20.0, 16.0, DESCRIPTIVE, False),
        ("KANSRIJK_TALENT", "AV", *window, None, None, None, 0, *hidden, *hidden, DESCRIPTIVE, True),
        ("KANSRIJK_OPLEIDEN", "AV", *year, 20, 20, 400, 0, 0.25, 0.20, 5.0, -10.0, 20.0,
         0.35, 0.30, 5.0, -12.0, 22.0, DESCRIPTIVE, False),
    ]


DELIVERY_FILES_COLUMNS = (
    "file_path varchar, file_version varchar, file_kind varchar, source_name varchar, supplier_code varchar, "
    "delivery_month varchar, status varchar, is_latest_delivery boolean, rows_read bigint, rows_accepted bigint, "
    "rows_quarantined bigint, bsn_padded_rows bigint, encoding varchar, delimiter varchar, "
    "warning_codes varchar, extra_columns varchar, duplicate_of varchar, message varchar, intake_at timestamp"
)
_FILES = {  # path: (version, kind, source, supplier, read, accepted, quarantined, encoding, warnings)
    "gemeente/GM0014/2025-08/brp_verblijf.csv": ("0a1b2c3d4e5f", "gemeente__brp_verblijf", "gemeente", "GM0014", 1000, 990, 10, "utf-8", "bom"),
    "uwv/2025-08/dienstverbanden.csv": ("1a1b2c3d4e5f", "uwv__dienstverbanden", "uwv", "uwv", 500, 500, 0, "utf-8", None),
    "programma/2025-08/inzet.csv": ("2a1b2c3d4e5f", "programma__inzet", "programma", "programma", 20, 18, 2, "windows-1252", "windows_1252"),
}
DELIVERY_FILES = [
    (path, version, kind, source, supplier, "2025-08", "ACCEPTED", True, read, accepted, quarantined, 0,
     encoding, ";", warnings, None, None, None, "2025-09-01 08:00:00")
    for path, (version, kind, source, supplier, read, accepted, quarantined, encoding, warnings) in _FILES.items()
]
QUARANTINE_REASONS = [  # path, check, column, rows
    ("gemeente/GM0014/2025-08/brp_verblijf.csv", "bsn_elfproef", "bsn", 7),
    ("gemeente/GM0014/2025-08/brp_verblijf.csv", "date_invalid", "datum_uitschrijving", 3),
    ("programma/2025-08/inzet.csv", "code_unknown", "actie_code", 2),
]


def make_warehouse(path: Path, extra_sql: tuple[str, ...] = ()) -> Path:
    """Write the fixture warehouse; extra_sql runs last (to plant problems)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = indicator_rows()
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema published")
        for layer in LAYERS:
            connection.execute(f"create table published.indicator_{layer} ({INDICATOR_COLUMNS})")
            layer_rows = [row for row in rows if row[1] == layer]
            if layer_rows:
                connection.executemany(f"insert into published.indicator_{layer} values ({', '.join('?' * 18)})", layer_rows)
        connection.execute(
            "create view published.indicator_all as "
            + " union all ".join(f"select * from published.indicator_{layer}" for layer in LAYERS)
        )
        connection.execute(f"create table published.action_effect ({ACTION_EFFECT_COLUMNS})")
        connection.executemany(f"insert into published.action_effect values ({', '.join('?' * 24)})", action_effect_rows())
        connection.execute(
            "create table published.dim_period (period_type varchar, period varchar, period_start date, "
            "period_end date, peildatum date, is_complete boolean, as_of_date date)"
        )
        connection.executemany(
            "insert into published.dim_period values (?, ?, ?, ?, ?, ?, ?)",
            [(kind, period, start, end, end, complete, AS_OF_DATE) for period, (kind, start, end, complete) in PERIODS.items()],
        )
        connection.execute("create table published.dim_municipality (municipality_code varchar, municipality_name varchar)")
        connection.execute(
            "insert into published.dim_municipality values "
            "('REGIO', 'Groningen & Noord-Drenthe'), ('GM0014', 'Groningen'), ('GM0037', 'Stadskanaal')"
        )
        connection.execute(
            "create table published.dim_action as select * from read_csv(?, header = true, all_varchar = true) "
            "union all select 'ALLE', 'Alle acties', null, null",
            [str(PROJECT_DIR / "seeds" / "actions.csv")],
        )
        connection.execute(
            "create table published.dim_indicator as select * from read_csv(?, header = true, all_varchar = true)",
            [str(PROJECT_DIR / "seeds" / "indicators.csv")],
        )
        connection.execute(f"create table published.delivery_files ({DELIVERY_FILES_COLUMNS})")
        connection.executemany(f"insert into published.delivery_files values ({', '.join('?' * 19)})", DELIVERY_FILES)
        connection.execute(
            "create table published.delivery_quarantine_reasons as "
            "select file_path, file_version, file_kind, source_name, supplier_code, delivery_month, "
            "check_code, column_name, reasons.rows_quarantined "
            "from (values " + ", ".join("(?, ?, ?, ?)" for _ in QUARANTINE_REASONS) + ") "
            "as reasons (file_path, check_code, column_name, rows_quarantined) "
            "inner join published.delivery_files using (file_path)",
            [value for row in QUARANTINE_REASONS for value in row],
        )
        # Restricted, person level: must stay in the warehouse.
        connection.execute(
            "create table main.werkdefinitie_population as "
            f"select '{PSEUDONYM}' as person_id, date '2025-06-30' as peildatum, 'GM0014' as municipality_code"
        )
        for statement in extra_sql:
            connection.execute(statement)
    return path


def make_empty_warehouse(path: Path) -> Path:
    """Schema `published` with the public tables but no rows at all."""
    make_warehouse(path)
    with duckdb.connect(str(path)) as connection:
        for (name, kind) in connection.execute(
            "select table_name, table_type from information_schema.tables where table_schema = 'published'"
        ).fetchall():
            if kind == "BASE TABLE":
                connection.execute(f"delete from published.{name}")
    return path


def write_run_results(
    target: Path, statuses: dict[str, str] | None = None, command: str = "build", tests: set[str] | None = None,
) -> Path:
    """A dbt run_results.json as dbt writes it, with the given result statuses, and a
    manifest.json whose tests are `tests` (default: the test ids among the statuses)."""
    statuses = {"model.llo_monitor.indicator_all": "success", "test.llo_monitor.not_null_x": "pass"} if statuses is None else statuses
    if tests is None:
        tests = {unique_id for unique_id in statuses if unique_id.startswith(("test.", "unit_test."))}
    target.mkdir(parents=True, exist_ok=True)
    manifest = {
        "nodes": {unique_id: {"resource_type": "test", "config": {"enabled": True}}
                  for unique_id in tests if unique_id.startswith("test.")},
        "unit_tests": {unique_id: {} for unique_id in tests if unique_id.startswith("unit_test.")},
    }
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    report = {
        "metadata": {"invocation_id": "fixture-invocation", "generated_at": "2025-09-01T10:00:00Z"},
        "args": {"which": command},
        "results": [{"unique_id": unique_id, "status": status} for unique_id, status in statuses.items()],
    }
    (target / "run_results.json").write_text(json.dumps(report), encoding="utf-8")
    return target


def publish_pipeline(pipeline: object, root: Path) -> Paths:
    """Publish the shared pipeline fixture's warehouse (generated demo data) into root,
    leaving the pipeline's own data dir as it is."""
    paths = Paths(data_dir=root / "data", landing_dir=root / "landing")
    paths.data_dir.mkdir(parents=True)
    (paths.data_dir / "warehouse").symlink_to(pipeline.paths.warehouse_path.parent, target_is_directory=True)
    publish(paths, pipeline.dbt_target)
    return paths
