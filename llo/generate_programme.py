"""The Werk in Zicht programme in the synthetic data: who takes part in which
action, the planted effect of each action, and the programme's own records
(events, attendance, outreach contacts, employers and their contacts, inputs
per quarter, survey answers).

Planted effect (definitions.md section 7 is what the monitor estimates):
participants are drawn with a probability that depends only on the comparison
strata (target group via the rung, age band, benefit yes/no), never on what
happens to them later. An action's own trajectory or learning activity always
ends within 300 days, so it cannot itself be the rung 12 months after the
baseline. Then, for an action with effect e (percentage points) a participant
in stratum s whose rung 12 months after the baseline is not higher gets, with
probability q_s = e / (100 - p0_s) (p0_s = the stratum's natural upward rate in
percent, measured on the same data at quarter-start baselines), a job without
benefit, LKS or support that runs past baseline + 12 months: rung 7. The
expected difference participant minus comparable non-participant is then e
in every stratum."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llo.generate_calendar import OPEN, YEAR_DAYS, add_months, age_on, quarter_starts
from llo.generate_people import (
    AGE_BANDS, BRON, N_STRATA, ONDERWIJSTYPE, REGULAR, UWV_SUPPLIER, VORM, Employers, Instruments,
    LadderState, People, Position, Region, Spells, Window, choose, clip_to_residence, durations, learning_spells, municipality_on,
    sample_employers, trajectory_spells,
)

ACTION_MAX_DAYS = 300  # an action's own trajectory or activity ends before baseline + 12 months
NOT_WORKING, SUPPORTED, AH = 0, 1, 2  # bands of the rung: 0-4, 5-6 (both AV), 7 (AH)


@dataclass(frozen=True)
class ActionPlan:
    """How the generator lets an action run. Not monitor logic: the monitor reads actions from the seed."""

    per_year: float  # participants a year at scale 1.0
    mode: str  # 'trajectory', 'learning' or 'none' (events, contacts and employers only)
    mix: tuple[tuple[str, float], ...] = ()  # instruments (trajectory) or onderwijstype (learning)
    mean_days: float = 120
    band_weights: tuple[float, float, float] = (1.0, 0.0, 0.0)  # not working, working with support, AH
    age_weights: tuple[float, ...] = (0.6, 1, 1, 1, 0.6, 0.05)  # 15-24 ... 65-74
    benefit_weights: tuple[float, float] = (1.0, 1.0)  # without, with a benefit
    effect_pp: float = 0.0  # planted effect for AV (AH is at the top rung: nothing to move up to)
    vorm: str = "NON_FORMEEL"
    bron: str = "AANBIEDER"


ACTION_PLANS: dict[str, ActionPlan] = {
    "KANSRIJK_OPLEIDEN": ActionPlan(1500, "learning", (("MBO", 1.0),), 200, (1, 0.5, 0), benefit_weights=(1, 1.5),
                                    effect_pp=12, vorm="FORMEEL"),
    "E_PORTFOLIO": ActionPlan(2000, "learning", (("ZELFSTUDIE", 1.0),), 120, (0.5, 0.5, 1), vorm="INFORMEEL", bron="ZELFRAPPORTAGE"),
    "SLUITENDE_AANPAK_JONGEREN": ActionPlan(1200, "trajectory", (("COACHGESPREK", 0.6), ("ORIENTATIE", 0.4)), 120, (1, 0.3, 0),
                                            age_weights=(1, 0.15, 0, 0, 0, 0)),
    "KANSRIJK_TALENT": ActionPlan(1200, "trajectory", (("WERKERVARINGSPLAATS_REGULIER", 0.5), ("PROEFPLAATSING", 0.3),
                                                        ("WERKERVARINGSPLAATS", 0.2)), 150,
                                  benefit_weights=(1, 2), effect_pp=15),
    "WIZ_JOBCOACHING": ActionPlan(1000, "trajectory", (("JOBCOACHING", 0.8), ("NAZORG", 0.2)), 180, benefit_weights=(1, 1.5),
                                  effect_pp=8),
    "DURF_JIJ": ActionPlan(1200, "trajectory", (("ACTIVERING", 0.4), ("SOCIALE_ACTIVITEIT", 0.25), ("VRIJWILLIGERSWERK", 0.15),
                                                 ("MANTELZORG", 0.1), ("DAGBESTEDING", 0.1)), 150,
                           age_weights=(0.5, 1, 1, 1, 0.8, 0.1), benefit_weights=(1, 2), effect_pp=8),
    "PRAKTIJKLEREN": ActionPlan(1500, "learning", (("CURSUS", 1.0),), 210, (1, 1, 0.3), benefit_weights=(1, 1.5), effect_pp=10),
    "TALENTPERRON": ActionPlan(800, "trajectory", (("LOOPBAANADVIES", 1.0),), 60, (1, 0.5, 0.05)),
    "LEERWERKLOKET": ActionPlan(2500, "learning", (("CURSUS", 0.6), ("TRAINING", 0.4)), 90, (1, 1, 0.1), bron="LEERWERKLOKET"),
    "WIZ_ONTWIKKELCENTRA": ActionPlan(800, "trajectory", (("PTO", 0.5), ("SCHOLING", 0.25), ("WORKSHOP", 0.25)), 120),
    "NOORDEN_WERKT_DOOR": ActionPlan(2000, "learning", (("TRAINING", 1.0),), 30, (0, 0.3, 1)),
    "WIZ_ACADEMY": ActionPlan(2500, "learning", (("CURSUS", 0.6), ("E_LEARNING", 0.4)), 60, (0, 0.2, 1)),
    "WIZ_LAB": ActionPlan(1000, "learning", (("WORKSHOP", 1.0),), 1, (0.5, 0.5, 1)),
    "SOCIAL_RETURN": ActionPlan(0, "none"),
    "SOCIAAL_ONTWIKKELPARTNERS": ActionPlan(0, "none"),
    "TALENTTOUR": ActionPlan(0, "none"),
}
# Actions added to the seed later run like a plain action of their track, without effect.
DEFAULT_PLANS = {
    "BEREIKEN": ActionPlan(400, "trajectory", (("ORIENTATIE", 1.0),), 90),
    "ONTWIKKELEN": ActionPlan(400, "trajectory", (("SCHOLING", 1.0),), 120),
    "DUURZAME_INZETBAARHEID": ActionPlan(400, "learning", (("TRAINING", 1.0),), 30, (0, 0.3, 1)),
}


@dataclass(frozen=True)
class Action:
    code: str
    name: str
    track: str
    primary_group: str
    plan: ActionPlan


def actions_from_seed(rows: list[dict[str, str]]) -> tuple[Action, ...]:
    return tuple(
        Action(row["action_code"], row["action_name"], row["track"], row["primary_group"],
               ACTION_PLANS.get(row["action_code"], DEFAULT_PLANS.get(row["track"], ActionPlan(0, "none"))))
        for row in rows
    )


def planted_groups(action: Action) -> list[str]:
    """Target groups an action has participants in (and so a planted effect for)."""
    if action.plan.mode == "none":
        return []
    weights = action.plan.band_weights
    return [group for group, present in (("AV", weights[0] + weights[1] > 0), ("AH", weights[2] > 0)) if present]


# --- participants ----------------------------------------------------------------------------------------

@dataclass
class Participation:
    """One row per start: the monitor's section 7 participants."""

    action: np.ndarray
    person: np.ndarray
    start: np.ndarray


def selection_weight(plan: ActionPlan, position: Position) -> np.ndarray:
    band = np.where(position.rung <= 4, NOT_WORKING, np.where(position.rung <= 6, SUPPORTED, AH))
    weight = (np.asarray(plan.band_weights)[band] * np.asarray(plan.age_weights)[position.age_band]
              * np.asarray(plan.benefit_weights)[position.has_benefit])
    return np.where(position.in_population, weight / max(plan.band_weights) / max(plan.age_weights) / max(plan.benefit_weights), 0.0)


def select_participants(rng: np.random.Generator, actions: tuple[Action, ...], state: LadderState, n_people: int,
                        quarters: np.ndarray, window: Window, people_share: float) -> Participation:
    """Starts per action and quarter, drawn on the strata only (thinning of uniform candidates)."""
    parts = []
    for action_index, action in enumerate(actions):
        plan = action.plan
        if plan.mode == "none" or plan.per_year <= 0:
            continue
        # Uniform candidates (person, day) per quarter, thinned by the stratum weight to the quarter's target.
        ends = np.minimum(add_months(quarters, 3) - 1, window.end)
        lengths = ends - quarters + 1
        targets = plan.per_year * people_share * lengths / YEAR_DAYS
        sizes = np.maximum(256, (targets * 60).astype(np.int64))
        quarter = np.repeat(np.arange(len(quarters)), sizes)
        persons = rng.integers(0, n_people, len(quarter))
        starts = quarters[quarter] + np.floor(rng.random(len(quarter)) * lengths[quarter]).astype(np.int64)
        weight = selection_weight(plan, state.at(persons, starts - 1))
        available = np.bincount(quarter, weight, minlength=len(quarters))
        thinning = np.minimum(1.0, targets / np.maximum(available, 1e-9))
        accept = rng.random(len(quarter)) < weight * thinning[quarter]
        persons, starts = persons[accept], starts[accept]
        # Nobody starts the same action twice within 400 days (the first start's outcome window stays clean).
        order = np.lexsort((starts, persons))
        persons, starts = persons[order], starts[order]
        repeat = np.append(False, (persons[1:] == persons[:-1]) & (starts[1:] - starts[:-1] <= 400))
        parts.append(Participation(np.full(int((~repeat).sum()), action_index), persons[~repeat], starts[~repeat]))
    return Participation(*(np.concatenate([getattr(part, name) for part in parts]) if parts else np.zeros(0, np.int64)
                           for name in ("action", "person", "start")))


def action_records(rng: np.random.Generator, actions: tuple[Action, ...], participation: Participation, people: People,
                   instruments: Instruments) -> tuple[Spells, Spells]:
    """The trajectories and learning activities of the participants."""
    mode = np.array([action.plan.mode for action in actions])[participation.action]
    trajectories, learning = [], []
    for action_index, action in enumerate(actions):
        plan = action.plan
        rows = np.flatnonzero(participation.action == action_index)
        if len(rows) == 0:
            continue
        person, start = participation.person[rows], participation.start[rows]
        length = np.minimum(durations(rng, plan.mean_days, len(rows)), ACTION_MAX_DAYS) if plan.mean_days > 1 else np.ones(len(rows), np.int64)
        end = start + length - 1
        codes = [code for code, _ in plan.mix]
        pick = choose(rng, [weight for _, weight in plan.mix], len(rows))
        if mode[rows[0]] == "trajectory":
            instrument = np.array([instruments.index(code) for code in codes])[pick]
            supplier = np.where(people.labour_class[person] == 2, UWV_SUPPLIER, municipality_on(people, person, start))
            trajectories.append(trajectory_spells(rng, person, start, end, instrument, supplier, np.full(len(rows), action_index)))
        else:
            vorm = VORM.index(plan.vorm)
            result = (np.full(len(rows), -1) if plan.vorm == "INFORMEEL"
                      else choose(rng, [0, 0.6, 0.15, 0.0, 0.25, 0], len(rows)))
            learning.append(learning_spells(person, start, end, {
                "bron": np.full(len(rows), BRON.index(plan.bron)),
                "onderwijstype": np.array([ONDERWIJSTYPE.index(code) for code in codes])[pick],
                "vorm": np.full(len(rows), vorm), "action": np.full(len(rows), action_index),
                "hours": np.round(np.maximum(1, length * rng.uniform(0.5, 2.0, len(rows))), 0),
                "result": result, "fulltime": np.where(np.full(len(rows), vorm == 0), 0, -1),
            }))
    empty_trajectories = trajectory_spells(rng, *(np.zeros(0, np.int64) for _ in range(5)))
    empty_learning = learning_spells(*(np.zeros(0, np.int64) for _ in range(3)), {})
    return Spells.concat([empty_trajectories, *trajectories]), Spells.concat([empty_learning, *learning])


# --- planted effects -----------------------------------------------------------------------------------

def eligible_quarters(window: Window) -> np.ndarray:
    """Quarters whose baseline (the day before) plus 12 months is on or before the as-of date."""
    quarters = quarter_starts(window.start, window.end)
    return quarters[add_months(quarters - 1, 12) <= window.end]


def quarter_outcomes(state: LadderState, quarter_start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For everybody: counted (AV at the baseline, in the population at both dates), stratum, moved up."""
    baseline = quarter_start - 1
    before = state.on(baseline)
    after = state.on(int(add_months(np.array([baseline]), 12)[0]))
    counted = before.in_av & after.in_population
    return counted, before.stratum, after.rung > before.rung


def natural_upward_rates(state: LadderState, quarters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per stratum: people counted and people moving up, pooled over the quarters."""
    counted_total = np.zeros(N_STRATA)
    up_total = np.zeros(N_STRATA)
    for quarter_start in quarters:
        counted, stratum, up = quarter_outcomes(state, int(quarter_start))
        counted_total += np.bincount(stratum[counted], minlength=N_STRATA)
        up_total += np.bincount(stratum[counted & up], minlength=N_STRATA)
    return counted_total, up_total


def upward_rate_by_stratum(counted: np.ndarray, up: np.ndarray, minimum: int = 30) -> np.ndarray:
    """Rate per stratum; a thin stratum borrows the rate of its rung (all ages, benefit or not)."""
    rung_of = np.arange(N_STRATA) // (2 * len(AGE_BANDS))
    rung_counted = np.bincount(rung_of, counted, minlength=7)
    rung_up = np.bincount(rung_of, up, minlength=7)
    pooled = np.divide(rung_up, rung_counted, out=np.full(7, 0.3), where=rung_counted > 0)[rung_of]
    own = np.divide(up, counted, out=np.zeros(N_STRATA), where=counted > 0)
    return np.where(counted >= minimum, own, pooled)


@dataclass
class Boosts:
    person: np.ndarray
    first_day: np.ndarray  # the job starts
    horizon: np.ndarray  # baseline + 12 months: no benefit, LKS or support on this day


def plan_boosts(rng: np.random.Generator, actions: tuple[Action, ...], participation: Participation, state: LadderState,
                natural_rate: np.ndarray) -> Boosts:
    baseline = participation.start - 1
    horizon = add_months(baseline, 12)
    before = state.at(participation.person, baseline)
    after = state.at(participation.person, horizon)
    effect = np.array([action.plan.effect_pp for action in actions], float)[participation.action] / 100
    headroom = np.maximum(1 - natural_rate[before.stratum], 1e-9)
    probability = np.minimum(1.0, effect / headroom)
    boosted = (effect > 0) & before.in_av & ~(after.rung > before.rung) & (rng.random(len(baseline)) < probability)
    person, start, horizon = participation.person[boosted], participation.start[boosted], horizon[boosted]
    room = np.maximum(horizon - 30 - start, 1)
    first_day = start + 1 + np.floor(rng.random(len(person)) * room).astype(np.int64)
    return Boosts(person, first_day, horizon)


def cut_at_boost(spells: Spells, boosts: Boosts, which: np.ndarray | None = None) -> Spells:
    """Periods of boosted people that overlap [job start, horizon] end the day before the job starts
    (or disappear when they would start within it)."""
    first = np.full(spells.person.max(initial=-1) + 2, OPEN, np.int64)
    last = np.full(len(first), -OPEN, np.int64)
    inside = boosts.person < len(first)
    np.minimum.at(first, boosts.person[inside], boosts.first_day[inside])
    np.maximum.at(last, boosts.person[inside], boosts.horizon[inside])
    job_start, horizon = first[spells.person], last[spells.person]
    affected = (spells.end >= job_start) & (spells.start <= horizon)
    if which is not None:
        affected &= which
    end = np.where(affected, job_start - 1, spells.end)
    keep = end >= spells.start
    result = Spells(spells.person, spells.start, end, spells.attrs).subset(keep)
    if "reason" in result.attrs:
        result.attrs["reason"] = np.where(affected[keep], 2, result.attrs["reason"]).astype(np.int8)  # WERK
    return result


def boost_jobs(rng: np.random.Generator, boosts: Boosts, people: People, employers: Employers) -> Spells:
    n = len(boosts.person)
    end = boosts.horizon + durations(rng, 2 * YEAR_DAYS, n, shape=1.0)
    return Spells(boosts.person, boosts.first_day, end, {
        "employer": sample_employers(rng, employers, n),
        "hours": np.array([24.0, 28, 32, 36])[rng.integers(0, 4, n)],
        "contract": np.full(n, 1, np.int8),
        "first_of_spell": np.ones(n, bool),
    })


def apply_boosts(rng: np.random.Generator, boosts: Boosts, people: People, employers: Employers, instruments: Instruments,
                 jobs: Spells, pw: Spells, uwv: Spells, registrations: Spells,
                 trajectories: Spells) -> tuple[Spells, Spells, Spells, Spells, Spells]:
    """The boosted people's new jobs, and their benefits, registrations, LKS, support and action
    trajectories ended the day before (so rung 7 at baseline + 12 months)."""
    jobs = clip_to_residence(people, Spells.concat([jobs, boost_jobs(rng, boosts, people, employers)]))
    instrument = trajectories.attrs["instrument"]
    ends_with_work = instruments.is_lks[instrument] | instruments.is_support[instrument] | (trajectories.attrs["action"] >= 0)
    return (jobs, cut_at_boost(pw, boosts), cut_at_boost(uwv, boosts), cut_at_boost(registrations, boosts),
            cut_at_boost(trajectories, boosts, ends_with_work))


def effect_counts(state: LadderState, participation: Participation, quarters: np.ndarray, n_actions: int,
                  window: Window) -> np.ndarray:
    """[action, quarter, stratum, (participants, participants up, comparison, comparison up)] as the
    monitor counts them (definitions.md section 7)."""
    counts = np.zeros((n_actions, len(quarters), N_STRATA, 4))
    baseline = participation.start - 1
    horizon = add_months(baseline, 12)
    before = state.at(participation.person, baseline)
    after = state.at(participation.person, horizon)
    measured = before.in_av & after.in_population & (horizon <= window.end)
    quarter = np.searchsorted(quarters, participation.start, side="right") - 1
    quarter_ok = (quarter >= 0) & (quarter < len(quarters))
    in_quarter = quarter_ok & (participation.start < add_months(quarters[np.clip(quarter, 0, len(quarters) - 1)], 3))
    measured &= in_quarter
    up = after.rung > before.rung
    np.add.at(counts, (participation.action[measured], quarter[measured], before.stratum[measured], 0), 1)
    np.add.at(counts, (participation.action[measured & up], quarter[measured & up], before.stratum[measured & up], 1), 1)
    for q, quarter_start in enumerate(quarters):
        counted, stratum, moved_up = quarter_outcomes(state, int(quarter_start))
        comparison = np.bincount(stratum[counted], minlength=N_STRATA)
        comparison_up = np.bincount(stratum[counted & moved_up], minlength=N_STRATA)
        counts[:, q, :, 2] += comparison
        counts[:, q, :, 3] += comparison_up
        # Participants of an action in this quarter are not its comparison.
        mine = in_quarter & (quarter == q)
        person, action = participation.person[mine], participation.action[mine]
        out = counted[person]
        np.add.at(counts, (action[out], q, stratum[person[out]], 2), -1)
        np.add.at(counts, (action[out & moved_up[person]], q, stratum[person[out & moved_up[person]]], 3), -1)
    return counts


def estimate_effects(counts: np.ndarray) -> list[dict[str, float]]:
    """Participant rate, weighted comparison rate and difference per action (AV), from effect_counts."""
    results = []
    for action_counts in counts:
        participants, participants_up, comparison, comparison_up = np.moveaxis(action_counts, -1, 0)
        usable = comparison > 0
        n = participants[usable].sum()
        if n == 0:
            results.append({"n_participants": 0, "participant_rate": float("nan"), "comparison_rate": float("nan"), "difference_pp": float("nan")})
            continue
        rate = participants_up[usable].sum() / n
        comparison_rate = (participants[usable] * comparison_up[usable] / comparison[usable]).sum() / n
        results.append({
            "n_participants": int(n),
            "n_comparison": int(comparison[usable & (participants > 0)].sum()),
            "strata_dropped": int(((participants > 0) & ~usable).sum()),
            "participant_rate": float(rate),
            "comparison_rate": float(comparison_rate),
            "difference_pp": float(100 * (rate - comparison_rate)),
        })
    return results


# --- the programme's own records ------------------------------------------------------------------------

KANALEN = ("HUISBEZOEK", "TELEFOON", "STRAAT", "EVENT", "LOKET", "ONLINE")
OUTREACH_CHANNELS = (0.3, 0.2, 0.2, 0.1, 0.1, 0.1)
SERVICE_CHANNELS = (0.0, 0.3, 0.0, 0.0, 0.4, 0.3)
DOELGROEPEN = ("AV", "AH", "WG", "ALLE")
EMPLOYER_CONTACT_TYPES = ("BEZOEK", "EVENT", "ADVIES", "SCAN")
EVENT_NAMES = ("Inloopcafé", "Werkcafé", "Banenmarkt", "Informatiebijeenkomst", "Talentdag", "Ontwikkeldag",
               "Leerwerkmarkt", "Werkgeversontbijt")
VISITORS_PER_EVENT = {"AV": 12, "AH": 12, "WG": 3, "ALLE": 20}


def sample_residents(rng: np.random.Generator, people: People, days: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """A person per day who is in the population (resident, 15-74) that day; -1 where none was found."""
    n = len(people)
    chosen = np.full(len(days), -1)
    cumulative = None if weight is None else np.cumsum(weight / weight.sum())
    for _ in range(8):
        open_slots = np.flatnonzero(chosen < 0)
        if len(open_slots) == 0:
            break
        if cumulative is None:
            candidate = rng.integers(0, n, len(open_slots))
        else:
            candidate = np.minimum(np.searchsorted(cumulative, rng.random(len(open_slots))), n - 1)
        day_of = days[open_slots]
        age = age_on(people.birth[candidate], day_of)
        ok = (people.arrival[candidate] <= day_of) & (people.exit[candidate] >= day_of) & (age >= 15) & (age <= 74)
        chosen[open_slots[ok]] = candidate[ok]
    return chosen


def draw_contacts(rng: np.random.Generator, actions: tuple[Action, ...], people: People, participation: Participation,
                  window: Window, people_share: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Outreach contacts (person, day, action, kanaal)."""
    persons, days, action_of, channel = [], [], [], []
    distance_weight = np.where(people.labour_class == REGULAR, 1.0, 5.0)
    for index, action in enumerate(actions):
        if action.primary_group == "WG":
            continue
        outreach = action.track == "BEREIKEN"
        count = rng.poisson((3000 if outreach else 800) * people_share * window.years)
        day = rng.integers(window.start, window.end + 1, count)
        person = sample_residents(rng, people, day, distance_weight if action.primary_group == "AV" else None)
        found = person >= 0
        persons.append(person[found])
        days.append(day[found])
        action_of.append(np.full(int(found.sum()), index))
        channel.append(choose(rng, OUTREACH_CHANNELS if outreach else SERVICE_CHANNELS, int(found.sum())))
    # Outreach often precedes a start in an outreach action's trajectory.
    track = np.array([action.track for action in actions])
    reached = (track[participation.action] == "BEREIKEN") & (rng.random(len(participation.person)) < 0.5)
    day = participation.start[reached] - rng.integers(1, 61, int(reached.sum()))
    person = participation.person[reached]
    ok = (day >= window.start) & (people.arrival[person] <= day)
    persons.append(person[ok])
    days.append(day[ok])
    action_of.append(participation.action[reached][ok])
    channel.append(choose(rng, OUTREACH_CHANNELS, int(ok.sum())))
    return np.concatenate(persons), np.concatenate(days), np.concatenate(action_of), np.concatenate(channel)


@dataclass(frozen=True)
class Events:
    day: np.ndarray
    action: np.ndarray
    municipality: np.ndarray
    audience: np.ndarray  # index into DOELGROEPEN
    name: np.ndarray  # index into names
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.day)


def draw_events(rng: np.random.Generator, actions: tuple[Action, ...], region: Region, window: Window, scale: float) -> Events:
    days, action_of, audience = [], [], []
    for index, action in enumerate(actions):
        per_quarter = 30 if action.track == "BEREIKEN" else 8 if action.primary_group != "WG" else 5
        for quarter_start in quarter_starts(window.start, window.end):
            quarter_end = min(int(add_months(np.array([quarter_start]), 3)[0]) - 1, window.end)
            count = max(1, int(rng.poisson(per_quarter * scale)))
            days.append(rng.integers(quarter_start, quarter_end + 1, count))
            action_of.append(np.full(count, index))
            group = {"AV": 0, "AH": 1, "WG": 2}.get(action.primary_group)
            audience.append(np.full(count, group) if group is not None else choose(rng, [0.3, 0.3, 0.1, 0.3], count))
    day = np.concatenate(days)
    order = np.argsort(day, kind="stable")
    day, action_of, audience = day[order], np.concatenate(action_of)[order], np.concatenate(audience)[order]
    municipality = choose(rng, region.weights, len(day))
    template = rng.integers(0, len(EVENT_NAMES), len(day))
    template[0] = 0  # at least one name with a non-ASCII character in every delivery
    names = tuple(f"{EVENT_NAMES[t]} {region.names[m]}" for t in range(len(EVENT_NAMES)) for m in range(len(region.names)))
    return Events(day, action_of, municipality, audience, template * len(region.names) + municipality, names)


def draw_attendance(rng: np.random.Generator, events: Events, people: People, state: LadderState,
                    people_share: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Named visitors of events from this chunk of people: (event, person, werkend_opgegeven)."""
    expected = np.array([VISITORS_PER_EVENT[DOELGROEPEN[a]] for a in events.audience]) * people_share
    count = rng.poisson(expected)
    event = np.repeat(np.arange(len(events)), count)
    person = sample_residents(rng, people, events.day[event])
    keep = person >= 0
    event, person = event[keep], person[keep]
    pairs = np.unique(np.stack([event, person], axis=1), axis=0)
    event, person = pairs[:, 0], pairs[:, 1]
    working = state.at(person, events.day[event]).working
    stated = np.where(rng.random(len(person)) < 0.5, working.astype(np.int8), -1)
    return event, person, stated


def anonymous_attendance(rng: np.random.Generator, events: Events, employers: Employers) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Visitors without bsn: at most one line per event and stated working status (identical lines would
    be quarantined as duplicates), plus visitors on behalf of an employer: (event, employer, stated)."""
    event = np.repeat(np.arange(len(events)), 3)
    stated = np.tile(np.array([1, 0, -1], np.int8), len(events))
    keep = rng.random(len(event)) < 0.6
    event, stated = event[keep], stated[keep]
    employer = np.full(len(event), -1)
    for_employers = np.flatnonzero(np.isin(events.audience, [2, 3]))
    count = rng.poisson(2, len(for_employers))
    employer_event = np.repeat(for_employers, count)
    in_region = np.flatnonzero(employers.in_region)
    chosen = in_region[rng.integers(0, len(in_region), len(employer_event))]
    pairs = np.unique(np.stack([employer_event, chosen], axis=1), axis=0)
    return (np.concatenate([event, pairs[:, 0]]), np.concatenate([employer, pairs[:, 1]]),
            np.concatenate([stated, np.full(len(pairs), -1, np.int8)]))


def draw_employer_contacts(rng: np.random.Generator, actions: tuple[Action, ...], employers: Employers, window: Window,
                           scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(employer, day, action, type)."""
    in_region = np.flatnonzero(employers.in_region)
    weight = np.sqrt(employers.size[in_region])
    employer, day, action_of = [], [], []
    for index, action in enumerate(actions):
        per_year = 1600 if action.primary_group == "WG" else 300 if action.primary_group == "ALLE" else 0
        count = rng.poisson(per_year * scale * window.years)
        employer.append(in_region[choose(rng, weight, count)] if count else np.zeros(0, np.int64))
        day.append(rng.integers(window.start, window.end + 1, count))
        action_of.append(np.full(count, index))
    employer, day, action_of = np.concatenate(employer), np.concatenate(day), np.concatenate(action_of)
    return employer, day, action_of, choose(rng, [0.4, 0.2, 0.25, 0.15], len(day))


# --- surveys ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Questions:
    """reference/survey_questions.csv with who is asked what, derived from the indicator each feeds."""

    codes: tuple[str, ...]
    respondent: tuple[str, ...]
    scale_min: np.ndarray
    scale_max: np.ndarray
    group: tuple[str, ...]  # AV, AH, ALL or WG (from indicators.csv)
    layer: tuple[str, ...]

    def select(self, respondent: str, groups: tuple[str, ...], layer: str, event: bool = False) -> np.ndarray:
        return np.array([i for i, code in enumerate(self.codes)
                         if self.respondent[i] == respondent and self.group[i] in groups and self.layer[i] == layer
                         and (code.endswith("_EVENT") == event)], dtype=np.int64)

    @staticmethod
    def from_seed(questions: list[dict[str, str]], indicators: list[dict[str, str]]) -> Questions:
        indicator = {row["indicator_code"]: row for row in indicators}
        return Questions(
            codes=tuple(row["question_code"] for row in questions),
            respondent=tuple(row["respondent_type"] for row in questions),
            scale_min=np.array([int(row["scale_min"]) for row in questions]),
            scale_max=np.array([int(row["scale_max"]) for row in questions]),
            group=tuple(indicator.get(row["indicator_code"], {}).get("target_group", "ALL") for row in questions),
            layer=tuple(indicator.get(row["indicator_code"], {}).get("layer", "outcome") for row in questions),
        )


@dataclass
class Answers:
    person: np.ndarray  # -1 = anonymous or employer
    employer: np.ndarray  # -1 = resident
    action: np.ndarray  # -1 = none
    event: np.ndarray  # -1 = none
    day: np.ndarray
    moment: np.ndarray  # 0 VOOR, 1 NA, 2 EENMALIG
    question: np.ndarray
    score: np.ndarray

    @staticmethod
    def concat(parts: list[Answers]) -> Answers:
        return Answers(*(np.concatenate([getattr(part, name) for part in parts]) for name in Answers.__dataclass_fields__))


def _scores(rng: np.random.Generator, questions: Questions, question: np.ndarray, centre: float, spread: float) -> np.ndarray:
    low, high = questions.scale_min[question], questions.scale_max[question]
    value = low + (high - low) * np.clip(rng.normal(centre, spread, len(question)), 0, 1)
    return np.round(value)


def _ask(question_set: np.ndarray, respondents: int) -> tuple[np.ndarray, np.ndarray]:
    """Each respondent answers every question of the set: (respondent row, question) pairs."""
    rows = np.repeat(np.arange(respondents), len(question_set))
    return rows, np.tile(question_set, respondents)


def participant_answers(rng: np.random.Generator, questions: Questions, participation: Participation, in_av: np.ndarray,
                        end: np.ndarray, window: Window) -> Answers:
    """VOOR at the start and NA at the end of a trajectory or activity, and satisfaction at the end."""
    parts = []
    for group_name, members in (("AV", in_av), ("AH", ~in_av)):
        question_set = questions.select("INWONER", (group_name, "ALL"), "outcome")
        asked = np.flatnonzero(members & (rng.random(len(in_av)) < 0.35))
        rows, question = _ask(question_set, len(asked))
        who = asked[rows]
        before = _scores(rng, questions, question, 0.45, 0.2)
        improvement = rng.normal(0.08, 0.12, len(who)) * (questions.scale_max[question] - questions.scale_min[question])
        after = np.clip(np.round(before + improvement), questions.scale_min[question], questions.scale_max[question])
        followed = (end[who] <= window.end) & (rng.random(len(who)) < 0.75)
        for moment, score, day, keep in ((0, before, participation.start[who], np.ones(len(who), bool)),
                                         (1, after, end[who], followed)):
            parts.append(Answers(participation.person[who][keep], np.full(int(keep.sum()), -1), participation.action[who][keep],
                                 np.full(int(keep.sum()), -1), day[keep], np.full(int(keep.sum()), moment), question[keep], score[keep]))
    satisfaction = questions.select("INWONER", ("ALL", "AV", "AH"), "output")
    asked = np.flatnonzero((end <= window.end) & (rng.random(len(end)) < 0.3))
    rows, question = _ask(satisfaction, len(asked))
    who = asked[rows]
    parts.append(Answers(participation.person[who], np.full(len(who), -1), participation.action[who], np.full(len(who), -1),
                         end[who], np.full(len(who), 2), question, _scores(rng, questions, question, 0.72, 0.15)))
    return Answers.concat(parts)


def event_answers(rng: np.random.Generator, questions: Questions, events: Events, event: np.ndarray, person: np.ndarray) -> Answers:
    question_set = questions.select("INWONER", ("ALL", "AV", "AH"), "output", event=True)
    asked = np.flatnonzero(rng.random(len(event)) < 0.25)
    rows, question = _ask(question_set, len(asked))
    who = asked[rows]
    anonymous = rng.random(len(who)) < 0.15
    return Answers(np.where(anonymous, -1, person[who]), np.full(len(who), -1), events.action[event[who]], event[who],
                   events.day[event[who]], np.full(len(who), 2), question, _scores(rng, questions, question, 0.75, 0.15))


def employer_answers(rng: np.random.Generator, questions: Questions, employer: np.ndarray, day: np.ndarray,
                     action: np.ndarray, window: Window) -> Answers:
    parts = []
    once = questions.select("WERKGEVER", ("WG", "ALL"), "output")
    asked = np.flatnonzero(rng.random(len(employer)) < 0.3)
    rows, question = _ask(once, len(asked))
    who = asked[rows]
    parts.append(Answers(np.full(len(who), -1), employer[who], action[who], np.full(len(who), -1), day[who],
                         np.full(len(who), 2), question, _scores(rng, questions, question, 0.7, 0.15)))
    paired = questions.select("WERKGEVER", ("WG", "ALL"), "outcome")
    asked = np.flatnonzero(rng.random(len(employer)) < 0.3)
    rows, question = _ask(paired, len(asked))
    who = asked[rows]
    before = _scores(rng, questions, question, 0.5, 0.2)
    after = np.clip(before + rng.integers(0, 2, len(who)), questions.scale_min[question], questions.scale_max[question])
    later = day[who] + 182
    followed = later <= window.end
    parts.append(Answers(np.full(len(who), -1), employer[who], action[who], np.full(len(who), -1), day[who],
                         np.zeros(len(who), np.int64), question, before))
    parts.append(Answers(np.full(int(followed.sum()), -1), employer[who][followed], action[who][followed],
                         np.full(int(followed.sum()), -1), later[followed], np.ones(int(followed.sum()), np.int64),
                         question[followed], after[followed]))
    return Answers.concat(parts)
