"""The dashboard (llo/dashboard.py) under Streamlit's AppTest: every page renders on the
fixture's published data (published_fixture.py lists each figure and its meaning) and on
an empty published database, and the filters change what is shown."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from llo.dashboard import PAGES, PUBLISHED_DB_ENV, PublishedFile, format_value
from llo.publish import publish
from llo.settings import PROJECT_DIR, Paths
from published_fixture import make_empty_warehouse, make_warehouse, publish_pipeline, write_run_results

APP = str(PROJECT_DIR / "llo" / "dashboard.py")
SLUGS = [page.slug for page in PAGES]


def published_file(root: Path, make: object) -> Path:
    paths = Paths(data_dir=root / "data", landing_dir=root / "landing")
    make(paths.warehouse_path)
    return publish(paths, write_run_results(root / "target"))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return published_file(tmp_path_factory.mktemp("demo"), make_warehouse)


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return published_file(tmp_path_factory.mktemp("empty"), make_empty_warehouse)


def app(monkeypatch: pytest.MonkeyPatch, database: Path, slug: str) -> AppTest:
    monkeypatch.setenv(PUBLISHED_DB_ENV, str(database))
    test = AppTest.from_file(APP, default_timeout=60)
    test.query_params["pagina"] = slug
    return test.run()


def texts(test: AppTest) -> str:
    parts = [element.value for kind in ("title", "header", "subheader", "caption", "info", "warning", "markdown")
             for element in getattr(test, kind)]
    return "\n".join(str(part) for part in parts)


def table(test: AppTest, index: int = 0) -> pd.DataFrame:
    return test.dataframe[index].value


def charts(test: AppTest) -> int:
    return len(test.get("vega_lite_chart"))


def choose(test: AppTest, key: str, value: object) -> AppTest:
    widget = test.sidebar.selectbox(key=key) if key != "period_type" else test.sidebar.radio(key=key)
    return widget.set_value(value).run()


# --- every page, demo data and empty database ----------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_page_renders_on_demo_data(monkeypatch: pytest.MonkeyPatch, demo_db: Path, slug: str) -> None:
    test = app(monkeypatch, demo_db, slug)
    assert not test.exception
    title = next(page.title for page in PAGES if page.slug == slug)
    assert test.title[0].value == f"LLO-monitor Werk in Zicht: {title}"
    assert test.dataframe, "every page shows at least one table"
    assert test.get("download_button"), "every table is downloadable"


@pytest.fixture(scope="module")
def generated_db(pipeline: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_pipeline(pipeline, tmp_path_factory.mktemp("generated")).published_db


@pytest.mark.parametrize("slug", SLUGS)
def test_page_renders_on_generated_demo_data(monkeypatch: pytest.MonkeyPatch, generated_db: Path, slug: str) -> None:
    """The whole pipeline's output (generated deliveries, intake, dbt build, publish)."""
    test = app(monkeypatch, generated_db, slug)
    assert not test.exception
    assert test.dataframe and test.get("download_button")
    if slug != "catalogus":
        assert charts(test) >= 1


@pytest.mark.parametrize("slug", SLUGS)
def test_page_renders_on_an_empty_published_database(monkeypatch: pytest.MonkeyPatch, empty_db: Path, slug: str) -> None:
    test = app(monkeypatch, empty_db, slug)
    assert not test.exception
    assert "Nog geen gegevens" in texts(test) or "Geen gegevens" in texts(test)


@pytest.mark.parametrize("slug", SLUGS)
def test_page_renders_without_a_published_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, slug: str) -> None:
    test = app(monkeypatch, tmp_path / "nothing-here.duckdb", slug)
    assert not test.exception
    assert "Er is nog geen gepubliceerde database" in texts(test)


def test_the_page_can_be_chosen_in_the_sidebar(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    test = app(monkeypatch, demo_db, "overzicht")
    test = test.sidebar.radio(key="pagina").set_value("catalogus").run()
    assert test.title[0].value == "LLO-monitor Werk in Zicht: Indicatorcatalogus"
    assert test.query_params["pagina"] == "catalogus"


# --- filters change what is shown (expected values from published_fixture.py) ------


def test_overview_headline_follows_municipality_and_period(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    test = app(monkeypatch, demo_db, "overzicht")
    metrics = {metric.label: metric.value for metric in test.metric}
    # default period: the latest complete quarter, 2025-Q2; region 250 of 1000
    assert metrics["Inwoners 15 tot 75 jaar"] == "1.000"
    assert metrics["Deelname leven lang ontwikkelen (12 maanden)"] == "25,0%"
    assert metrics["Deelname 25-64 jaar (4 weken)"] == "20,0%"
    assert charts(test) == 3  # reference comparison, trend, population per group
    test = choose(test, "municipality", "GM0014")
    metrics = {metric.label: metric.value for metric in test.metric}
    assert metrics["Inwoners 15 tot 75 jaar"] == "600"
    assert metrics["Deelname leven lang ontwikkelen (12 maanden)"] == "30,0%"  # 180 of 600
    test = choose(test, "municipality", "REGIO")
    test = choose(test, "period_quarter", "2025-Q1")
    metrics = {metric.label: metric.value for metric in test.metric}
    assert metrics["Deelname leven lang ontwikkelen (12 maanden)"] == "24,2%"  # 240 of 990


def test_overview_compares_with_the_national_and_eu_reference(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    test = app(monkeypatch, demo_db, "overzicht")
    comparison = table(test, 0)
    assert list(comparison["Gebied"]) == ["Hele regio (2025-Q2)", "Nederland (2023)", "EU-27 (2022)"]
    assert list(comparison["Deelname (%)"]) == [20.0, 26.4, 11.9]
    assert "CBS StatLine 85315NED" in comparison["Bron"].iloc[1]
    groups = table(test, 1)
    assert dict(zip(groups["Waarde uitsplitsing"], groups["Waarde"])) == {"AV": "300", "AH": "700"}


def test_ladder_shows_suppressed_rungs_as_below_ten(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    test = app(monkeypatch, demo_db, "ladder")
    rungs = table(test, 0)
    shown = dict(zip(rungs["Waarde uitsplitsing"], rungs["Waarde"]))
    # rung 0: 100 of 1000; rung 6 has 0 persons and rung 5 is suppressed with it
    assert shown == {"0": "10,0%", "1": "6,0%", "2": "5,0%", "3": "4,0%", "4": "3,0%", "5": "< 10", "6": "< 10", "7": "70,0%"}
    numerators = dict(zip(rungs["Waarde uitsplitsing"], rungs["Teller"]))
    assert (numerators["0"], numerators["6"], numerators["7"]) == ("100", "", "700")  # suppressed: no numbers at all
    movement = table(test, 1)
    assert list(movement["Waarde"]) == ["15,0%"]  # IMP_AV_UPWARD_12M 2025-Q1: 45 of 300
    test = choose(test, "municipality", "GM0037")
    assert "Geen gegevens voor deze selectie." in texts(test)


def test_group_page_follows_action_filter(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    test = app(monkeypatch, demo_db, "aansluiting-vinden")
    output = table(test, 0)
    assert list(zip(output["Code"], output["Waarde"])) == [("OUT_AV_CONTACTS", "52")]
    test = test.selectbox(key="breakdown_AV").set_value("sex").run()
    by_sex = table(test, 0)
    assert list(zip(by_sex["Waarde uitsplitsing"], by_sex["Waarde"])) == [("M", "30"), ("V", "22")]
    test = test.selectbox(key="breakdown_AV").set_value("TOTAAL").run()
    test = choose(test, "action", "KANSRIJK_OPLEIDEN")
    assert list(zip(table(test, 0)["Code"], table(test, 0)["Waarde"])) == [("OUT_AV_CONTACTS", "40")]
    outcome = table(test, 1)
    # mean score 150 / 40 and share of positive answers 24 / 40
    assert list(zip(outcome["Maat"], outcome["Waarde"])) == [("waarde", "3,75"), ("aandeel positief", "60,0%")]
    test = choose(test, "action", "WIZ_ACADEMY")
    assert list(table(test, 0)["Waarde"]) == ["< 10"]


@pytest.mark.parametrize(("slug", "code", "value"), [
    ("aansluiting-houden", "OUT_AH_EVENT_PARTICIPANTS", "55"),
    ("werkgevers", "OUT_WG_REACHED", "25"),
])
def test_group_pages_follow_municipality_filter(
    monkeypatch: pytest.MonkeyPatch, demo_db: Path, slug: str, code: str, value: str
) -> None:
    test = app(monkeypatch, demo_db, slug)
    output = table(test, 0)
    assert list(zip(output["Code"], output["Waarde"])) == [(code, value)]
    assert charts(test) == 1
    test = choose(test, "municipality", "GM0014")  # the fixture has these only for the region
    assert not test.dataframe
    assert "Geen gegevens voor deze selectie." in texts(test)


def test_inputs_page_shows_money_and_suppressed_cost_per_participant(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    test = app(monkeypatch, demo_db, "inzet")
    inputs = table(test, 0).set_index("Actie")
    assert inputs.loc["Kansrijk Opleiden", "Kosten per deelnemer"] == "€ 500"  # 40000 over 80 persons
    assert inputs.loc["WIZ-Academy", "Kosten per deelnemer"] == "< 10"  # 6 persons
    assert inputs.loc["WIZ-Academy", "Begroot budget"] == "€ 20.000"  # money is never suppressed
    assert charts(test) == 2
    test = choose(test, "action", "WIZ_ACADEMY")
    assert list(table(test, 0)["Actie"]) == ["WIZ-Academy"]


def test_what_works_is_ranked_labelled_descriptive_and_filtered(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    test = app(monkeypatch, demo_db, "wat-werkt")
    assert "geen causaal effect" in texts(test)
    # the sidebar's quarter 2025-Q2 has no effects (measured 12 months on): the whole window is shown
    assert "Kies hieronder een periode" in texts(test)
    effects = table(test, 0)
    assert list(effects["Actie"]) == [
        "Kansrijk Opleiden (Aansluiting vinden)", "WIZ-Academy (Aansluiting houden)",
        "Talenttour (Aansluiting vinden)", "Kansrijk Talent (Aansluiting vinden)",
    ]
    assert list(effects["Verschil"]) == ["+10,0 pp", "0,0 pp", "-4,0 pp", "< 10"]
    assert list(effects["95%-interval"]) == ["2,0 tot 18,0", "0,0 tot 0,0", "-20,0 tot 12,0", ""]
    assert list(effects["Deelnemers"]) == ["50", "30", "25", "< 10"]
    assert charts(test) == 1
    assert "kan niet hoger" in texts(test)  # AH (rung 7) is in the table, not in the ranked chart
    test = test.radio(key="effect_outcome").set_value("_working").run()  # secondary outcome: working
    working = table(test, 0)
    assert list(zip(working["Actie"], working["Verschil"]))[:3] == [
        ("Kansrijk Opleiden (Aansluiting vinden)", "+10,0 pp"), ("WIZ-Academy (Aansluiting houden)", "+5,0 pp"),
        ("Talenttour (Aansluiting vinden)", "-2,0 pp"),
    ]
    test = choose(test, "target_group", "AH")
    assert list(table(test, 0)["Actie"]) == ["WIZ-Academy (Aansluiting houden)"]
    test = choose(test, "target_group", "ALL")
    test = test.selectbox(key="effect_period").set_value(("year", "2024")).run()
    assert list(zip(table(test, 0)["Actie"], table(test, 0)["Verschil"])) == [("Kansrijk Opleiden (Aansluiting vinden)", "+5,0 pp")]


def test_delivery_page_summarises_and_filters_by_municipality(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    test = app(monkeypatch, demo_db, "aanlevering")
    metrics = {metric.label: metric.value for metric in test.metric}
    assert metrics == {"Aanleveringen": "3", "Regels gelezen": "1.520", "Regels geaccepteerd": "1.508", "Regels in quarantaine": "12"}
    reasons = table(test, 0)
    assert list(zip(reasons["Code"], reasons["Regels in quarantaine"])) == [("bsn_elfproef", 7), ("date_invalid", 3), ("code_unknown", 2)]
    assert reasons["Reden"].iloc[0] == "bsn voldoet niet aan de elfproef"
    assert len(table(test, 1)) == 3
    assert charts(test) == 1
    test = choose(test, "municipality", "GM0014")
    assert list(zip(table(test, 0)["Code"], table(test, 0)["Regels in quarantaine"])) == [("bsn_elfproef", 7), ("date_invalid", 3)]
    assert list(table(test, 1)["Bestand"]) == ["gemeente/GM0014/2025-08/brp_verblijf.csv"]


def test_catalogue_lists_every_definition_and_follows_target_group(monkeypatch: pytest.MonkeyPatch, demo_db: Path) -> None:
    test = app(monkeypatch, demo_db, "catalogus")
    catalogue = table(test, 0)
    assert len(catalogue) == 52  # seeds/indicators.csv has 52 indicators
    assert catalogue["Definitie"].notna().all()
    test = choose(test, "target_group", "WG")
    assert sorted(table(test, 0)["Code"]) == ["IMP_WG_EMPLOYEES_LLO", "OUTC_WG_WILLINGNESS", "OUT_WG_REACHED", "OUT_WG_SATISFACTION"]


# --- formatting and the connection --------------------------------------------------


@pytest.mark.parametrize(("value", "unit", "suppressed", "shown"), [
    (None, "count", True, "< 10"),
    (1234567.0, "count", False, "1.234.567"),
    (0.175, "share", False, "17,5%"),
    (3.75, "mean", False, "3,75"),
    (20000.0, "eur", False, "€ 20.000"),
    (-4.0, "points", False, "-4,0 pp"),
    (float("nan"), "share", False, "–"),
])
def test_format_value(value: object, unit: str, suppressed: bool, shown: str) -> None:
    assert format_value(value, unit, suppressed, 10) == shown


def test_connection_is_reopened_when_the_file_is_replaced(tmp_path: Path) -> None:
    """`llo publish` swaps a new file in; the dashboard's next query reads the new build."""
    paths = Paths(data_dir=tmp_path / "data", landing_dir=tmp_path / "landing")
    make_warehouse(paths.warehouse_path)
    target = write_run_results(tmp_path / "target")
    published = PublishedFile(publish(paths, target))
    first = published.query("select built_at from monitor_metadata").iloc[0, 0]
    publish(paths, target)
    second = published.query("select built_at from monitor_metadata").iloc[0, 0]
    assert second > first
    with duckdb.connect(str(paths.published_db), read_only=True) as connection:
        assert connection.execute("select built_at from monitor_metadata").fetchone()[0] == second
