"""`llo generate`: synthetic deliveries for the whole region, every file of the
delivery contract, with a planted truth (docs/generator.md).

The region is simulated in chunks of about CHUNK_PEOPLE residents; each chunk
is a small copy of the region with its own random stream, simulated with numpy
and appended to every delivery file, so memory depends on the chunk size, not
the scale. Programme-level records (employers, events, inputs) are drawn once.
Same seed and arguments, same bytes."""

from __future__ import annotations

import csv
import json
import math
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from llo.contract import FILE_WARNINGS, KINDS, ROW_CHECKS, SEEDS_DIR, landing_path
from llo.generate_calendar import OPEN, add_months, age_on, day, delivery_months, iso, month_end, quarter_label, quarter_starts
from llo.generate_files import Coded, FileStyle, Numbered, Table, Writer, rng_for
from llo.generate_people import (
    BRON, CONTRACTS, ONDERWIJSTYPE, PW_SCHEMES, REASONS, RESULTAAT, UWV_SCHEMES, UWV_SUPPLIER, VORM, Employers, Instruments,
    LadderState, People, Region, Spells, Window, choose, clip_to_residence, draw_benefits, draw_jobs, draw_learning,
    draw_people, draw_trajectories, municipality_on, reserve_bsn_indexes, simulate_work,
)
from llo.generate_programme import (
    DOELGROEPEN, EMPLOYER_CONTACT_TYPES, KANALEN, Action, Answers, Events, Participation, Questions, action_records,
    actions_from_seed, anonymous_attendance, apply_boosts, draw_attendance, draw_contacts,
    draw_employer_contacts, draw_events, effect_counts, eligible_quarters, employer_answers, estimate_effects,
    event_answers, natural_upward_rates, participant_answers, plan_boosts, planted_groups, select_participants,
    upward_rate_by_stratum,
)

DEFAULT_AS_OF = "2026-11"  # latest delivery month: fixed, so output never depends on today's date
MONITOR_START = "2023-01-01"
REGION_RESIDENTS = 765_000  # scale 1.0: sum of approx_population_2024 in the municipalities seed
CHUNK_PEOPLE = 100_000
MEETING = ("VOOR", "NA", "EENMALIG")
RESPONDENT = ("INWONER", "WERKGEVER")

# Messiness (delivery contract section 2): which suppliers have which habits when mess > 0.
ISO_DATE_SUPPLIERS = ("GM0037", "GM1966", "GM1699", "onderwijs")
DECIMAL_COMMA_KINDS = ("uwv__dienstverbanden", "programma__inzet", "onderwijs__leeractiviteiten")
BSN_ZERO_DROPPED = (("gemeente__pw_uitkeringen", "GM1950"), ("programma__contacten", None))
BOM_KIND, WINDOWS_1252_KIND, COMMA_KIND = "uwv__uitkeringen", "programma__events", "uwv__werkzoekenden"
MISSING_COLUMN = ("gemeente__participatieladder", "GM0765", "trede")  # with --missing-column, first delivery month
CORRECTION_KINDS = ("gemeente__trajecten", "uwv__dienstverbanden")


def _seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS_DIR / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Setting:
    """Everything fixed for one run."""

    seed: int
    scale: float
    mess: float
    months: tuple[str, ...]
    window: Window
    region: Region
    actions: tuple[Action, ...]
    instruments: Instruments
    questions: Questions
    werkwijzen: tuple[str, ...]
    missing_column: bool

    def style(self, kind: str, supplier: str | None, month: str) -> FileStyle:
        """How `supplier` writes file `kind` in delivery `month`."""
        missing = self.missing_column and (kind, supplier) == MISSING_COLUMN[:2] and month == self.months[0]
        missing_column = MISSING_COLUMN[2] if missing else None
        if self.mess <= 0:
            return FileStyle(missing_column=missing_column)
        return FileStyle(
            iso_dates=(supplier or kind.split("__")[0]) in ISO_DATE_SUPPLIERS,
            decimal_comma=kind in DECIMAL_COMMA_KINDS,
            delimiter="," if kind == COMMA_KIND and month == self.months[0] else ";",
            bom=kind == BOM_KIND and month == self.months[-1],
            windows_1252=kind == WINDOWS_1252_KIND and month == self.months[-1],
            drop_bsn_zero=(kind, supplier) in BSN_ZERO_DROPPED,
            missing_column=missing_column,
            defect_rate=0.0 if (missing or kind == WINDOWS_1252_KIND) else self.mess,
        )

    def file_warnings(self) -> dict[str, int]:
        on = 1 if self.mess > 0 else 0
        return {"comma_delimiter": on, "windows_1252": on, "bom": on, "extra_columns": 0}


# --- employers ------------------------------------------------------------------------------------------

SECTOR_EMPLOYMENT = {  # share of jobs per SBI section, roughly the Northern Netherlands
    "A": 0.02, "B": 0.005, "C": 0.09, "D": 0.01, "E": 0.01, "F": 0.05, "G": 0.15, "H": 0.04, "I": 0.05, "J": 0.03,
    "K": 0.02, "L": 0.01, "M": 0.06, "N": 0.07, "O": 0.06, "P": 0.08, "Q": 0.20, "R": 0.02, "S": 0.02, "T": 0.0, "U": 0.0,
}


def draw_employers(rng: np.random.Generator, scale: float, region: Region) -> Employers:
    sections = _seed("sbi_sections")
    n = max(60, int(round(22_000 * scale)))
    size = np.ceil(rng.lognormal(1.3, 1.5, n)).astype(np.int64)
    weights = np.array([SECTOR_EMPLOYMENT.get(row["sbi_section"], 0.0) for row in sections])
    section = choose(rng, weights, n)
    low = np.array([int(row["division_from"]) for row in sections])[section]
    high = np.array([int(row["division_to"]) for row in sections])[section]
    division = low + np.floor(rng.random(n) * (high - low + 1)).astype(np.int64)
    form = rng.random(n)
    letters = np.array([row["sbi_section"] for row in sections])[section]
    sbi = np.where(form < 0.75, np.char.add(np.char.zfill(division.astype(str), 2), rng.integers(10, 100, n).astype(str)),
                   np.where(form < 0.92, np.char.zfill(division.astype(str), 2), letters))
    municipality = np.where(rng.random(n) < 0.12, -1, choose(rng, region.weights, n))
    ids = np.char.add("WG", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    return Employers(ids, sbi, division, municipality, size)


# --- tables per file kind -------------------------------------------------------------------------------

def _window_rows(spells: Spells, window: Window) -> Spells:
    return spells.subset((spells.end >= window.start) & (spells.start <= window.end))


def _drop_duplicates(table: Table, keys: list[np.ndarray]) -> Table:
    """Identical records would be quarantined as duplicate lines; a real extract would not hold them."""
    matrix = np.stack([np.asarray(key, dtype=np.float64) for key in keys], axis=1)
    _, first = np.unique(matrix, axis=0, return_index=True)
    return table.subset(np.sort(first))


def _ids(count: int) -> np.ndarray:
    """Ids numbered from 1 within a chunk; `renumber` makes them unique in the file."""
    return np.arange(1, count + 1, dtype=np.int64)


def person_tables(setting: Setting, people: People, jobs: Spells, pw: Spells, uwv: Spells, registrations: Spells,
                  trajectories: Spells, learning: Spells, ladder: tuple[np.ndarray, np.ndarray, np.ndarray],
                  contacts: tuple, attendance: tuple, answers: Answers, employers: Employers) -> list[Table]:
    window, region = setting.window, setting.region
    action_codes = tuple(action.code for action in setting.actions)
    residence = _window_rows(people.residence, window)
    person = residence.person
    died = people.death[person] == residence.end
    tables = [Table(KINDS["gemeente__brp_verblijf"], {
        "bsn": people.bsn[person], "geboortedatum": people.birth[person],
        "geslacht": Coded(people.sex[person], ("M", "V", "X")),
        "gemeentecode": Coded(residence.attrs["municipality"], region.codes),
        "postcode4": Numbered("", residence.attrs["postcode4"], 4),
        "datum_inschrijving": residence.start, "datum_uitschrijving": residence.end,
        "datum_overlijden": np.where(died, residence.end, OPEN),
    }, known=residence.start, supplier=residence.attrs["municipality"])]

    pw = _window_rows(pw, window)
    table = Table(KINDS["gemeente__pw_uitkeringen"], {
        "bsn": people.bsn[pw.person], "regeling": Coded(pw.attrs["scheme"], PW_SCHEMES),
        "datum_begin": pw.start, "datum_einde": pw.end,
    }, known=pw.start, supplier=municipality_on(people, pw.person, pw.start))
    tables.append(_drop_duplicates(table, [pw.person, pw.start, pw.end, pw.attrs["scheme"]]))

    trajectories = _window_rows(trajectories, window)
    for kind, mine, prefix in (("gemeente__trajecten", trajectories.attrs["supplier"] >= 0, "T"),
                               ("uwv__trajecten", trajectories.attrs["supplier"] == UWV_SUPPLIER, "U")):
        rows = trajectories.subset(mine)
        tables.append(Table(KINDS[kind], {
            "traject_id": Numbered(prefix, _ids(len(rows)), 8),
            "bsn": people.bsn[rows.person], "actie_code": Coded(rows.attrs["action"], action_codes),
            "instrument": Coded(rows.attrs["instrument"], setting.instruments.codes),
            "datum_start": rows.start, "datum_einde": rows.end, "reden_einde": Coded(rows.attrs["reason"], REASONS),
        }, known=rows.start, supplier=rows.attrs["supplier"] if mine is not None and prefix == "T" else None,
            pending={"reden_einde": (rows.end, None)}))

    ladder_person, ladder_day, trede = ladder
    tables.append(Table(KINDS["gemeente__participatieladder"], {
        "bsn": people.bsn[ladder_person], "meetdatum": ladder_day, "trede": trede.astype(float),
    }, known=ladder_day, supplier=municipality_on(people, ladder_person, ladder_day)))

    uwv = _window_rows(uwv, window)
    table = Table(KINDS["uwv__uitkeringen"], {
        "bsn": people.bsn[uwv.person], "uitkeringssoort": Coded(uwv.attrs["scheme"], UWV_SCHEMES),
        "ingangsdatum": uwv.start, "einddatum": uwv.end,
    }, known=uwv.start)
    tables.append(_drop_duplicates(table, [uwv.person, uwv.start, uwv.end, uwv.attrs["scheme"]]))

    registrations = _window_rows(registrations, window)
    table = Table(KINDS["uwv__werkzoekenden"], {
        "bsn": people.bsn[registrations.person], "datum_inschrijving": registrations.start,
        "datum_uitschrijving": registrations.end,
    }, known=registrations.start)
    tables.append(_drop_duplicates(table, [registrations.person, registrations.start, registrations.end]))

    jobs = _window_rows(jobs, window)
    employer = jobs.attrs["employer"]
    table = Table(KINDS["uwv__dienstverbanden"], {
        "bsn": people.bsn[jobs.person], "werkgever_id": Coded(employer, employers.ids),
        "sbi_code": Coded(employer, employers.sbi_code), "datum_aanvang": jobs.start, "datum_einde": jobs.end,
        "uren_per_week": jobs.attrs["hours"], "contractsoort": Coded(jobs.attrs["contract"], CONTRACTS),
    }, known=jobs.start)
    tables.append(_drop_duplicates(table, [jobs.person, employer, jobs.start, jobs.end, jobs.attrs["hours"]]))

    learning = _window_rows(learning, window)
    result = learning.attrs["result"]
    tables.append(Table(KINDS["onderwijs__leeractiviteiten"], {
        "activiteit_id": Numbered("LA", _ids(len(learning)), 8),
        "bsn": people.bsn[learning.person], "bron": Coded(learning.attrs["bron"], BRON),
        "onderwijstype": Coded(learning.attrs["onderwijstype"], ONDERWIJSTYPE), "vorm": Coded(learning.attrs["vorm"], VORM),
        "stap_categorie": np.where(learning.attrs["stap"] >= 0, learning.attrs["stap"] + 1.0, np.nan),
        "actie_code": Coded(learning.attrs["action"], action_codes), "datum_start": learning.start, "datum_einde": learning.end,
        "uren": learning.attrs["hours"], "resultaat": Coded(result, RESULTAAT), "voltijd": learning.attrs["fulltime"],
    }, known=learning.start, pending={"resultaat": (np.where(result >= 0, learning.end, -OPEN), "LOPEND")}))

    contact_person, contact_day, contact_action, channel = contacts
    tables.append(Table(KINDS["programma__contacten"], {
        "contact_id": Numbered("C", _ids(len(contact_person)), 8),
        "bsn": people.bsn[contact_person], "datum": contact_day, "actie_code": Coded(contact_action, action_codes),
        "kanaal": Coded(channel, KANALEN),
    }, known=contact_day))
    return tables + attendance + [answers_table(setting, answers, people.bsn, employers)]


def answers_table(setting: Setting, answers: Answers, bsn: np.ndarray | None, employers: Employers) -> Table:
    resident = answers.person >= 0
    bsn_values = np.where(resident, bsn[np.maximum(answers.person, 0)], -1) if bsn is not None else np.full(len(answers.day), -1)
    return Table(KINDS["enquetes__antwoorden"], {
        "antwoord_id": Numbered("ANT", _ids(len(answers.day)), 8),
        "respondent_type": Coded((answers.employer >= 0).astype(np.int64), RESPONDENT),
        "bsn": bsn_values, "werkgever_id": Coded(answers.employer, employers.ids),
        "actie_code": Coded(answers.action, tuple(action.code for action in setting.actions)),
        "event_id": _event_ids(answers.event),
        "datum": answers.day, "meting": Coded(answers.moment, MEETING),
        "vraag_code": Coded(answers.question, setting.questions.codes), "score": answers.score.astype(float),
    }, known=answers.day)


def _event_ids(event: np.ndarray) -> Numbered:
    """The event_id of events.csv (EV00001 for event 0), empty for -1."""
    return Numbered("EV", np.where(event >= 0, event + 1, -1), 5)


def attendance_table(event: np.ndarray, bsn: np.ndarray, employer: np.ndarray, stated: np.ndarray, events: Events,
                     employers: Employers) -> Table:
    return Table(KINDS["programma__event_deelnames"], {
        "event_id": _event_ids(event), "bsn": bsn,
        "werkgever_id": Coded(employer, employers.ids), "werkend_opgegeven": stated,
    }, known=events.day[event])


def programme_tables(setting: Setting, rng: np.random.Generator, employers: Employers, events: Events) -> list[Table]:
    window, region = setting.window, setting.region
    action_codes = tuple(action.code for action in setting.actions)
    in_region = np.flatnonzero(employers.in_region)
    size = employers.size[in_region].astype(float)
    size[rng.random(len(size)) < 0.05] = np.nan
    tables = [Table(KINDS["programma__werkgevers"], {
        "werkgever_id": Coded(in_region, employers.ids), "sbi_code": Coded(in_region, employers.sbi_code),
        "aantal_werknemers": size, "gemeentecode": Coded(employers.municipality[in_region], region.codes),
    }, known=np.full(len(in_region), window.start))]
    tables.append(Table(KINDS["programma__events"], {
        "event_id": _event_ids(np.arange(len(events))), "actie_code": Coded(events.action, action_codes),
        "datum": events.day, "gemeentecode": Coded(events.municipality, region.codes),
        "doelgroep": Coded(events.audience, DOELGROEPEN), "naam": Coded(events.name, events.names),
    }, known=events.day))
    event, employer, stated = anonymous_attendance(rng, events, employers)
    tables.append(attendance_table(event, np.full(len(event), -1), employer, stated, events, employers))
    tables.append(inzet_table(setting, rng))
    employer, contact_day, contact_action, contact_type = draw_employer_contacts(rng, setting.actions, employers, window, setting.scale)
    tables.append(Table(KINDS["programma__werkgeverscontacten"], {
        "contact_id": Numbered("WC", np.arange(1, len(employer) + 1), 7), "werkgever_id": Coded(employer, employers.ids),
        "datum": contact_day, "actie_code": Coded(contact_action, action_codes),
        "type": Coded(contact_type, EMPLOYER_CONTACT_TYPES),
    }, known=contact_day))
    answers = employer_answers(rng, setting.questions, employer, contact_day, contact_action, window)
    tables.append(answers_table(setting, answers, None, employers))
    return tables


QUARTER_BUDGET = {"BEREIKEN": 60_000, "ONTWIKKELEN": 150_000, "DUURZAME_INZETBAARHEID": 90_000}


def inzet_table(setting: Setting, rng: np.random.Generator) -> Table:
    window = setting.window
    quarters = quarter_starts(window.start, window.end)
    n_actions = len(setting.actions)
    action = np.repeat(np.arange(n_actions), len(quarters))
    start = np.tile(quarters, n_actions)
    end = add_months(start, 3) - 1
    base = np.array([QUARTER_BUDGET.get(a.track, 80_000) for a in setting.actions], float)[action] * max(setting.scale, 0.01)
    budget = np.round(base * rng.uniform(0.8, 1.2, len(action)), -2)
    spent = np.round(budget * rng.uniform(0.7, 1.05, len(action)), 2)
    fte = np.round(budget / 25_000 * rng.uniform(0.8, 1.2, len(action)), 1)
    methods = [
        "|".join(sorted(rng.choice(setting.werkwijzen, size=int(rng.integers(1, 4)), replace=False)))
        for _ in range(n_actions)
    ]
    labels = quarter_label(start)
    if setting.mess > 0:
        labels = np.where(rng.random(len(labels)) < 0.1, np.char.replace(labels, "-Q", "K"), labels)
    vocabulary = tuple(sorted(set(labels.tolist())))
    return Table(KINDS["programma__inzet"], {
        "actie_code": Coded(action, tuple(a.code for a in setting.actions)),
        "kwartaal": Coded(np.array([vocabulary.index(label) for label in labels]), vocabulary),
        "budget_eur": budget, "besteed_eur": spent, "fte": fte, "uren": np.round(fte * 390),
        "materieel_eur": np.round(budget * rng.uniform(0.03, 0.15, len(action)), 2),
        "werkwijzen": Coded(action, tuple(methods)),
    }, known=start, pending={name: (end, None) for name in ("besteed_eur", "fte", "uren", "materieel_eur")})


# --- one chunk of people --------------------------------------------------------------------------------

TREDE_BY_RUNG = np.array([1, 2, 3, 3, 4, 5, 5, 6])


def ladder_measurements(rng: np.random.Generator, pw: Spells, state: LadderState, window: Window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A participation-ladder measurement at the start of a Participatiewet benefit and yearly after."""
    last = np.minimum(pw.end, window.end)
    first_k = np.maximum(0, np.ceil((window.start - pw.start) / 365)).astype(np.int64)
    last_k = np.floor((last - pw.start) / 365).astype(np.int64)
    count = np.maximum(last_k - first_k + 1, 0)
    row = np.repeat(np.arange(len(pw)), count)
    k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + first_k[row]
    person = pw.person[row]
    measured = pw.start[row] + 365 * k + rng.integers(0, 20, len(row))
    measured = np.minimum(measured, last[row])
    pairs = np.unique(np.stack([person, measured], axis=1), axis=0)
    person, measured = pairs[:, 0], pairs[:, 1]
    rung = state.at(person, measured).rung
    trede = TREDE_BY_RUNG[rung]
    trede = np.where((rung == 0) & (rng.random(len(rung)) < 0.5), 2, trede)
    return person, measured, trede


@dataclass
class ChunkResult:
    tables: list[Table]
    statistics: dict[str, float]
    effect_counts: np.ndarray


def simulate_chunk(setting: Setting, chunk: int, n_initial: int, first_bsn_index: int, employers: Employers,
                   events: Events) -> ChunkResult:
    rng = np.random.default_rng([setting.seed, 1, chunk])
    window = setting.window
    bsn_offset = (setting.seed * 2_654_435_761 + 12_345_678) % 100_000_000  # seed-dependent, scattered bsns
    people = draw_people(rng, n_initial, first_bsn_index, bsn_offset, setting.region, window)
    share = n_initial / REGION_RESIDENTS  # this chunk's share of the region at scale 1
    work = simulate_work(rng, people, window)
    jobs = clip_to_residence(people, draw_jobs(rng, people, work, employers, window))
    pw, uwv, registrations = draw_benefits(rng, people, work, window)
    trajectories = draw_trajectories(rng, people, work, jobs, pw, uwv, setting.instruments, window)
    learning = draw_learning(rng, people, window)

    # The programme: participants on the natural state, then their records, then the planted effect.
    natural = LadderState(people, jobs, pw, uwv, trajectories, learning, setting.instruments)
    participation = select_participants(rng, setting.actions, natural, len(people),
                                        quarter_starts(window.start, window.end), window, share)
    action_trajectories, action_learning = action_records(rng, setting.actions, participation, people, setting.instruments)
    trajectories = Spells.concat([trajectories, action_trajectories])
    learning = Spells.concat([learning, action_learning])
    before = LadderState(people, jobs, pw, uwv, trajectories, learning, setting.instruments)
    quarters = eligible_quarters(window)
    counted, up = natural_upward_rates(before, quarters)
    boosts = plan_boosts(rng, setting.actions, participation, before, upward_rate_by_stratum(counted, up))
    jobs, pw, uwv, registrations, trajectories = apply_boosts(rng, boosts, people, employers, setting.instruments,
                                                              jobs, pw, uwv, registrations, trajectories)
    state = LadderState(people, jobs, pw, uwv, trajectories, learning, setting.instruments)
    counts = effect_counts(state, participation, quarters, len(setting.actions), window)

    # The programme's records about these people.
    contacts = draw_contacts(rng, setting.actions, people, participation, window, share)
    event, person, stated = draw_attendance(rng, events, people, state, share)
    attendance = [attendance_table(event, people.bsn[person], np.full(len(event), -1), stated, events, employers)]
    baseline = state.at(participation.person, participation.start - 1)
    horizon = add_months(participation.start - 1, 12)
    measured_ah = (baseline.in_population & (baseline.rung == 7) & (horizon <= window.end)
                   & state.at(participation.person, horizon).in_population)
    end = _participation_end(participation, trajectories, learning)
    answers = Answers.concat([
        participant_answers(rng, setting.questions, participation, baseline.rung <= 6, end, window),
        event_answers(rng, setting.questions, events, event, person),
    ])
    ladder = ladder_measurements(rng, pw, state, window)
    tables = person_tables(setting, people, jobs, pw, uwv, registrations, trajectories, learning, ladder,
                           contacts, attendance, answers, employers)
    statistics = calibration_counts(people, state, jobs, pw, uwv, registrations, learning, setting)
    for index, action in enumerate(setting.actions):
        statistics[f"ah_participants_{action.code}"] = float((measured_ah & (participation.action == index)).sum())
    return ChunkResult(tables, statistics, counts)


def _participation_end(participation: Participation, trajectories: Spells, learning: Spells) -> np.ndarray:
    """End day of each participant's own trajectory or activity (matched on person, action, start)."""
    def key(person: np.ndarray, action: np.ndarray, start: np.ndarray) -> np.ndarray:
        return (person.astype(np.int64) * 1024 + action) * 1_000_000 + start

    own = Spells.concat([Spells(spells.person, spells.start, spells.end, {"action": spells.attrs["action"].astype(np.int64)})
                         for spells in (trajectories, learning)])
    own = own.subset(own.attrs["action"] >= 0)
    if len(own) == 0:
        return participation.start.copy()
    order = np.argsort(key(own.person, own.attrs["action"], own.start), kind="stable")
    keys, ends = key(own.person, own.attrs["action"], own.start)[order], own.end[order]
    wanted = key(participation.person, participation.action, participation.start)
    found = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[found] == wanted, ends[found], participation.start)


# --- calibration ----------------------------------------------------------------------------------------

CALIBRATION_DAY = "2025-12-31"  # or the as-of date, when that is earlier
RESIDENTS_DAY = "2024-01-01"


def calibration_days(window: Window) -> tuple[int, int]:
    """(day residents are counted, day everything else is measured), never after the as-of date."""
    return min(day(RESIDENTS_DAY), window.end), min(day(CALIBRATION_DAY), window.end)
EAST_GRONINGEN = ("GM0037", "GM0047", "GM0765", "GM1895", "GM1950", "GM1952", "GM1979")
DRENTHE = ("GM0106", "GM1680", "GM1699", "GM1730")


def calibration_counts(people: People, state: LadderState, jobs: Spells, pw: Spells, uwv: Spells, registrations: Spells,
                       learning: Spells, setting: Setting) -> dict[str, float]:
    """Counts (summed over chunks) behind the calibration figures, on the final data before defects."""
    residents_day, peil = calibration_days(setting.window)
    persons = np.arange(len(people))
    position = state.on(peil)
    population = position.in_population
    age = age_on(people.birth, peil)
    resident = (people.arrival <= peil) & (people.exit >= peil)
    municipality = np.asarray(setting.region.codes)[municipality_on(people, persons, np.full(len(people), peil))]
    on_pw = np.zeros(len(people), bool)
    active = (pw.start <= peil) & (pw.end >= peil)
    on_pw[pw.person[active]] = True
    working_age = resident & (age >= 15) & (age <= 66)
    counts = {
        "residents_2024": float(((people.arrival <= residents_day) & (people.exit >= residents_day)).sum()),
        "population_15_74": float(population.sum()),
        "working_15_74": float((population & position.working).sum()),
    }
    for name, members in (("region", working_age), ("groningen_city", working_age & (municipality == "GM0014")),
                          ("east_groningen", working_age & np.isin(municipality, EAST_GRONINGEN)),
                          ("drenthe", working_age & np.isin(municipality, DRENTHE))):
        counts[f"pw_{name}"] = float((members & on_pw).sum())
        counts[f"age_15_66_{name}"] = float(members.sum())
    for rung in range(8):
        counts[f"rung_{rung}"] = float((population & (position.rung == rung)).sum())

    # Post-initial formal or non-formal learning (definitions.md section 4).
    entry = np.full(len(people), OPEN, np.int64)
    for spells in (jobs.subset(jobs.attrs["hours"] >= 12), pw, uwv, registrations):
        np.minimum.at(entry, spells.person, spells.start)
    counting = learning.attrs["vorm"] <= 1
    start_age = age_on(people.birth[learning.person], learning.start)
    post_initial = counting & ((learning.start >= entry[learning.person]) | (start_age >= 30))
    for name, first in (("llo_12m", int(add_months(np.array([peil]), -12)[0]) + 1), ("llo_4w", peil - 27)):
        active = post_initial & (learning.start <= peil) & (learning.end >= first)
        learner = np.zeros(len(people), bool)
        learner[learning.person[active]] = True
        if name == "llo_4w":
            group = population & (age >= 25) & (age <= 64)
            counts["population_25_64"] = float(group.sum())
        else:
            group = population
        counts[name] = float((group & learner).sum())
    return counts


def calibration_report(totals: dict[str, float], scale: float, window: Window) -> dict[str, dict[str, object]]:
    def share(numerator: str, denominator: str) -> float:
        return round(totals[numerator] / max(totals[denominator], 1), 4)

    achieved = {
        "residents_all_ages": totals["residents_2024"],
        "population_15_74": totals["population_15_74"],
        "net_participation_15_74": share("working_15_74", "population_15_74"),
        "pw_share_15_66": share("pw_region", "age_15_66_region"),
        "pw_share_15_66_groningen_city": share("pw_groningen_city", "age_15_66_groningen_city"),
        "pw_share_15_66_east_groningen": share("pw_east_groningen", "age_15_66_east_groningen"),
        "pw_share_15_66_drenthe": share("pw_drenthe", "age_15_66_drenthe"),
        "llo_12m_15_74": share("llo_12m", "population_15_74"),
        "llo_4w_25_64": share("llo_4w", "population_25_64"),
        "rung_distribution": {str(r): share(f"rung_{r}", "population_15_74") for r in range(8)},
    }
    residents_day, peil = calibration_days(window)
    return {"targets": calibration_targets(scale), "achieved": achieved,
            "measured_on": {"residents_all_ages": iso(residents_day), "other": iso(peil)}}


def calibration_targets(scale: float) -> dict[str, dict[str, object]]:
    """Targets, tolerances and sources (docs/generator.md explains them)."""
    return {
        "residents_all_ages": {"target": REGION_RESIDENTS * scale, "relative_tolerance": 0.03,
                               "source": "CBS StatLine population 1 January 2024, sum of the 14 municipalities (seed approx_population_2024)"},
        "population_15_74": {"target": 565_000 * scale, "relative_tolerance": 0.03,
                             "source": "CBS StatLine, residents aged 15-74 in the region (about 74% of all ages)"},
        "net_participation_15_74": {"target": 0.68, "tolerance": 0.02,
                                    "source": "CBS netto arbeidsparticipatie 15-74, arbeidsmarktregio Groningen (about 68%; employees only here)"},
        "pw_share_15_66": {"target": 0.045, "tolerance": 0.015,
                           "source": "CBS bijstandsuitkeringen per gemeente: a few percent of 15 to AOW age; highest in Groningen and East Groningen"},
        "llo_4w_25_64": {"target": 0.24, "tolerance": 0.05,
                         "source": "CBS/Eurostat 'leven lang leren' (4 weeks, 25-64): Netherlands about 26-27% in 2022-2023; region slightly lower"},
        "llo_12m_15_74": {"target": 0.40, "tolerance": 0.10,
                          "source": "CBS/Adult Education Survey: roughly half of 25-64 year olds in formal or non-formal learning in 12 months; lower for 15-74"},
    }


# --- the run --------------------------------------------------------------------------------------------

def build_setting(scale: float, seed: int, months: int, mess: float, missing_column: bool, as_of: str) -> Setting:
    return Setting(
        seed=seed, scale=scale, mess=mess, months=tuple(delivery_months(as_of, months)),
        window=Window(day(MONITOR_START), month_end(as_of)),
        region=Region.from_seed(_seed("municipalities")),
        actions=actions_from_seed(_seed("actions")),
        instruments=Instruments.from_seed(_seed("instruments")),
        questions=Questions.from_seed(_seed("survey_questions"), _seed("indicators")),
        werkwijzen=tuple(row["werkwijze"] for row in _seed("werkwijzen")),
        missing_column=missing_column,
    )


def write_table(writer: Writer, setting: Setting, table: Table, block: str, corrections: list[int]) -> None:
    """Write the rows of a table known by each delivery month to that month's files."""
    kind = table.kind
    for month_index, month in enumerate(setting.months):
        last_day = month_end(month)
        rows = table
        if setting.mess > 0 and month_index < len(setting.months) - 1 and kind.kind in CORRECTION_KINDS:
            rows, corrected = _corrected(table, last_day, rng_for(setting.seed, "correction", kind.kind, month, block), setting.mess)
            corrections[0] += corrected
        if kind.per_municipality:
            files = [(landing_path(kind, month, code), np.flatnonzero(rows.supplier == index), setting.style(kind.kind, code, month))
                     for index, code in enumerate(setting.region.codes)]
        else:
            files = [(landing_path(kind, month), np.arange(len(rows)), setting.style(kind.kind, None, month))]
        writer.write_month(rows, last_day, files, block)


def _corrected(table: Table, last_day: int, rng: np.random.Generator, mess: float) -> tuple[Table, int]:
    """A delivery that is not the latest holds a few records that the next one corrects: an end date
    a week off (trajecten), or a record registered by mistake and removed (dienstverbanden)."""
    n = max(1, int(rng.binomial(len(table), min(1.0, mess * 0.1)))) if len(table) else 0
    if table.kind.file == "trajecten":
        end = table.columns["datum_einde"]
        candidates = np.flatnonzero((end + 7 <= last_day) & (end >= table.columns["datum_start"]))
        rows = rng.choice(candidates, size=min(n, len(candidates)), replace=False)
        changed = end.copy()
        changed[rows] = end[rows] + 7
        table = Table(table.kind, {**table.columns, "datum_einde": changed}, table.known, table.supplier, table.pending)
        return table, len(rows)
    candidates = np.flatnonzero(table.columns["datum_aanvang"] + 3 <= last_day)
    rows = rng.choice(candidates, size=min(n, len(candidates)), replace=False)
    phantom = table.subset(rows)
    phantom.columns["datum_aanvang"] = phantom.columns["datum_aanvang"] + 3
    hours = phantom.columns["uren_per_week"]
    phantom.columns["uren_per_week"] = np.where(hours > 70, hours - 2, hours + 2)
    phantom.columns["datum_einde"] = np.maximum(phantom.columns["datum_einde"], phantom.columns["datum_aanvang"])
    merged = Table(table.kind, {name: _concat(values, phantom.columns[name]) for name, values in table.columns.items()},
                   np.concatenate([table.known, phantom.columns["datum_aanvang"]]))
    return merged, len(rows)


def _concat(first: object, second: object) -> object:
    if isinstance(first, Coded):
        return Coded(np.concatenate([first.index, second.index]), first.vocabulary)
    if isinstance(first, Numbered):
        return Numbered(first.prefix, np.concatenate([first.number, second.number]), first.width)
    return np.concatenate([first, second])


def truth_path(out: Path) -> Path:
    return out.parent / f"{out.name}_truth.json"


def renumber(table: Table, offsets: dict[str, int]) -> Table:
    """Ids are numbered per chunk from 1; shift them so they are unique in the file."""
    for name in table.kind.unique[:1]:
        values = table.columns.get(name)
        if isinstance(values, Numbered):
            offset = offsets.get(table.kind.kind, 0)
            table.columns[name] = Numbered(values.prefix, values.number + offset, values.width)
            offsets[table.kind.kind] = offset + len(values)
    return table


_CHUNK_JOB: tuple | None = None  # (setting, employers, events, chunk sizes), inherited by forked workers


def _run_chunk(chunk: int) -> ChunkResult:
    setting, employers, events, sizes = _CHUNK_JOB
    first_bsn_index = chunk * reserve_bsn_indexes(int(max(sizes) * 1.3) + 1000)
    return simulate_chunk(setting, chunk, sizes[chunk], first_bsn_index, employers, events)


def _chunk_results(n_chunks: int, workers: int) -> Iterator[ChunkResult]:
    """Chunk results in chunk order; at most `workers` chunks simulated ahead of the writer."""
    if workers <= 1 or n_chunks == 1:
        for chunk in range(n_chunks):
            yield _run_chunk(chunk)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending = deque(pool.apply_async(_run_chunk, (chunk,)) for chunk in range(min(workers, n_chunks)))
        submitted = len(pending)
        while pending:
            result = pending.popleft().get()
            if submitted < n_chunks:
                pending.append(pool.apply_async(_run_chunk, (submitted,)))
                submitted += 1
            yield result


def generate(out: Path, scale: float, seed: int, months: int, mess: float, missing_column: bool,
             as_of: str = DEFAULT_AS_OF, chunk_people: int = CHUNK_PEOPLE, workers: int | None = None) -> Path:
    """Write synthetic deliveries under `out` and the planted truth next to it; returns the truth path.
    `workers` (default: up to 2) simulate chunks in parallel; the output does not depend on it."""
    global _CHUNK_JOB
    if months < 1:
        raise ValueError("months must be at least 1")
    if scale <= 0:
        raise ValueError("scale must be positive")
    out = Path(out)
    setting = build_setting(scale, seed, months, mess, missing_column, as_of)
    writer = Writer(out, seed)
    rng = np.random.default_rng([seed, 0])
    employers = draw_employers(rng, scale, setting.region)
    events = draw_events(rng, setting.actions, setting.region, setting.window, scale)
    offsets: dict[str, int] = {}
    corrections = [0]
    for table in programme_tables(setting, rng, employers, events):
        write_table(writer, setting, renumber(table, offsets), "programme", corrections)

    total = max(1, int(round(REGION_RESIDENTS * scale)))
    n_chunks = max(1, math.ceil(total / chunk_people))
    sizes = [total // n_chunks + (1 if i < total % n_chunks else 0) for i in range(n_chunks)]
    _CHUNK_JOB = (setting, employers, events, sizes)
    totals: dict[str, float] = {}
    effect_totals = None
    workers = min(2, os.cpu_count() or 1) if workers is None else workers
    try:
        for chunk, result in enumerate(_chunk_results(n_chunks, workers)):
            for table in result.tables:
                write_table(writer, setting, renumber(table, offsets), f"chunk{chunk}", corrections)
            for name, value in result.statistics.items():
                totals[name] = totals.get(name, 0.0) + value
            effect_totals = result.effect_counts if effect_totals is None else effect_totals + result.effect_counts
    finally:
        _CHUNK_JOB = None

    truth = {
        "seed": seed, "scale": scale, "as_of": as_of, "as_of_date": iso(setting.window.end),
        "monitor_start": MONITOR_START, "delivery_months": list(setting.months), "mess": mess,
        "calibration": calibration_report(totals, scale, setting.window),
        "planted_effects": planted_effects(setting, effect_totals, totals),
        "defects": {**{check: writer.defects.get(check, 0) for check in ROW_CHECKS},
                    **{warning: 0 for warning in FILE_WARNINGS}, **setting.file_warnings(),
                    "bsn_padded": writer.defects.get("bsn_padded", 0)},
        "missing_column": int(missing_column),
        "missing_column_files": ([str(landing_path(KINDS[MISSING_COLUMN[0]], setting.months[0], MISSING_COLUMN[1]))]
                                 if missing_column else []),
        "corrections": corrections[0],
        "rows_written": writer.rows_written,
    }
    path = truth_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    return path


def planted_effects(setting: Setting, counts: np.ndarray, totals: dict[str, float]) -> list[dict[str, object]]:
    """Per action and target group: the planted effect, and what the section 7 comparison gives on the
    generated data before defects (the realisation, with its sampling noise)."""
    estimates = estimate_effects(counts)
    effects = []
    for index, action in enumerate(setting.actions):
        for group in planted_groups(action):
            entry: dict[str, object] = {"action_code": action.code, "target_group": group,
                                        "effect_pp": float(action.plan.effect_pp) if group == "AV" else 0.0}
            if group == "AV":
                entry.update({key: (round(value, 4) if isinstance(value, float) else value) for key, value in estimates[index].items()})
            else:
                entry["n_participants"] = int(totals.get(f"ah_participants_{action.code}", 0))
                entry["note"] = "AH is rung 7, the top of the ladder: nobody can move up, so the effect is 0 by definition."
            effects.append(entry)
    return effects
