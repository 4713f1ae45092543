"""The LLO monitor dashboard (`llo dashboard`): the partners' view of the published file.

Streamlit, Dutch labels, read-only. Every figure comes from the published database
($LLO_DATA_DIR/publish/llo_monitor.duckdb, or $LLO_PUBLISHED_DB); nothing here
computes an indicator, it only selects, formats and draws. The connection is
reopened as soon as `llo publish` has swapped in a new file. The page can be
chosen in the sidebar or with the URL parameter `?pagina=<slug>`. With
$LLO_DASHBOARD_QUERY_LOG naming a file, every query run on DuckDB (not those
answered from the cache) appends a JSON line {"sql", "parameters", "seconds"} to it.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import streamlit as st

from llo.contract import FILE_REJECTION, ROW_CHECKS
from llo.settings import paths

PUBLISHED_DB_ENV = "LLO_PUBLISHED_DB"
QUERY_LOG_ENV = "LLO_DASHBOARD_QUERY_LOG"
REGION = "REGIO"
ALL_ACTIONS = "ALLE"
ALL_GROUPS = "ALL"
TOTAL = "TOTAAL"

GROUP_LABELS = {
    ALL_GROUPS: "Alle doelgroepen",
    "AV": "Aansluiting vinden",
    "AH": "Aansluiting houden",
    "WG": "Werkgevers",
}
MEASURE_LABELS = {
    "value": "waarde",
    "share_positive": "aandeel positief",
    "share_improved": "aandeel verbeterd",
    "mean_change": "gemiddelde verandering",
}
BREAKDOWN_LABELS = {
    TOTAL: "Totaal",
    "age_band": "Leeftijdsgroep",
    "sex": "Geslacht",
    "benefit_type": "Uitkering",
    "target_group": "Doelgroep",
    "rung": "Trede",
    "measurement": "Meting",
    "reached": "Werkgever bereikt",
}
LAYER_LABELS = {"context": "Context", "input": "Input", "output": "Output", "outcome": "Outcome", "impact": "Impact"}
# definitions.md section 2: the rungs of the WIZ position ladder.
RUNG_LABELS = {
    "0": "0 Niet actief",
    "1": "1 Activering",
    "2": "2 Maatschappelijke participatie",
    "3": "3 Ontwikkelen",
    "4": "4 Werkervaring, proefplaatsing, LKS",
    "5": "5 Parttime inkomsten met ondersteuning",
    "6": "6 Werk met ondersteuning of nazorg",
    "7": "7 Werk zonder ondersteuning",
}


@dataclass(frozen=True)
class Reference:
    area: str
    year: int
    percentage: float
    source: str
    url: str


# Reference windows for the 4-week LLO participation of 25-64 year-olds (indicator
# IMP_LLO_4W_25_64, the window Eurostat uses). The policy note cites no figures of its
# own; these are the published national and EU values, with their source.
REFERENCES_4_WEEKS = (
    Reference(
        "Nederland", 2023, 26.4,
        "CBS StatLine 85315NED, Leven lang ontwikkelen; bevolking (15 tot 75 jaar), 25 tot 65 jaar: "
        "2.434 van 9.219 duizend",
        "https://www.cbs.nl/nl-nl/cijfers/detail/85315NED",
    ),
    Reference(
        "EU-27", 2022, 11.9,
        "Eurostat, Adult learning statistics (Statistics Explained, data extracted May 2023)",
        "https://ec.europa.eu/eurostat/statistics-explained/index.php?title=Adult_learning_statistics",
    ),
)
NAME_AXIS = alt.Axis(labelLimit=360)  # names of actions and rungs are long; do not cut them off
DESCRIPTIVE_NOTE = (
    "Beschrijvend, geen causaal effect: deelnemers worden vergeleken met niet-deelnemers in dezelfde "
    "doelgroep, trede, leeftijdsgroep en uitkeringssituatie. Andere verschillen tussen de groepen "
    "kunnen het verschil (mede) verklaren."
)


def published_path() -> Path:
    configured = os.environ.get(PUBLISHED_DB_ENV)
    return Path(configured).expanduser().resolve() if configured else paths().published_db


def file_identity(path: Path) -> tuple[int, int, int] | None:
    """Changes whenever `llo publish` swaps in a new file (new inode), None when absent."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return (status.st_ino, status.st_mtime_ns, status.st_size)


def log_query(sql: str, parameters: tuple, seconds: float) -> None:
    """One JSON line in $LLO_DASHBOARD_QUERY_LOG, when set (bench/run.py times these queries)."""
    log = os.environ.get(QUERY_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"sql": sql, "parameters": list(parameters), "seconds": seconds}) + "\n")


class PublishedFile:
    """One read-only connection to the published file, reopened when the file is replaced.

    Queries run one at a time under a lock: when the file changes, the old connection is
    closed with no query in flight, so DuckDB drops its instance of the old file and
    the next connection opens the new one.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[int, int, int] | None = None

    def query(self, sql: str, parameters: tuple = ()) -> pd.DataFrame:
        with self._lock:
            identity = file_identity(self.path)
            if identity != self._identity or self._connection is None:
                self._close()
                if identity is None:
                    return pd.DataFrame()
                self._connection = duckdb.connect(str(self.path), read_only=True)
                self._identity = identity
            started = time.perf_counter()
            frame = self._connection.execute(sql, list(parameters)).df()
            log_query(sql, parameters, time.perf_counter() - started)
            return frame

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        self._identity = None


@st.cache_resource(show_spinner=False)
def _published_file(path: str) -> PublishedFile:
    return PublishedFile(Path(path))


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_query(path: str, identity: tuple[int, int, int] | None, sql: str, parameters: tuple) -> pd.DataFrame:
    """Results are cached per published build: the file identity is part of the key."""
    return _published_file(path).query(sql, parameters)


class Data:
    """What the pages read: cached queries on the current published file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity = file_identity(path)

    def query(self, sql: str, *parameters: object) -> pd.DataFrame:
        if self.identity is None:
            return pd.DataFrame()
        return _cached_query(str(self.path), self.identity, sql, tuple(parameters))

    def tables(self) -> set[str]:
        frame = self.query("select table_name from information_schema.tables where table_schema = 'main'")
        return set(frame["table_name"]) if not frame.empty else set()

    def has_rows(self, table: str) -> bool:
        if table not in self.tables():
            return False
        return not self.query(f"select 1 from {table} limit 1").empty

    def metadata(self) -> dict[str, object]:
        if "monitor_metadata" not in self.tables():
            return {}
        frame = self.query("select * from monitor_metadata")
        return {} if frame.empty else frame.iloc[0].to_dict()

    def min_cell_size(self) -> int:
        value = self.metadata().get("min_cell_size")
        return 10 if value is None or pd.isna(value) else int(value)

    def indicators(self, where: str, *parameters: object) -> pd.DataFrame:
        """Rows of indicator_all with the indicator's Dutch name, filtered by `where`."""
        if not self.has_rows("indicator_all"):
            return pd.DataFrame()
        names = "dim_indicator" in self.tables()
        sql = f"""
            select rows.*, {'coalesce(dim.name_nl, rows.indicator_code)' if names else 'rows.indicator_code'} as name_nl
            from indicator_all as rows
            {'left join dim_indicator as dim on dim.indicator_code = rows.indicator_code' if names else ''}
            where {where}
            order by rows.indicator_code, rows.measure <> 'value', rows.measure, rows.period_end, rows.breakdown,
                rows.breakdown_value
        """
        return self.query(sql, *parameters)


@dataclass(frozen=True)
class Filters:
    period_type: str
    period: str | None
    municipality: str
    target_group: str
    action: str


# --- formatting ----------------------------------------------------------------------


def _dutch_number(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _plain_number(value: object) -> str:
    """A numerator or denominator as text: empty when there is none (counts, suppressed cells)."""
    if value is None or pd.isna(value):
        return ""
    number = float(value)
    return _dutch_number(number, 0 if number.is_integer() else 2)


def format_value(value: object, unit: str, is_suppressed: bool, min_cell_size: int) -> str:
    """How a cell reads on screen; a suppressed cell reads '< 10'."""
    if is_suppressed:
        return f"< {min_cell_size}"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    number = float(value)
    if unit == "share":
        return _dutch_number(100 * number, 1) + "%"
    if unit == "eur":
        return "€ " + _dutch_number(number, 0)
    if unit == "mean":
        return _dutch_number(number, 2)
    if unit in ("fte", "hours"):
        return _dutch_number(number, 1)
    if unit == "points":
        return ("+" if number > 0 else "") + _dutch_number(number, 1) + " pp"
    return _dutch_number(number, 0)


def period_label(period: str) -> str:
    year, _, quarter = period.partition("-Q")
    return f"{year} kwartaal {quarter}" if quarter else year


def display_indicators(rows: pd.DataFrame, min_cell_size: int, municipality_names: dict[str, str]) -> pd.DataFrame:
    """The indicator rows as a Dutch table; suppressed cells read '< 10'."""
    if rows.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "Indicator": rows["name_nl"],
            "Maat": rows["measure"].map(lambda code: MEASURE_LABELS.get(code, code)),
            "Waarde": [
                format_value(value, unit, bool(suppressed), min_cell_size)
                for value, unit, suppressed in zip(rows["value"], rows["unit"], rows["is_suppressed"])
            ],
            "Teller": rows["numerator"].map(_plain_number),
            "Noemer": rows["denominator"].map(_plain_number),
            "Uitsplitsing": rows["breakdown"].map(lambda code: BREAKDOWN_LABELS.get(code, code)),
            "Waarde uitsplitsing": rows["breakdown_value"],
            "Periode": rows["period"] + rows["is_complete"].map({True: "", False: " (onvolledig)"}).fillna(""),
            "Gemeente": rows["municipality_code"].map(lambda code: municipality_names.get(code, code)),
            "Doelgroep": rows["target_group"].map(lambda code: GROUP_LABELS.get(code, code)),
            "Actie": rows["action_code"].map(lambda code: "Alle acties" if code == ALL_ACTIONS else code),
            "Code": rows["indicator_code"],
        }
    ).reset_index(drop=True)


def show_table(frame: pd.DataFrame, name: str) -> None:
    """A table on screen plus its CSV download (Dutch Excel: ';' and decimal comma)."""
    if frame.empty:
        st.info("Geen gegevens voor deze selectie.")
        return
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        "Download als CSV",
        frame.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"download_{name}",
    )


def show_chart(chart: alt.Chart) -> None:
    st.altair_chart(chart, width="stretch")


def no_data(what: str) -> None:
    st.info(f"Nog geen gegevens over {what} in de gepubliceerde database.")


# --- filters -------------------------------------------------------------------------


def municipality_names(data: Data) -> dict[str, str]:
    names = {REGION: "Hele regio"}
    if data.has_rows("dim_municipality"):
        frame = data.query(
            "select municipality_code, municipality_name from dim_municipality where municipality_code <> ? "
            "order by municipality_name",
            REGION,
        )
        names |= dict(zip(frame["municipality_code"], frame["municipality_name"]))
    return names


def action_names(data: Data) -> dict[str, str]:
    names = {ALL_ACTIONS: "Alle acties"}
    if data.has_rows("dim_action"):
        frame = data.query("select action_code, action_name from dim_action where action_code <> ? order by action_name",
                           ALL_ACTIONS)
        names |= dict(zip(frame["action_code"], frame["action_name"]))
    return names


def sidebar_filters(data: Data) -> Filters:
    sidebar = st.sidebar
    sidebar.subheader("Filters")
    period_type = sidebar.radio(
        "Soort periode", ["quarter", "year"], format_func={"quarter": "Kwartaal", "year": "Jaar"}.get,
        horizontal=True, key="period_type",
    )
    periods = pd.DataFrame()
    if data.has_rows("indicator_all"):
        # dim_period lists every period up to the as-of date; reading it spares a scan of indicator_all
        source = "dim_period" if data.has_rows("dim_period") else "indicator_all"
        periods = data.query(
            f"select period, bool_and(is_complete) as is_complete from {source} "
            "where period_type = ? group by period order by max(period_end) desc",
            period_type,
        )
    options = list(periods["period"]) if not periods.empty else []
    complete = list(periods.loc[periods["is_complete"], "period"]) if not periods.empty else []
    default = options.index(complete[0]) if complete else 0
    incomplete = set(options) - set(complete)
    period = sidebar.selectbox(
        "Periode", options, index=default if options else None,
        format_func=lambda code: period_label(code) + (" (onvolledig)" if code in incomplete else ""),
        key=f"period_{period_type}",
    )
    municipalities = municipality_names(data)
    municipality = sidebar.selectbox("Gemeente", list(municipalities), format_func=municipalities.get, key="municipality")
    target_group = sidebar.selectbox("Doelgroep", list(GROUP_LABELS), format_func=GROUP_LABELS.get, key="target_group")
    actions = action_names(data)
    action = sidebar.selectbox("Actie", list(actions), format_func=actions.get, key="action")
    return Filters(period_type, period, municipality, target_group, action)


# --- pages ---------------------------------------------------------------------------


def headline(data: Data, code: str, filters: Filters) -> pd.Series | None:
    rows = data.indicators(
        "rows.indicator_code = ? and rows.period = ? and rows.municipality_code = ? "
        "and rows.target_group = 'ALL' and rows.action_code = 'ALLE' and rows.breakdown = 'TOTAAL' "
        "and rows.measure = 'value'",
        code, filters.period, filters.municipality,
    )
    return None if rows.empty else rows.iloc[0]


def metric(data: Data, label: str, row: pd.Series | None) -> None:
    if row is None:
        st.metric(label, "–")
    else:
        st.metric(label, format_value(row["value"], row["unit"], bool(row["is_suppressed"]), data.min_cell_size()))


def page_overview(data: Data, filters: Filters) -> None:
    names = municipality_names(data)
    st.caption(f"{names.get(filters.municipality, filters.municipality)}, {period_label(filters.period or '')}. "
               "Filters doelgroep en actie gelden niet voor deze pagina.")
    if not data.has_rows("indicator_all"):
        no_data("indicatoren")
        return
    columns = st.columns(3)
    with columns[0]:
        metric(data, "Inwoners 15 tot 75 jaar", headline(data, "POP_TOTAL", filters))
    with columns[1]:
        metric(data, "Deelname leven lang ontwikkelen (12 maanden)", headline(data, "IMP_LLO_12M", filters))
    four_weeks = headline(data, "IMP_LLO_4W_25_64", filters)
    with columns[2]:
        metric(data, "Deelname 25-64 jaar (4 weken)", four_weeks)

    st.subheader("Deelname in de laatste 4 weken, vergeleken met Nederland en de EU")
    comparison = [
        {"Gebied": f"{reference.area} ({reference.year})", "Deelname (%)": reference.percentage, "Bron": reference.source}
        for reference in REFERENCES_4_WEEKS
    ]
    if four_weeks is not None and not four_weeks["is_suppressed"] and pd.notna(four_weeks["value"]):
        comparison.insert(0, {
            "Gebied": f"{names.get(filters.municipality, filters.municipality)} ({filters.period})",
            "Deelname (%)": round(100 * float(four_weeks["value"]), 1),
            "Bron": "LLO-monitor",
        })
    frame = pd.DataFrame(comparison)
    show_chart(
        alt.Chart(frame).mark_bar().encode(
            x=alt.X("Deelname (%):Q", title="Deelname aan formeel of non-formeel leren (%)"),
            y=alt.Y("Gebied:N", sort=None, title=None, axis=NAME_AXIS),
            tooltip=["Gebied", "Deelname (%)", "Bron"],
        )
    )
    st.caption("Bronnen: " + "; ".join(f"[{reference.source}]({reference.url})" for reference in REFERENCES_4_WEEKS)
               + ". De monitor telt registraties, CBS en Eurostat een enquête: vergelijk de orde van grootte.")
    show_table(frame, "deelname_referentie")

    st.subheader("Deelname leven lang ontwikkelen (12 maanden) door de tijd")
    trend = data.indicators(
        "rows.indicator_code = 'IMP_LLO_12M' and rows.period_type = ? and rows.municipality_code = ? "
        "and rows.target_group = 'ALL' and rows.action_code = 'ALLE' and rows.breakdown = 'TOTAAL' "
        "and rows.measure = 'value'",
        filters.period_type, filters.municipality,
    )
    trend_chart(trend, data)

    st.subheader("Inwoners per doelgroep")
    groups = data.indicators(
        "rows.indicator_code = 'POP_GROUP' and rows.period = ? and rows.municipality_code = ? "
        "and rows.target_group = 'ALL' and rows.action_code = 'ALLE' and rows.breakdown = 'target_group' "
        "and rows.measure = 'value'",
        filters.period, filters.municipality,
    )
    if not groups.empty:
        groups = groups.assign(Doelgroep=groups["breakdown_value"].map(lambda code: GROUP_LABELS.get(code, code)))
        show_chart(
            alt.Chart(groups).mark_bar().encode(
                x=alt.X("value:Q", title="Inwoners"), y=alt.Y("Doelgroep:N", title=None, axis=NAME_AXIS),
                tooltip=["Doelgroep", alt.Tooltip("value:Q", title="Inwoners")],
            )
        )
    show_table(display_indicators(groups, data.min_cell_size(), names), "inwoners_per_doelgroep")


def trend_chart(rows: pd.DataFrame, data: Data, title: str = "Waarde") -> None:
    if rows.empty:
        st.info("Geen gegevens voor deze selectie.")
        return
    share = (rows["unit"] == "share").all()
    frame = rows.assign(
        Periode=rows["period"],
        Waarde=rows["value"] * (100 if share else 1),
        Indicator=rows["name_nl"],
    )
    show_chart(
        alt.Chart(frame).mark_line(point=True).encode(
            x=alt.X("Periode:N", sort=list(frame.sort_values("period_end")["Periode"].unique()),
                    axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("Waarde:Q", title=f"{title} (%)" if share else title),
            color=alt.Color("Indicator:N", legend=alt.Legend(orient="bottom", labelLimit=400, columns=1)),
            tooltip=["Indicator", "Periode", alt.Tooltip("Waarde:Q", format=".1f")],
        )
    )
    if rows["is_suppressed"].any():
        st.caption(f"Onderdrukte waarden (< {data.min_cell_size()}) ontbreken in de grafiek.")


def page_ladder(data: Data, filters: Filters) -> None:
    names = municipality_names(data)
    st.caption(f"{names.get(filters.municipality, filters.municipality)}, {period_label(filters.period or '')}.")
    if not data.has_rows("indicator_all"):
        no_data("de positieladder")
        return
    st.subheader("Verdeling over de treden")
    rungs = data.indicators(
        "rows.indicator_code = 'IMP_RUNG_DISTRIBUTION' and rows.period = ? and rows.municipality_code = ? "
        "and rows.target_group = 'ALL' and rows.action_code = 'ALLE' and rows.breakdown = 'rung' "
        "and rows.measure = 'value'",
        filters.period, filters.municipality,
    )
    if not rungs.empty:
        frame = rungs.assign(
            Trede=rungs["breakdown_value"].map(lambda rung: RUNG_LABELS.get(str(rung), str(rung))),
            Aandeel=rungs["value"] * 100,
        )
        show_chart(
            alt.Chart(frame).mark_bar().encode(
                x=alt.X("Aandeel:Q", title="Aandeel van de inwoners 15-74 (%)"),
                y=alt.Y("Trede:N", sort=list(RUNG_LABELS.values()), title=None, axis=NAME_AXIS),
                tooltip=["Trede", alt.Tooltip("Aandeel:Q", format=".1f")],
            )
        )
        if rungs["is_suppressed"].any():
            st.caption(f"Treden met minder dan {data.min_cell_size()} personen (en zo nodig een tweede) zijn onderdrukt.")
    show_table(display_indicators(rungs, data.min_cell_size(), names), "verdeling_treden")

    st.subheader("Beweging op de ladder binnen 12 maanden")
    movement = data.indicators(
        "rows.indicator_code in ('IMP_AV_UPWARD_12M', 'IMP_AV_TO_WORK_12M', 'IMP_AV_DURABLE_WORK') "
        "and rows.period_type = ? and rows.municipality_code = ? and rows.action_code = 'ALLE' "
        "and rows.breakdown = 'TOTAAL' and rows.measure = 'value'",
        filters.period_type, filters.municipality,
    )
    st.caption("Cohort op de eerste dag van de periode, gevolgd tot 12 maanden later; periodes waarvan die "
               "12 maanden nog niet voorbij zijn ontbreken.")
    trend_chart(movement, data)
    show_table(display_indicators(movement, data.min_cell_size(), names), "beweging_ladder")


def group_page(group: str) -> Callable[[Data, Filters], None]:
    """The page of one target group: its output, outcome and impact indicators."""

    def page(data: Data, filters: Filters) -> None:
        names = municipality_names(data)
        actions = action_names(data)
        st.caption(
            f"{names.get(filters.municipality, filters.municipality)}, {period_label(filters.period or '')}, "
            f"{actions.get(filters.action, filters.action)}. De doelgroep staat vast op deze pagina."
        )
        if not data.has_rows("indicator_all"):
            no_data(GROUP_LABELS[group].lower())
            return
        where = ("rows.target_group = ? and rows.municipality_code = ? and rows.action_code = ? "
                 "and rows.layer in ('output', 'outcome', 'impact')")
        breakdowns = data.query(
            "select distinct breakdown from indicator_all where target_group = ? order by breakdown <> 'TOTAAL', breakdown",
            group,
        )
        options = list(breakdowns["breakdown"]) if not breakdowns.empty else [TOTAL]
        breakdown = st.selectbox("Uitsplitsing", options, format_func=lambda code: BREAKDOWN_LABELS.get(code, code),
                                 key=f"breakdown_{group}")
        rows = data.indicators(where + " and rows.period = ? and rows.breakdown = ?",
                               group, filters.municipality, filters.action, filters.period, breakdown)
        for layer in ("output", "outcome", "impact"):
            st.subheader(f"{LAYER_LABELS[layer]}indicatoren")
            layer_rows = rows[rows["layer"] == layer] if not rows.empty else rows
            show_table(display_indicators(layer_rows, data.min_cell_size(), names), f"{group.lower()}_{layer}")
        st.subheader("Ontwikkeling door de tijd")
        history = data.indicators(where + " and rows.period_type = ? and rows.breakdown = 'TOTAAL' and rows.measure = 'value'",
                                  group, filters.municipality, filters.action, filters.period_type)
        if history.empty:
            st.info("Geen gegevens voor deze selectie.")
            return
        choices = dict(zip(history["indicator_code"], history["name_nl"]))
        chosen = st.selectbox("Indicator", list(choices), format_func=choices.get, key=f"trend_{group}")
        trend_chart(history[history["indicator_code"] == chosen], data)

    return page


def page_inputs(data: Data, filters: Filters) -> None:
    actions = action_names(data)
    st.caption(f"{period_label(filters.period or '')}, per actie (regio). "
               "Geldbedragen worden niet onderdrukt; kosten per deelnemer wel als er minder dan "
               f"{data.min_cell_size()} deelnemers zijn.")
    if not data.has_rows("indicator_all"):
        no_data("inzet en kosten")
        return
    action_filter = "" if filters.action == ALL_ACTIONS else " and rows.action_code = ?"
    parameters: tuple = (filters.period,) + (() if filters.action == ALL_ACTIONS else (filters.action,))
    rows = data.indicators(
        "rows.layer = 'input' and rows.period = ? and rows.breakdown = 'TOTAAL' and rows.measure = 'value'"
        + action_filter, *parameters
    )
    if rows.empty:
        st.info("Geen gegevens voor deze selectie.")
        return
    rows = rows.assign(Actie=rows["action_code"].map(lambda code: actions.get(code, code)))
    per_action = rows[rows["action_code"] != ALL_ACTIONS] if filters.action == ALL_ACTIONS else rows  # the total dwarfs them
    money = per_action[per_action["indicator_code"].isin(["IN_BUDGET_EUR", "IN_SPENT_EUR"])]
    if not money.empty:
        st.subheader("Begroot en besteed per actie")
        show_chart(
            alt.Chart(money).mark_bar().encode(
                x=alt.X("value:Q", title="Euro"), y=alt.Y("Actie:N", title=None, axis=NAME_AXIS),
                color=alt.Color("name_nl:N", title=None, legend=alt.Legend(orient="bottom")),
                yOffset="name_nl:N",
                tooltip=["Actie", "name_nl", alt.Tooltip("value:Q", format=",.0f")],
            )
        )
    cost = per_action[(per_action["indicator_code"] == "IN_COST_PER_PARTICIPANT") & per_action["value"].notna()]
    if not cost.empty:
        st.subheader("Kosten per deelnemer")
        st.caption(f"Acties met minder dan {data.min_cell_size()} deelnemers staan niet in de grafiek (\"< "
                   f"{data.min_cell_size()}\" in de tabel).")
        show_chart(
            alt.Chart(cost).mark_bar().encode(
                x=alt.X("value:Q", title="Euro per deelnemer"), y=alt.Y("Actie:N", sort="-x", title=None, axis=NAME_AXIS),
                tooltip=["Actie", alt.Tooltip("value:Q", format=",.0f"), alt.Tooltip("denominator:Q", title="Deelnemers")],
            )
        )
    st.subheader("Alle inputindicatoren")
    table = rows.assign(
        Waarde=[format_value(value, unit, bool(suppressed), data.min_cell_size())
                for value, unit, suppressed in zip(rows["value"], rows["unit"], rows["is_suppressed"])]
    ).pivot_table(index="Actie", columns="name_nl", values="Waarde", aggfunc="first").reset_index()
    table.columns.name = None
    show_table(table, "inzet_en_kosten")


# The two outcomes of definitions.md section 7: column suffix and Dutch description.
OUTCOMES = {
    "": "hoger op de ladder 12 maanden na de start",
    "_working": "werkend 12 maanden na de start",
}
WINDOW = "window"  # action_effect's period_type for the whole monitoring window


def effect_period_label(period_type: str, period: str) -> str:
    return "hele monitorperiode" if period_type == WINDOW else period_label(period)


def page_what_works(data: Data, filters: Filters) -> None:
    names = municipality_names(data)
    actions = action_names(data)
    st.warning(DESCRIPTIVE_NOTE)
    if not data.has_rows("action_effect"):
        no_data("wat werkt voor wie")
        return
    measured = data.query(
        "select period_type, period from action_effect group by period_type, period "
        "order by period_type = ? desc, max(period_end) desc",
        WINDOW,
    )
    options = list(zip(measured["period_type"], measured["period"]))
    chosen = (filters.period_type, filters.period)
    if chosen not in options:
        st.info(f"Wat werkt is niet per {period_label(filters.period or '').lower() or 'periode'} beschikbaar: de "
                "uitkomst wordt 12 maanden na de start gemeten. Kies hieronder een periode.")
    period_type, period = st.selectbox(
        "Periode van de start", options, index=options.index(chosen) if chosen in options else 0,
        format_func=lambda option: effect_period_label(*option), key="effect_period",
    )
    suffix = st.radio("Uitkomst", list(OUTCOMES), format_func=OUTCOMES.get, horizontal=True, key="effect_outcome")
    conditions = ["period_type = ?", "period = ?", "municipality_code = ?"]
    parameters: list[object] = [period_type, period, filters.municipality]
    if filters.target_group != ALL_GROUPS:
        conditions.append("target_group = ?")
        parameters.append(filters.target_group)
    if filters.action != ALL_ACTIONS:
        conditions.append("action_code = ?")
        parameters.append(filters.action)
    effects = data.query(
        f"select * from action_effect where {' and '.join(conditions)} "
        f"order by is_suppressed, difference{suffix}_pp desc nulls last, action_code",
        *parameters,
    )
    st.caption(f"{names.get(filters.municipality, filters.municipality)}, {effect_period_label(period_type, period)}: "
               f"verschil in procentpunten tussen deelnemers en vergelijkbare niet-deelnemers in het aandeel "
               f"{OUTCOMES[suffix]}, met 95%-interval.")
    if effects.empty:
        st.info("Geen gegevens voor deze selectie.")
        return
    min_cell_size = data.min_cell_size()
    frame = effects.assign(
        Actie=effects["action_code"].map(lambda code: actions.get(code, code))
        + " (" + effects["target_group"].map(lambda code: GROUP_LABELS.get(code, code)) + ")",
        difference=effects[f"difference{suffix}_pp"],
        low=effects[f"ci_low{suffix}_pp"],
        high=effects[f"ci_high{suffix}_pp"],
    )
    shown = frame[~frame["is_suppressed"].astype(bool)]
    if suffix == "" and (shown["target_group"] == "AH").any():
        # AH is rung 7, the top of the ladder: its 0 against 0 would crowd the ranking
        shown = shown[shown["target_group"] != "AH"]
        st.caption("Aansluiting houden staat al op de hoogste trede (7) en kan niet hoger: die rijen staan alleen in "
                   f"de tabel. Kies '{OUTCOMES['_working']}' om ook deze groep te vergelijken.")
    if not shown.empty:
        base = alt.Chart(shown).encode(y=alt.Y("Actie:N", sort=list(shown["Actie"]), title=None, axis=NAME_AXIS))
        show_chart(
            alt.layer(
                base.mark_rule().encode(x=alt.X("low:Q", title="Verschil deelnemers - vergelijkingsgroep (pp)"),
                                        x2="high:Q"),
                base.mark_point(filled=True, size=80).encode(
                    x="difference:Q",
                    tooltip=["Actie", alt.Tooltip("difference:Q", title="Verschil (pp)", format=".1f"),
                             alt.Tooltip("low:Q", title="Interval van", format=".1f"),
                             alt.Tooltip("high:Q", title="Interval tot", format=".1f"),
                             alt.Tooltip("n_participants:Q", title="Deelnemers")],
                ),
                alt.Chart(pd.DataFrame({"nul": [0]})).mark_rule(strokeDash=[4, 4]).encode(x="nul:Q"),
            ).properties(height=max(120, 28 * len(shown)))
        )
    hidden = frame["is_suppressed"].astype(bool)
    suppressed_text = f"< {min_cell_size}"

    def counts(column: str) -> list[str]:
        return [suppressed_text if secret else "–" if pd.isna(n) else _dutch_number(n, 0)
                for n, secret in zip(frame[column], hidden)]

    def shares(column: str) -> list[str]:
        return [format_value(rate, "share", secret, min_cell_size) for rate, secret in zip(frame[column], hidden)]

    table = pd.DataFrame({
        "Actie": frame["Actie"],
        "Deelnemers": counts("n_participants"),
        "Vergelijkingsgroep": counts("n_comparison"),
        "Deelnemers (%)": shares(f"participant_rate{suffix}"),
        "Vergelijkingsgroep (%)": shares(f"comparison_rate{suffix}"),
        "Verschil": [format_value(diff, "points", secret, min_cell_size) for diff, secret in zip(frame["difference"], hidden)],
        "95%-interval": ["" if secret or pd.isna(low) else f"{_dutch_number(low, 1)} tot {_dutch_number(high, 1)}"
                         for low, high, secret in zip(frame["low"], frame["high"], hidden)],
        "Strata weggelaten": frame["strata_dropped"],
    })
    show_table(table, "wat_werkt_voor_wie")


# Dutch names of the quarantine checks (llo.contract.ROW_CHECKS has them in English).
CHECK_LABELS = {
    "duplicate_row": "dubbele regel",
    "field_count": "aantal velden klopt niet",
    "required_missing": "verplichte waarde ontbreekt",
    "bsn_format": "bsn is geen 1-9 cijfers",
    "bsn_elfproef": "bsn voldoet niet aan de elfproef",
    "date_invalid": "geen geldige datum",
    "number_invalid": "geen geldig getal",
    "bool_invalid": "geen J/N-waarde",
    "code_unknown": "onbekende code",
    "out_of_range": "getal buiten het toegestane bereik",
    "date_order": "begindatum na einddatum",
    "id_not_unique": "id komt vaker voor",
    "reference_missing": "verwijzing bestaat niet",
    FILE_REJECTION: "verplichte kolom ontbreekt (bestand afgewezen)",
}
FILE_COLUMNS = {
    "file_path": "Bestand", "supplier_code": "Leverancier", "delivery_month": "Maand", "status": "Status",
    "rows_read": "Gelezen", "rows_accepted": "Geaccepteerd", "rows_quarantined": "Quarantaine",
    "encoding": "Codering", "warning_codes": "Waarschuwingen", "is_latest_delivery": "In gebruik",
}


def check_label(code: str) -> str:
    return CHECK_LABELS.get(code) or ROW_CHECKS.get(code, code)


def page_delivery(data: Data, filters: Filters) -> None:
    st.caption("Hoe compleet en correct de aanleveringen van de partners zijn: alleen aantallen regels, geen inhoud. "
               "Het filter gemeente toont de aanleveringen van die gemeente.")
    metadata = data.metadata()
    if metadata:
        columns = st.columns(4)
        for column, (label, key) in zip(columns, [("Aanleveringen", "deliveries"), ("Regels gelezen", "rows_read"),
                                                  ("Regels geaccepteerd", "rows_accepted"),
                                                  ("Regels in quarantaine", "rows_quarantined")]):
            value = metadata.get(key)
            column.metric(label, "–" if value is None or pd.isna(value) else _dutch_number(float(value), 0))
    if not data.has_rows("delivery_files"):
        no_data("de aanleveringen")
        return
    supplier_filter = "" if filters.municipality == REGION else " where supplier_code = ?"
    parameters = () if filters.municipality == REGION else (filters.municipality,)
    st.subheader("Quarantaine per reden")
    if "delivery_quarantine_reasons" in data.tables():
        reasons = data.query(
            f"select check_code, sum(rows_quarantined) as rows_quarantined from delivery_quarantine_reasons"
            f"{supplier_filter} group by check_code order by rows_quarantined desc, check_code",
            *parameters,
        )
        if not reasons.empty:
            reasons = reasons.assign(Reden=reasons["check_code"].map(check_label))
            show_chart(
                alt.Chart(reasons).mark_bar().encode(
                    x=alt.X("rows_quarantined:Q", title="Regels in quarantaine"),
                    y=alt.Y("Reden:N", sort="-x", title=None, axis=NAME_AXIS),
                    tooltip=["Reden", "check_code", "rows_quarantined"],
                )
            )
            reasons = reasons[["Reden", "check_code", "rows_quarantined"]]
        show_table(reasons.rename(columns={"check_code": "Code", "rows_quarantined": "Regels in quarantaine"}),
                   "quarantaine_per_reden")
    st.subheader("Aangeleverde bestanden")
    files = data.query(
        f"select * from delivery_files{supplier_filter} order by delivery_month desc, source_name, supplier_code, file_kind",
        *parameters,
    )
    show_table(files[[column for column in FILE_COLUMNS if column in files.columns]].rename(columns=FILE_COLUMNS),
               "aangeleverde_bestanden")


def page_catalogue(data: Data, filters: Filters) -> None:
    st.caption("Elke indicator met zijn definitie (definitions.md). Het filter doelgroep geldt.")
    if not data.has_rows("dim_indicator"):
        no_data("de indicatoren")
        return
    where = "" if filters.target_group == ALL_GROUPS else " where target_group = ?"
    parameters = () if filters.target_group == ALL_GROUPS else (filters.target_group,)
    catalogue = data.query(f"select * from dim_indicator{where} order by layer, indicator_code", *parameters)
    rename = {"indicator_code": "Code", "layer": "Laag", "target_group": "Doelgroep", "unit": "Eenheid",
              "name_nl": "Naam", "definition": "Definitie"}
    show_table(catalogue.rename(columns=rename), "indicatorcatalogus")
    st.markdown(
        f"**Onderdrukking.** Aantallen, tellers en noemers onder {data.min_cell_size()} worden niet getoond "
        f"(\"< {data.min_cell_size()}\"); soms wordt een tweede cel onderdrukt zodat de eerste niet uit het "
        "totaal valt terug te rekenen. Geldbedragen worden niet onderdrukt."
    )


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    render: Callable[[Data, Filters], None]


PAGES = (
    Page("overzicht", "Overzicht", page_overview),
    Page("ladder", "Positieladder", page_ladder),
    Page("aansluiting-vinden", "Aansluiting vinden", group_page("AV")),
    Page("aansluiting-houden", "Aansluiting houden", group_page("AH")),
    Page("werkgevers", "Werkgevers", group_page("WG")),
    Page("inzet", "Inzet en kosten", page_inputs),
    Page("wat-werkt", "Wat werkt voor wie", page_what_works),
    Page("aanlevering", "Kwaliteit aanlevering", page_delivery),
    Page("catalogus", "Indicatorcatalogus", page_catalogue),
)


def choose_page() -> Page:
    by_slug = {page.slug: page for page in PAGES}
    requested = st.query_params.get("pagina", PAGES[0].slug)
    if "pagina" not in st.session_state:
        st.session_state["pagina"] = requested if requested in by_slug else PAGES[0].slug
    slug = st.sidebar.radio("Pagina", list(by_slug), format_func=lambda key: by_slug[key].title, key="pagina")
    st.query_params["pagina"] = slug
    return by_slug[slug]


def main() -> None:
    st.set_page_config(page_title="LLO-monitor Werk in Zicht", layout="wide")
    data = Data(published_path())
    page = choose_page()
    st.title(f"LLO-monitor Werk in Zicht: {page.title}")
    metadata = data.metadata()
    if data.identity is None:
        st.warning(f"Er is nog geen gepubliceerde database ({data.path}). Draai eerst `llo run`.")
    elif metadata:
        as_of = metadata.get("as_of_date")
        built = pd.Timestamp(metadata["built_at"]).strftime("%d-%m-%Y %H:%M") if metadata.get("built_at") is not None else "–"
        st.caption(f"Gegevens tot en met {pd.Timestamp(as_of).strftime('%d-%m-%Y') if as_of is not None and pd.notna(as_of) else '–'}"
                   f" · gepubliceerd {built} UTC · versie {metadata.get('llo_version', '–')}")
    filters = sidebar_filters(data)
    page.render(data, filters)


if __name__ == "__main__":  # streamlit runs the file as __main__; tests import it
    main()
