"""Synthetic lives for the generator: residents of the region and everything the
deliveries record about them, simulated per chunk of people with numpy (no loop
per person).

Every record is a period (start day, end day; OPEN = still running) or an event
day. `LadderState` evaluates the ladder of definitions.md section 2 on these
periods exactly as the monitor does on the delivered files, so the generator can
plant effects on "a higher rung 12 months later" and report what it achieved.

Model, in the order it is simulated (the numbers are in the tables below and
in docs/generator.md):
1. people: the residents at the monitor start plus in-movers and births, with a
   municipality, birth date, sex, a labour-market class (regular, at a distance
   from the labour market, work disability), the age their initial education
   ends, residence periods (internal moves, moving away, death);
2. work: an alternating on/off renewal process per person with exponential
   durations (memoryless, so a person's chance of moving up does not depend on
   when we look), split into dienstverbanden (job switches, hours changes) plus
   second jobs;
3. benefits and registrations: WW/ZW after a job ends, Participatiewet for the
   class at a distance, WGA/IVA/Wajong for the disability class, UWV
   registration as job seeker;
4. instruments outside the programme (trajecten without actie_code), LKS with a
   job, jobcoaching and aftercare;
5. learning: initial education (DUO) and post-initial learning;
6. the programme's actions (see ACTION_PLANS): participants drawn on the
   comparison strata only, then the planted effect (generate_truth)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from llo.generate_calendar import OPEN, YEAR_DAYS, add_months, age_on, birthday

# --- the region --------------------------------------------------------------------------------------

# Per municipality: share of 18-66 year olds at a distance from the labour market (drives
# Participatiewet: high in the city of Groningen and East Groningen), and a synthetic 4-digit
# postcode range. Unknown municipalities (a seed change) get the fallback.
MUNICIPALITY_PROFILES: dict[str, tuple[float, int, int]] = {
    "GM0014": (0.080, 9711, 9747),  # Groningen
    "GM0037": (0.080, 9500, 9509),  # Stadskanaal
    "GM0047": (0.080, 9640, 9649),  # Veendam
    "GM0765": (0.090, 9660, 9665),  # Pekela
    "GM1895": (0.085, 9670, 9699),  # Oldambt
    "GM1950": (0.065, 9540, 9559),  # Westerwolde
    "GM1952": (0.070, 9600, 9639),  # Midden-Groningen
    "GM1966": (0.045, 9950, 9989),  # Het Hogeland
    "GM1969": (0.035, 9800, 9829),  # Westerkwartier
    "GM1979": (0.070, 9900, 9949),  # Eemsdelta
    "GM0106": (0.055, 9400, 9409),  # Assen
    "GM1680": (0.025, 9450, 9469),  # Aa en Hunze
    "GM1699": (0.030, 9300, 9319),  # Noordenveld
    "GM1730": (0.025, 9480, 9489),  # Tynaarlo
}
FALLBACK_PROFILE = (0.045, 9000, 9999)
UNIVERSITY_CITY = "GM0014"

# Residents by 5-year age band 0-4 ... 95-99 (per mille, roughly the Northern Netherlands in 2024),
# and the extra weight of the student city.
AGE_BAND_WEIGHTS = np.array([48, 51, 54, 58, 64, 63, 61, 58, 56, 59, 70, 73, 70, 63, 59, 50, 33, 17, 7, 2], float)
STUDENT_CITY_FACTOR = np.array([1, 1, 1, 1.2, 2.4, 1.7, 1.2, 1, 1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75, 0.75])
IN_MOVER_BAND_WEIGHTS = np.array([5, 3, 3, 14, 30, 18, 8, 5, 4, 3, 2, 2, 1, 1, 1, 0.5, 0.5, 0.3, 0.1, 0.0])

IN_MOVERS_PER_YEAR = 0.036  # of the initial residents
BIRTHS_PER_YEAR = 0.0085
INTERNAL_MOVES_PER_YEAR = 0.02


def out_migration_rate(age: np.ndarray) -> np.ndarray:
    return np.select([age < 18, age < 30, age < 45, age < 65], [0.02, 0.08, 0.03, 0.012], 0.008)


def death_rate(age: np.ndarray) -> np.ndarray:
    """Gompertz: about 0.1% a year at 40, 1% at 63, 10% at 87."""
    return np.minimum(np.exp(-10.3 + 0.094 * age), 0.6)


# Labour-market classes.
REGULAR, DISTANCE, DISABILITY = 0, 1, 2
DISABILITY_SHARE = 0.045

# Employment: (stationary share employed, mean length of an employment spell in years).
def employment_parameters(age: np.ndarray, labour_class: np.ndarray, studying: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    share = np.select(
        [age < 17, age < 20, age < 25, age < 55, age < 60, age < 65, age < 67, age < 70, age < 75],
        [0.30, 0.70, 0.82, 0.885, 0.83, 0.70, 0.38, 0.16, 0.08], 0.02)
    spell_years = np.select([age < 25, age < 35, age < 67], [2.5, 5.0, 10.0], 3.0)
    working_age = (age >= 18) & (age < 67)
    share = np.where(studying, np.where(age < 17, 0.35, 0.58), share)
    spell_years = np.where(studying, 1.2, spell_years)
    share = np.where(working_age & (labour_class == DISTANCE), 0.16, share)
    spell_years = np.where(working_age & (labour_class == DISTANCE), 1.3, spell_years)
    share = np.where(working_age & (labour_class == DISABILITY), 0.28, share)
    spell_years = np.where(working_age & (labour_class == DISABILITY), 4.0, spell_years)
    return share, spell_years


RETIRE_AT_PENSION_AGE = 0.85  # share of employment spells that end at 67 (AOW age)
PENSION_AGE = 67

# Initial education: (age it ends, probability); the level after secondary school follows from it.
STUDY_END_AGES = np.array([17.0, 19.0, 21.0, 22.5, 24.0])
STUDY_END_PROBABILITIES = np.array([0.10, 0.25, 0.22, 0.25, 0.18])


@dataclass
class Spells:
    """Periods (or events: start == end) of one kind, one row per period."""

    person: np.ndarray
    start: np.ndarray
    end: np.ndarray
    attrs: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.person)

    def subset(self, index: np.ndarray) -> Spells:
        return Spells(self.person[index], self.start[index], self.end[index],
                      {name: values[index] for name, values in self.attrs.items()})

    @staticmethod
    def concat(parts: list[Spells]) -> Spells:
        parts = [part for part in parts if part is not None]
        names = parts[0].attrs.keys()
        return Spells(
            np.concatenate([part.person for part in parts]),
            np.concatenate([part.start for part in parts]),
            np.concatenate([part.end for part in parts]),
            {name: np.concatenate([part.attrs[name] for part in parts]) for name in names},
        )

    @staticmethod
    def empty(**attr_dtypes: type) -> Spells:
        return Spells(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64),
                      {name: np.zeros(0, dtype) for name, dtype in attr_dtypes.items()})


def choose(rng: np.random.Generator, probabilities: np.ndarray | list[float], size: int) -> np.ndarray:
    probabilities = np.asarray(probabilities, float)
    return rng.choice(len(probabilities), size=size, p=probabilities / probabilities.sum())


def durations(rng: np.random.Generator, mean_days: np.ndarray | float, size: int, shape: float = 2.0) -> np.ndarray:
    """Gamma-distributed lengths in whole days (at least 1)."""
    return np.maximum(1, np.round(rng.gamma(shape, np.asarray(mean_days, float) / shape, size))).astype(np.int64)


@dataclass(frozen=True)
class Region:
    codes: tuple[str, ...]
    names: tuple[str, ...]
    population: np.ndarray  # approx_population_2024
    distance_share: np.ndarray
    postcode_first: np.ndarray
    postcode_last: np.ndarray

    @property
    def weights(self) -> np.ndarray:
        return self.population / self.population.sum()

    @staticmethod
    def from_seed(rows: list[dict[str, str]]) -> Region:
        profiles = [MUNICIPALITY_PROFILES.get(row["municipality_code"], FALLBACK_PROFILE) for row in rows]
        return Region(
            codes=tuple(row["municipality_code"] for row in rows),
            names=tuple(row["municipality_name"] for row in rows),
            population=np.array([float(row["approx_population_2024"]) for row in rows]),
            distance_share=np.array([profile[0] for profile in profiles]),
            postcode_first=np.array([profile[1] for profile in profiles]),
            postcode_last=np.array([profile[2] for profile in profiles]),
        )


@dataclass(frozen=True)
class Window:
    start: int  # monitor_start
    end: int  # last day of the latest delivery month (the as-of date)

    @property
    def years(self) -> float:
        return (self.end - self.start + 1) / YEAR_DAYS


# --- bsn -----------------------------------------------------------------------------------------------

BSN_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2], np.int64)
BSN_SPACE = 10**8
BSN_STRIDE = 37_975_637  # odd and not a multiple of 5: i -> stride*i + offset is a bijection mod 10^8


def valid_bsns(first_index: int, count: int, offset: int) -> np.ndarray:
    """`count` distinct bsns passing the elfproef; disjoint for disjoint index ranges.

    An 8-digit prefix x (a bijection of the running index, so about 10% start with 0) gets
    the check digit sum(w*d) mod 11; the one prefix in eleven whose remainder is 10 has no
    valid check digit and is skipped. The caller reserves `reserve_bsn_indexes(count)`."""
    index = np.arange(first_index, first_index + reserve_bsn_indexes(count), dtype=np.int64)
    prefix = (BSN_STRIDE * index + offset) % BSN_SPACE
    digits = (prefix[:, None] // (10 ** np.arange(7, -1, -1, dtype=np.int64))) % 10
    check = (digits * BSN_WEIGHTS).sum(axis=1) % 11
    keep = check < 10
    bsn = (prefix * 10 + check)[keep]
    if len(bsn) < count:
        raise RuntimeError("bsn reserve too small")  # cannot happen: 1.25*count draws, 10/11 valid
    return bsn[:count]


def reserve_bsn_indexes(count: int) -> int:
    return int(count * 1.25) + 64


def elfproef(bsn: np.ndarray) -> np.ndarray:
    digits = (np.asarray(bsn, np.int64)[:, None] // (10 ** np.arange(8, -1, -1, dtype=np.int64))) % 10
    total = (digits[:, :8] * BSN_WEIGHTS).sum(axis=1) - digits[:, 8]
    return (total % 11 == 0) & (np.asarray(bsn) != 0)


# --- people and residence ------------------------------------------------------------------------------

@dataclass
class People:
    bsn: np.ndarray
    birth: np.ndarray
    sex: np.ndarray  # 0 M, 1 V, 2 X
    arrival: np.ndarray  # first day of residence in the region
    exit: np.ndarray  # last day of residence in the region (OPEN: still resident)
    death: np.ndarray  # OPEN: alive
    labour_class: np.ndarray
    study_end: np.ndarray  # day initial education ends
    residence: Spells  # attrs: municipality, postcode4

    def __len__(self) -> int:
        return len(self.bsn)


def draw_people(rng: np.random.Generator, n_initial: int, first_bsn_index: int, bsn_offset: int,
                region: Region, window: Window) -> People:
    n_in = int(round(n_initial * IN_MOVERS_PER_YEAR * window.years))
    n_born = int(round(n_initial * BIRTHS_PER_YEAR * window.years))
    n = n_initial + n_in + n_born
    municipality = choose(rng, region.weights, n)
    city = np.asarray(region.codes)[municipality] == UNIVERSITY_CITY

    # Age at arrival: residents at the monitor start, in-movers, newborns.
    band_weights = np.where(city[:n_initial, None], AGE_BAND_WEIGHTS * STUDENT_CITY_FACTOR, AGE_BAND_WEIGHTS)
    cumulative = np.cumsum(band_weights / band_weights.sum(axis=1, keepdims=True), axis=1)
    band = (rng.random(n_initial)[:, None] > cumulative).sum(axis=1)
    age_initial = band * 5 + rng.random(n_initial) * 5
    age_in = (choose(rng, IN_MOVER_BAND_WEIGHTS, n_in) + rng.random(n_in)) * 5
    arrival = np.concatenate([
        np.full(n_initial, window.start),
        rng.integers(window.start, window.end + 1, n_in),
        rng.integers(window.start, window.end + 1, n_born),
    ]).astype(np.int64)
    age_at_arrival = np.concatenate([age_initial, age_in, np.zeros(n_born)])
    birth = arrival - np.round(age_at_arrival * YEAR_DAYS).astype(np.int64)
    # Residents at the start have lived here since birth or since a move some years back.
    initial = np.arange(n) < n_initial
    since = np.minimum(rng.exponential(12 * YEAR_DAYS, n), age_at_arrival * YEAR_DAYS).astype(np.int64)
    born_here = rng.random(n) < 0.35
    arrival = np.where(initial, np.where(born_here, birth, window.start - since), arrival)
    arrival = np.maximum(arrival, birth)

    sex = choose(rng, [0.4985, 0.5010, 0.0005], n)
    labour_class = np.full(n, REGULAR, np.int8)
    draw = rng.random(n)
    labour_class[draw < region.distance_share[municipality]] = DISTANCE
    labour_class[(draw >= region.distance_share[municipality]) & (draw < region.distance_share[municipality] + DISABILITY_SHARE)] = DISABILITY
    study_end_age = STUDY_END_AGES[choose(rng, STUDY_END_PROBABILITIES, n)] + rng.random(n) * 0.9
    study_end_age = np.where(labour_class == DISTANCE, np.minimum(study_end_age, 18.5), study_end_age)
    study_end = birth + np.round(study_end_age * YEAR_DAYS).astype(np.int64)

    # Leaving the region or dying, and moving within it, simulated per quarter from arrival.
    exit_day = np.full(n, OPEN, np.int64)
    death = np.full(n, OPEN, np.int64)
    move_day = np.full(n, OPEN, np.int64)
    step = 91
    for start in range(window.start, window.end + 1, step):
        alive = (exit_day == OPEN) & (arrival <= start + step - 1)
        age = (start - birth) / YEAR_DAYS
        exposed = np.clip(start + step - np.maximum(arrival, start), 0, step) / YEAR_DAYS
        dies = alive & (rng.random(n) < 1 - np.exp(-death_rate(age) * exposed))
        leaves = alive & ~dies & (rng.random(n) < 1 - np.exp(-out_migration_rate(age) * exposed))
        moves = alive & ~dies & ~leaves & (move_day == OPEN) & (rng.random(n) < INTERNAL_MOVES_PER_YEAR * exposed)
        when = np.maximum(arrival, start) + rng.integers(0, step, n)
        when = np.minimum(when, window.end)
        death[dies] = when[dies]
        exit_day[dies | leaves] = when[dies | leaves]
        move_day[moves] = np.maximum(when[moves], arrival[moves] + 1)
    move_day = np.where(move_day >= exit_day, OPEN, move_day)

    mover = np.flatnonzero(move_day != OPEN)
    other = choose(rng, region.weights, len(mover))
    other = np.where(other == municipality[mover], (other + 1) % len(region.codes), other)
    postcode = rng.integers(region.postcode_first[municipality], region.postcode_last[municipality] + 1)
    new_postcode = rng.integers(region.postcode_first[other], region.postcode_last[other] + 1)
    persons = np.arange(n)
    residence = Spells(
        person=np.concatenate([persons, mover]),
        start=np.concatenate([arrival, move_day[mover]]),
        end=np.concatenate([np.where(move_day != OPEN, move_day - 1, exit_day), exit_day[mover]]),
        attrs={"municipality": np.concatenate([municipality, other]), "postcode4": np.concatenate([postcode, new_postcode])},
    )
    bsn = valid_bsns(first_bsn_index, n, bsn_offset)
    return People(bsn, birth, sex.astype(np.int8), arrival, exit_day, death, labour_class, study_end, residence)


def municipality_on(people: People, persons: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Municipality index of residence on the given days (the last one for days outside residence)."""
    residence = people.residence
    first = residence.attrs["municipality"][: len(people)][persons]
    n = len(people)
    moved = residence.person[n:]
    second = np.full(len(people), -1)
    second[moved] = np.arange(n, len(residence))
    later = second[persons]
    use_second = (later >= 0) & (days >= residence.start[np.maximum(later, 0)])
    return np.where(use_second, residence.attrs["municipality"][np.maximum(later, 0)], first)


# --- work ----------------------------------------------------------------------------------------------

@dataclass
class Work:
    """Employment spells (on) and the gaps between them (off), per person, over the window."""

    on: Spells  # attrs: from_gap (started after an observed gap)
    off: Spells  # attrs: after_job (started when an observed job ended)


def simulate_work(rng: np.random.Generator, people: People, window: Window) -> Work:
    n = len(people)
    start_age_day = np.maximum(birthday(people.birth, 15), window.start)
    last = np.minimum(people.exit, window.end)
    clock = start_age_day.astype(np.int64)
    active = clock <= last
    studying = clock < people.study_end
    age = (clock - people.birth) / YEAR_DAYS
    share, spell_years = employment_parameters(age, people.labour_class, studying)
    working = rng.random(n) < share
    # At the monitor start the running spell began some time ago (backward recurrence time).
    back_years = np.where(working, spell_years, spell_years * (1 - share) / np.maximum(share, 1e-3))
    began = clock - np.round(rng.exponential(back_years * YEAR_DAYS)).astype(np.int64)
    began = np.where(clock == window.start, np.maximum(began, birthday(people.birth, 15)), clock)
    from_gap = clock > window.start  # a spell starting in the window follows an observed gap (or turning 15)
    on_parts, off_parts = [], []
    pension_day = birthday(people.birth, PENSION_AGE)
    retire = rng.random(n) < RETIRE_AT_PENSION_AGE
    while active.any():
        index = np.flatnonzero(active)
        age = (clock[index] - people.birth[index]) / YEAR_DAYS
        share, spell_years = employment_parameters(age, people.labour_class[index], clock[index] < people.study_end[index])
        mean = np.where(working[index], spell_years, spell_years * (1 - share) / np.maximum(share, 1e-3))
        length = np.maximum(1, np.round(rng.exponential(mean * YEAR_DAYS))).astype(np.int64)
        finish = clock[index] + length - 1
        # Most people stop working when they reach the pension age.
        stops = working[index] & retire[index] & (began[index] < pension_day[index]) & (finish >= pension_day[index])
        finish = np.where(stops, pension_day[index] - 1, finish)
        finish = np.maximum(finish, began[index])
        spell = Spells(index, began[index].copy(), finish, {"flag": from_gap[index].copy()})
        is_on = working[index]
        on_parts.append(spell.subset(is_on))
        off_parts.append(spell.subset(~is_on))
        clock[index] = finish + 1
        began[index] = finish + 1
        from_gap[index] = True
        working[index] = ~working[index]
        active = clock <= last
    on = Spells.concat(on_parts)
    off = Spells.concat(off_parts)
    on.attrs["from_gap"] = on.attrs.pop("flag")
    off.attrs["after_job"] = off.attrs.pop("flag")
    # A gap that started at the monitor start or at 15 did not follow an observed job.
    off.attrs["after_job"] &= off.start > np.maximum(window.start, birthday(people.birth[off.person], 15))
    return Work(on=on, off=off)


HOURS = {
    "M": ([40, 38, 36, 32, 24, 16], [0.25, 0.25, 0.2, 0.15, 0.1, 0.05]),
    "V": ([38, 36, 32, 28, 24, 20, 16, 12], [0.1, 0.12, 0.18, 0.15, 0.18, 0.12, 0.1, 0.05]),
    "student": ([4, 6, 8, 10, 12, 16], [0.1, 0.2, 0.25, 0.2, 0.15, 0.1]),
    "distance": ([12, 16, 20, 24, 28, 32], [0.15, 0.2, 0.25, 0.2, 0.1, 0.1]),
}
CONTRACTS = ("VAST", "TIJDELIJK", "OPROEP", "UITZEND")


def draw_hours(rng: np.random.Generator, people: People, persons: np.ndarray, starts: np.ndarray) -> np.ndarray:
    hours = np.zeros(len(persons))
    sex = people.sex[persons]
    studying = starts < people.study_end[persons]
    at_distance = people.labour_class[persons] != REGULAR
    groups = {
        "student": studying,
        "distance": ~studying & at_distance,
        "M": ~studying & ~at_distance & (sex != 1),
        "V": ~studying & ~at_distance & (sex == 1),
    }
    for name, mask in groups.items():
        values, probabilities = HOURS[name]
        hours[mask] = np.asarray(values, float)[choose(rng, probabilities, int(mask.sum()))]
    fractional = rng.random(len(hours)) < 0.06
    hours[fractional] += np.array([0.5, 0.25, 0.75, 0.8])[rng.integers(0, 4, int(fractional.sum()))]
    return hours


@dataclass(frozen=True)
class Employers:
    """Employers (programma/werkgevers.csv holds those established in the region)."""

    ids: np.ndarray  # str
    sbi_code: np.ndarray  # str: 4 digits, 2 digits or a section letter
    division: np.ndarray  # 2-digit SBI division
    municipality: np.ndarray  # index into Region.codes, -1 = outside the region
    size: np.ndarray  # employees (synthetic)

    @property
    def in_region(self) -> np.ndarray:
        return self.municipality >= 0


def draw_jobs(rng: np.random.Generator, people: People, work: Work, employers: Employers, window: Window) -> Spells:
    """Split employment spells into dienstverbanden and add second jobs."""
    on = work.on
    length_years = (on.end - on.start + 1) / YEAR_DAYS
    cuts = rng.poisson(length_years * 0.18)
    pieces = 1 + cuts
    spell = np.repeat(np.arange(len(on)), pieces)
    position = np.arange(len(spell)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    # Cut points: sorted uniform fractions of the spell.
    fraction = np.where(position == 0, 0.0, rng.random(len(spell)))
    order = np.lexsort((fraction, spell))
    fraction = fraction[order]
    spell_length = on.end[spell] - on.start[spell] + 1
    start = on.start[spell] + np.floor(fraction * spell_length).astype(np.int64)
    next_start = np.append(start[1:], 0)
    is_last = np.append(spell[1:] != spell[:-1], True)
    end = np.where(is_last, on.end[spell], next_start - 1)
    keep = end >= start
    spell, start, end, position = spell[keep], start[keep], end[keep], position[keep]
    person = on.person[spell]
    n = len(spell)
    # A cut is a job switch (new employer) or, in 40% of cases, an hours change at the same employer.
    new_employer = (position == 0) | (rng.random(n) < 0.6)
    employer_draw = sample_employers(rng, employers, n)
    group = np.cumsum(new_employer) - 1
    employer = employer_draw[np.flatnonzero(new_employer)][group]
    hours = draw_hours(rng, people, person, start)
    contract = choose(rng, [0.62, 0.24, 0.09, 0.05], n)
    young = (start - people.birth[person]) < 25 * YEAR_DAYS
    contract[young & (rng.random(n) < 0.35)] = 2  # OPROEP
    first_of_spell = position == 0
    jobs = Spells(person, start, end, {
        "employer": employer, "hours": hours, "contract": contract.astype(np.int8),
        "first_of_spell": first_of_spell & on.attrs["from_gap"][spell],
    })
    # Second jobs next to about 8% of employment spells.
    second = np.flatnonzero(rng.random(len(on)) < 0.08)
    length = on.end[second] - on.start[second] + 1
    offset = np.floor(rng.random(len(second)) * length * 0.5).astype(np.int64)
    second_start = on.start[second] + offset
    second_end = np.minimum(on.end[second], second_start + durations(rng, 2 * YEAR_DAYS, len(second)))
    extra = Spells(on.person[second], second_start, second_end, {
        "employer": sample_employers(rng, employers, len(second)),
        "hours": np.array([4.0, 6, 8, 12, 16])[rng.integers(0, 5, len(second))],
        "contract": np.full(len(second), 2, np.int8),
        "first_of_spell": np.zeros(len(second), bool),
    })
    return Spells.concat([jobs, extra])


def sample_employers(rng: np.random.Generator, employers: Employers, size: int) -> np.ndarray:
    cumulative = np.cumsum(employers.size / employers.size.sum())
    return np.minimum(np.searchsorted(cumulative, rng.random(size)), len(cumulative) - 1)


# --- benefits and registrations ------------------------------------------------------------------------

PW_SCHEMES = ("PW", "IOAW", "IOAZ", "BBZ")
UWV_SCHEMES = ("WW", "WGA", "IVA", "WAJONG", "ZW")


def clip_to_residence(people: People, spells: Spells, before_arrival: bool = True) -> Spells:
    """Records end when the person leaves the region or dies; nothing is recorded after that,
    and records that ended before the person arrived are not the region's business."""
    end = np.minimum(spells.end, people.exit[spells.person])
    start = spells.start if before_arrival else np.maximum(spells.start, people.arrival[spells.person])
    keep = (start <= end) & (end >= people.arrival[spells.person])
    result = Spells(spells.person, start, end, spells.attrs).subset(keep)
    return result


def draw_benefits(rng: np.random.Generator, people: People, work: Work, window: Window) -> tuple[Spells, Spells, Spells]:
    """Participatiewet (gemeente), UWV benefits and UWV job-seeker registrations."""
    off = work.off
    person = off.person
    start_age = (off.start - people.birth[person]) / YEAR_DAYS
    age_18 = birthday(people.birth[person], 18)
    pension = birthday(people.birth[person], PENSION_AGE) - 1
    working_age = (start_age >= 17) & (start_age < 67)
    labour_class = people.labour_class[person]
    # A gap running at the monitor start began earlier: back-date the benefit start.
    initial_gap = ~off.attrs["after_job"] & (off.start == window.start)
    backdated = off.start - np.round(rng.exponential(3 * YEAR_DAYS, len(off))).astype(np.int64) * initial_gap

    # Participatiewet for the class at a distance, and for long gaps of others.
    regular_long = (labour_class == REGULAR) & ((off.end - off.start) > YEAR_DAYS) & (rng.random(len(off)) < 0.25)
    pw = working_age & (((labour_class == DISTANCE) & (rng.random(len(off)) < 0.88)) | regular_long)
    pw_start = np.where(regular_long & ~(labour_class == DISTANCE), off.start + 365, backdated)
    pw_start = np.maximum(pw_start, age_18)
    # About a third keeps a supplementary benefit for a while after starting (part-time) work.
    keeps = rng.random(len(off)) < 0.35
    pw_end = np.where(keeps, off.end + durations(rng, 120, len(off)), off.end)
    pw_end = np.minimum(pw_end, pension)
    scheme = choose(rng, [0.93, 0.04, 0.005, 0.025], len(off))
    scheme[(start_age >= 50) & (rng.random(len(off)) < 0.15)] = 1
    pw_spells = Spells(person, pw_start, pw_end, {"scheme": scheme.astype(np.int8)}).subset(pw & (pw_start <= pw_end))
    pw_spells = clip_to_residence(people, pw_spells, before_arrival=False)

    # WW (or ZW) after a job ends.
    regular = labour_class == REGULAR
    after_job = off.attrs["after_job"] & working_age & (start_age >= 18)
    ww = after_job & regular & (rng.random(len(off)) < 0.5)
    zw = after_job & ~ww & (rng.random(len(off)) < 0.06)
    ww_end = np.minimum(off.end, off.start + np.minimum(durations(rng, 240, len(off), shape=1.5), 730))
    zw_end = np.minimum(off.end, off.start + durations(rng, 90, len(off)))
    uwv_parts = [
        Spells(person, off.start, np.minimum(ww_end, pension), {"scheme": np.full(len(off), 0, np.int8)}).subset(ww),
        Spells(person, off.start, np.minimum(zw_end, pension), {"scheme": np.full(len(off), 4, np.int8)}).subset(zw),
    ]
    # Work disability: one long benefit per person of the disability class.
    disabled = np.flatnonzero((people.labour_class == DISABILITY) & (birthday(people.birth, 18) <= window.end))
    young = (window.start - people.birth[disabled]) < 35 * YEAR_DAYS
    kind = np.where(young & (rng.random(len(disabled)) < 0.7), 3, np.where(rng.random(len(disabled)) < 0.55, 1, 2))
    since = window.start - np.round(rng.exponential(8 * YEAR_DAYS, len(disabled))).astype(np.int64)
    since = np.maximum(since, birthday(people.birth[disabled], 18))
    since = np.maximum(since, np.minimum(people.arrival[disabled], window.start))
    uwv_parts.append(Spells(disabled, since, birthday(people.birth[disabled], PENSION_AGE) - 1, {"scheme": kind.astype(np.int8)}))
    uwv = clip_to_residence(people, Spells.concat(uwv_parts))
    uwv = uwv.subset(uwv.start <= uwv.end)

    # Job-seeker registrations: everyone on WW, 40% of Participatiewet spells, 15% of other gaps.
    is_ww = uwv.attrs["scheme"] == 0
    pw_registered = rng.random(len(pw_spells)) < 0.4
    other_gap = regular & working_age & ~ww & (rng.random(len(off)) < 0.15)
    registrations = Spells.concat([
        Spells(uwv.person, uwv.start, uwv.end).subset(is_ww),
        Spells(pw_spells.person, pw_spells.start, pw_spells.end).subset(pw_registered),
        clip_to_residence(people, Spells(person, off.start, off.end).subset(other_gap)),
    ])
    return pw_spells, uwv, registrations
