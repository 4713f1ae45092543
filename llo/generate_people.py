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
6. the programme's actions and their planted effects: llo/generate_programme.py."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from llo.generate_calendar import OPEN, YEAR_DAYS, birthday, day, ymd

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
    "GM1966": (0.040, 9950, 9989),  # Het Hogeland
    "GM1969": (0.028, 9800, 9829),  # Westerkwartier
    "GM1979": (0.070, 9900, 9949),  # Eemsdelta
    "GM0106": (0.045, 9400, 9409),  # Assen
    "GM1680": (0.018, 9450, 9469),  # Aa en Hunze
    "GM1699": (0.022, 9300, 9319),  # Noordenveld
    "GM1730": (0.018, 9480, 9489),  # Tynaarlo
}
FALLBACK_PROFILE = (0.045, 9000, 9999)
UNIVERSITY_CITY = "GM0014"

# Residents by 5-year age band 0-4 ... 95-99 (per mille, roughly the Northern Netherlands in 2024),
# and the extra weight of the student city.
AGE_BAND_WEIGHTS = np.array([50, 53, 56, 58, 62, 60, 59, 56, 55, 58, 69, 72, 70, 63, 59, 56, 40, 22, 10, 3], float)
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
        [0.32, 0.72, 0.84, 0.90, 0.85, 0.73, 0.40, 0.17, 0.09], 0.02)
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
    fraction, position = fraction[order], position[order]
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
    regular_long = (labour_class == REGULAR) & ((off.end - off.start) > YEAR_DAYS) & (rng.random(len(off)) < 0.12)
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


# --- trajectories (instruments) ------------------------------------------------------------------------

REASONS = ("AFGEROND", "UITVAL", "WERK", "OPLEIDING", "VERHUISD", "OVERIG")
REASON_PROBABILITIES = (0.55, 0.15, 0.12, 0.05, 0.03, 0.10)
UWV_SUPPLIER = -1  # trajecten.supplier: a municipality index, or UWV

# Which instruments municipalities and UWV use outside the programme, and how long they last (months).
GEMEENTE_INSTRUMENT_MIX = {
    "ACTIVERING": 0.12, "SOCIALE_ACTIVITEIT": 0.08, "VRIJWILLIGERSWERK": 0.10, "MANTELZORG": 0.03,
    "DAGBESTEDING": 0.05, "SCHOLING": 0.10, "WORKSHOP": 0.10, "PTO": 0.05, "ORIENTATIE": 0.08,
    "WERKERVARINGSPLAATS": 0.06, "WERKERVARINGSPLAATS_REGULIER": 0.05, "PROEFPLAATSING": 0.04,
    "COACHGESPREK": 0.10, "LOOPBAANADVIES": 0.04,
}
DAY_ACTIVITY_MIX = {"DAGBESTEDING": 0.6, "SOCIALE_ACTIVITEIT": 0.2, "VRIJWILLIGERSWERK": 0.2}
UWV_INSTRUMENT_MIX = {"SCHOLING": 0.25, "WORKSHOP": 0.2, "COACHGESPREK": 0.25, "LOOPBAANADVIES": 0.1, "ORIENTATIE": 0.1, "PROEFPLAATSING": 0.1}
INSTRUMENT_MONTHS = {
    "ACTIVERING": 6, "SOCIALE_ACTIVITEIT": 9, "VRIJWILLIGERSWERK": 12, "MANTELZORG": 18, "DAGBESTEDING": 24,
    "SCHOLING": 5, "WORKSHOP": 0.3, "PTO": 4, "ORIENTATIE": 3, "WERKERVARINGSPLAATS": 6,
    "WERKERVARINGSPLAATS_REGULIER": 6, "PROEFPLAATSING": 2, "LKS": 12, "JOBCOACHING": 12, "NAZORG": 4,
    "COACHGESPREK": 3, "LOOPBAANADVIES": 2,
}


@dataclass(frozen=True)
class Instruments:
    """reference/instruments.csv: code, ladder rung (0 = none) and support flag, by position."""

    codes: tuple[str, ...]
    rung: np.ndarray
    is_support: np.ndarray

    def index(self, code: str) -> int:
        return self.codes.index(code)

    @property
    def is_lks(self) -> np.ndarray:
        return np.array([code == "LKS" for code in self.codes])

    def mix(self, weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        known = [(self.index(code), weight) for code, weight in weights.items() if code in self.codes]
        return np.array([i for i, _ in known]), np.array([w for _, w in known])

    def mean_days(self, index: np.ndarray) -> np.ndarray:
        months = np.array([INSTRUMENT_MONTHS.get(code, 6) for code in self.codes], float)
        return months[index] * YEAR_DAYS / 12

    @staticmethod
    def from_seed(rows: list[dict[str, str]]) -> Instruments:
        return Instruments(
            codes=tuple(row["instrument"] for row in rows),
            rung=np.array([int(row["rung"]) if row["rung"] else 0 for row in rows]),
            is_support=np.array([row["is_support"].lower() == "true" for row in rows]),
        )


def trajectory_spells(rng: np.random.Generator, person: np.ndarray, start: np.ndarray, end: np.ndarray,
                      instrument: np.ndarray, supplier: np.ndarray, action: np.ndarray | None = None) -> Spells:
    reason = choose(rng, REASON_PROBABILITIES, len(person)).astype(np.int8)
    return Spells(person, start, end, {
        "instrument": instrument.astype(np.int16),
        "supplier": supplier.astype(np.int16),
        "action": (np.full(len(person), -1) if action is None else action).astype(np.int16),
        "reason": reason,
    })


def trajectories_during(rng: np.random.Generator, spells: Spells, rate_per_year: float, mix: tuple[np.ndarray, np.ndarray],
                        instruments: Instruments, window: Window) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Trajectories starting at `rate_per_year` during the given spells (from a year before the window)."""
    first = np.maximum(spells.start, window.start - 365)
    last = np.minimum(spells.end, window.end)
    exposure = np.maximum(last - first + 1, 0)
    count = rng.poisson(rate_per_year * exposure / YEAR_DAYS)
    row = np.repeat(np.arange(len(spells)), count)
    start = first[row] + np.floor(rng.random(len(row)) * exposure[row]).astype(np.int64)
    instrument = mix[0][choose(rng, mix[1], len(row))]
    end = start + durations(rng, instruments.mean_days(instrument), len(row)) - 1
    return spells.person[row], start, end, instrument


def draw_trajectories(rng: np.random.Generator, people: People, work: Work, jobs: Spells, pw: Spells, uwv: Spells,
                      instruments: Instruments, window: Window) -> Spells:
    """Trajectories outside the programme (no actie_code)."""
    parts = []
    person, start, end, instrument = trajectories_during(rng, pw, 0.8, instruments.mix(GEMEENTE_INSTRUMENT_MIX), instruments, window)
    parts.append(trajectory_spells(rng, person, start, end, instrument, municipality_on(people, person, start)))
    # Day activities (Wmo) for people with a work disability while they do not work.
    gaps = work.off.subset((people.labour_class[work.off.person] == DISABILITY)
                           & (work.off.end >= birthday(people.birth[work.off.person], 18)))
    person, start, end, instrument = trajectories_during(rng, gaps, 0.25, instruments.mix(DAY_ACTIVITY_MIX), instruments, window)
    keep = start >= birthday(people.birth[person], 18)
    person, start, end, instrument = person[keep], start[keep], end[keep], instrument[keep]
    parts.append(trajectory_spells(rng, person, start, end, instrument, municipality_on(people, person, start)))
    client = uwv.subset(np.isin(uwv.attrs["scheme"], [0, 1, 3]))  # WW, WGA, Wajong
    person, start, end, instrument = trajectories_during(rng, client, 0.25, instruments.mix(UWV_INSTRUMENT_MIX), instruments, window)
    parts.append(trajectory_spells(rng, person, start, end, instrument, np.full(len(person), UWV_SUPPLIER)))
    # Loonkostensubsidie always comes with a job: from the job's first day, for part of it.
    if "LKS" in instruments.codes:
        labour_class = people.labour_class[jobs.person]
        lks = np.flatnonzero(jobs.attrs["first_of_spell"] & (labour_class != REGULAR) & (rng.random(len(jobs)) < 0.3))
        end = np.minimum(jobs.end[lks], jobs.start[lks] + durations(rng, 365, len(lks)) - 1)
        supplier = np.where(labour_class[lks] == DISABILITY, UWV_SUPPLIER, municipality_on(people, jobs.person[lks], jobs.start[lks]))
        parts.append(trajectory_spells(rng, jobs.person[lks], jobs.start[lks], end,
                                       np.full(len(lks), instruments.index("LKS")), supplier))
    on = work.on
    if "JOBCOACHING" in instruments.codes:
        coached = np.flatnonzero((people.labour_class[on.person] == DISABILITY) & (rng.random(len(on)) < 0.6))
        end = np.minimum(on.end[coached], on.start[coached] + durations(rng, 540, len(coached)) - 1)
        parts.append(trajectory_spells(rng, on.person[coached], on.start[coached], end,
                                       np.full(len(coached), instruments.index("JOBCOACHING")), np.full(len(coached), UWV_SUPPLIER)))
    if "NAZORG" in instruments.codes:
        placed = np.flatnonzero((people.labour_class[on.person] == DISTANCE) & on.attrs["from_gap"] & (rng.random(len(on)) < 0.3))
        end = np.minimum(on.end[placed], on.start[placed] + durations(rng, 120, len(placed)) - 1)
        parts.append(trajectory_spells(rng, on.person[placed], on.start[placed], end,
                                       np.full(len(placed), instruments.index("NAZORG")),
                                       municipality_on(people, on.person[placed], on.start[placed])))
    trajectories = clip_to_residence(people, Spells.concat(parts), before_arrival=False)
    return trajectories.subset(trajectories.end >= window.start)


# --- learning ------------------------------------------------------------------------------------------

BRON = ("DUO", "STAP", "AANBIEDER", "LEERWERKLOKET", "ZELFRAPPORTAGE")
ONDERWIJSTYPE = ("VO", "VAVO", "MBO", "HBO", "WO", "CURSUS", "TRAINING", "WORKSHOP", "E_LEARNING", "ZELFSTUDIE")
VORM = ("FORMEEL", "NON_FORMEEL", "INFORMEEL")
RESULTAAT = ("DIPLOMA", "CERTIFICAAT", "DEELCERTIFICAAT", "GEEN", "GESTOPT", "LOPEND")

# Post-initial learning: (onderwijstype, vorm, bron, mean days, mean hours, share of activities).
LEARNING_TYPES = (
    ("TRAINING", "NON_FORMEEL", "AANBIEDER", 21, 16, 0.30),
    ("CURSUS", "NON_FORMEEL", "AANBIEDER", 100, 40, 0.20),
    ("E_LEARNING", "NON_FORMEEL", "AANBIEDER", 60, 12, 0.10),
    ("WORKSHOP", "NON_FORMEEL", "AANBIEDER", 1, 4, 0.08),
    ("ZELFSTUDIE", "INFORMEEL", "ZELFRAPPORTAGE", 90, 30, 0.15),
    ("CURSUS", "NON_FORMEEL", "LEERWERKLOKET", 60, 30, 0.03),
    ("MBO", "FORMEEL", "DUO", 600, 500, 0.06),
    ("HBO", "FORMEEL", "DUO", 800, 700, 0.04),
    ("VAVO", "FORMEEL", "DUO", 300, 300, 0.01),
    ("WO", "FORMEEL", "DUO", 700, 600, 0.01),
)
STAP_END = "2023-12-31"  # the STAP budget ran until the end of 2023


def learning_rate(age: np.ndarray, labour_class: np.ndarray) -> np.ndarray:
    """Post-initial learning activities per year."""
    rate = np.select([age < 25, age < 35, age < 45, age < 55, age < 65], [0.60, 1.05, 1.0, 0.90, 0.65], 0.15)
    return np.where(labour_class == REGULAR, rate, rate * 0.4)


def learning_spells(person: np.ndarray, start: np.ndarray, end: np.ndarray, kind: dict[str, np.ndarray]) -> Spells:
    n = len(person)
    attrs = {
        "bron": np.zeros(n, np.int8), "onderwijstype": np.zeros(n, np.int8), "vorm": np.zeros(n, np.int8),
        "stap": np.full(n, -1, np.int8), "action": np.full(n, -1, np.int16), "hours": np.full(n, np.nan),
        "result": np.full(n, -1, np.int8), "fulltime": np.full(n, -1, np.int8),
    }
    for name, values in kind.items():
        attrs[name] = np.asarray(values).astype(attrs[name].dtype)
    return Spells(person, start, end, attrs)


def draw_learning(rng: np.random.Generator, people: People, window: Window) -> Spells:
    n = len(people)
    # Initial education (DUO): secondary school from 12, then MBO, HBO or WO until the study end.
    end_age = (people.study_end - people.birth) / YEAR_DAYS
    vo_end_age = np.select([end_age < 18, end_age < 22, end_age < 23.5], [end_age, 16.5, 17.5], 18.5)
    vo_end = people.birth + np.round(vo_end_age * YEAR_DAYS).astype(np.int64)
    vo_start = birthday(people.birth, 12)
    level = np.select([end_age < 18, end_age < 22, end_age < 23.5], [-1, 2, 3], 4)  # MBO, HBO, WO
    persons = np.arange(n)
    stopped = rng.random(n) < 0.12
    result = np.where(stopped, 4, 0)
    initial = Spells.concat([
        learning_spells(persons, vo_start, vo_end, {"bron": np.zeros(n), "onderwijstype": np.zeros(n), "vorm": np.zeros(n),
                                                     "result": np.zeros(n), "fulltime": np.ones(n)}),
        learning_spells(persons, vo_end + 1, people.study_end, {"bron": np.zeros(n), "onderwijstype": level, "vorm": np.zeros(n),
                                                                "result": result, "fulltime": np.ones(n)}).subset(level >= 0),
    ])
    initial = clip_to_residence(people, initial)
    initial = initial.subset((initial.end >= window.start) & (initial.start <= window.end))

    # Post-initial learning: a Poisson number per person, with a person-level propensity.
    exposure_start = np.maximum.reduce([np.full(n, window.start - 365), people.study_end, birthday(people.birth, 18), people.arrival])
    exposure_end = np.minimum.reduce([np.full(n, window.end), people.exit, birthday(people.birth, 75) - 1])
    exposure = np.maximum(exposure_end - exposure_start + 1, 0)
    middle_age = (exposure_start + exposure // 2 - people.birth) / YEAR_DAYS
    propensity = rng.gamma(1.0, 1.0, n)
    count = rng.poisson(learning_rate(middle_age, people.labour_class) * propensity * exposure / YEAR_DAYS)
    person = np.repeat(persons, count)
    start = exposure_start[person] + np.floor(rng.random(len(person)) * exposure[person]).astype(np.int64)
    kind = choose(rng, [row[5] for row in LEARNING_TYPES], len(person))
    table = {
        "onderwijstype": np.array([ONDERWIJSTYPE.index(row[0]) for row in LEARNING_TYPES]),
        "vorm": np.array([VORM.index(row[1]) for row in LEARNING_TYPES]),
        "bron": np.array([BRON.index(row[2]) for row in LEARNING_TYPES]),
        "days": np.array([row[3] for row in LEARNING_TYPES], float),
        "hours": np.array([row[4] for row in LEARNING_TYPES], float),
    }
    length = np.where(table["days"][kind] <= 1, 1, durations(rng, table["days"][kind], len(person)))
    end = start + length - 1
    formal = table["vorm"][kind] == 0
    informal = table["vorm"][kind] == 2
    result = np.where(formal, choose(rng, [0.6, 0, 0.2, 0, 0.2, 0], len(person)),
                      np.where(informal, -1, choose(rng, [0, 0.5, 0, 0.35, 0.15, 0], len(person))))
    bron = table["bron"][kind]
    stap = np.full(len(person), -1)
    # STAP budget: a quarter of the provider courses and trainings that started in 2023.
    is_stap = (bron == BRON.index("AANBIEDER")) & np.isin(table["onderwijstype"][kind], [5, 6]) & \
        (start >= window.start) & (start <= day(STAP_END)) & (rng.random(len(person)) < 0.25)
    bron = np.where(is_stap, BRON.index("STAP"), bron)
    stap[is_stap] = choose(rng, [0.1, 0.25, 0.25, 0.4], int(is_stap.sum()))
    hours = np.round(table["hours"][kind] * rng.gamma(3, 1 / 3, len(person)), 0)
    hours = np.where(rng.random(len(person)) < 0.15, np.nan, np.maximum(hours, 1))
    post_initial = learning_spells(person, start, end, {
        "bron": bron, "onderwijstype": table["onderwijstype"][kind], "vorm": table["vorm"][kind], "stap": stap,
        "hours": hours, "result": result, "fulltime": np.where(formal, 0, -1),
    })
    post_initial = post_initial.subset((post_initial.end >= window.start) & (post_initial.start <= window.end))
    return Spells.concat([initial, post_initial])


# --- the ladder, evaluated as the monitor does (definitions.md section 2) ------------------------------

AGE_BANDS = (15, 25, 35, 45, 55, 65)  # lower bounds of 15-24 ... 65-74
MIN_AGE, MAX_AGE = 15, 74


class _ByPerson:
    """Periods sorted by person, for looking up (person, day) pairs."""

    def __init__(self, n_people: int, spells: Spells, values: np.ndarray | None = None) -> None:
        order = np.argsort(spells.person, kind="stable")
        self.start = spells.start[order]
        self.end = spells.end[order]
        self.values = None if values is None else np.asarray(values)[order]
        self.persons = spells.person[order]
        self.offsets = np.searchsorted(self.persons, np.arange(n_people + 1))

    def _active(self, persons: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        first = self.offsets[persons]
        count = self.offsets[persons + 1] - first
        query = np.repeat(np.arange(len(persons)), count)
        row = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + np.repeat(first, count)
        active = (self.start[row] <= days[query]) & (self.end[row] >= days[query])
        return query[active], row[active]

    def any_active(self, persons: np.ndarray, days: np.ndarray) -> np.ndarray:
        query, _ = self._active(persons, days)
        return np.bincount(query, minlength=len(persons)) > 0

    def max_active(self, persons: np.ndarray, days: np.ndarray) -> np.ndarray:
        query, row = self._active(persons, days)
        result = np.zeros(len(persons), np.int64)
        np.maximum.at(result, query, self.values[row])
        return result

    # The same for every person on one day: a scan of all periods, cheaper than the lookup.
    def any_active_on(self, day: int) -> np.ndarray:
        persons = self.persons[(self.start <= day) & (self.end >= day)]
        return np.bincount(persons, minlength=len(self.offsets) - 1) > 0

    def max_active_on(self, day: int) -> np.ndarray:
        active = (self.start <= day) & (self.end >= day)
        result = np.zeros(len(self.offsets) - 1, np.int64)
        np.maximum.at(result, self.persons[active], self.values[active])
        return result


@dataclass
class Position:
    in_population: np.ndarray
    rung: np.ndarray
    has_benefit: np.ndarray
    age_band: np.ndarray
    working: np.ndarray

    @property
    def stratum(self) -> np.ndarray:
        """definitions.md section 7 stratum within AV: baseline rung (0-6) x age band x benefit yes/no."""
        return (np.minimum(self.rung, 6) * len(AGE_BANDS) + self.age_band) * 2 + self.has_benefit

    @property
    def in_av(self) -> np.ndarray:
        return self.in_population & (self.rung <= 6)


N_STRATA = 7 * len(AGE_BANDS) * 2


class LadderState:
    """Rung, benefit and population membership of (person, day) pairs, from the periods alone."""

    def __init__(self, people: People, jobs: Spells, pw: Spells, uwv: Spells, trajectories: Spells,
                 learning: Spells, instruments: Instruments) -> None:
        n = len(people)
        self.people = people
        self.birth_year, birth_month, birth_day = ymd(people.birth)
        self.birth_month_day = birth_month * 100 + birth_day
        self.jobs = _ByPerson(n, jobs)
        self.benefits = _ByPerson(n, Spells.concat([Spells(pw.person, pw.start, pw.end), Spells(uwv.person, uwv.start, uwv.end)]))
        instrument = trajectories.attrs["instrument"]
        self.instrument_rung = _ByPerson(n, trajectories, instruments.rung[instrument])
        self.lks = _ByPerson(n, trajectories.subset(instruments.is_lks[instrument]))
        self.support = _ByPerson(n, trajectories.subset(instruments.is_support[instrument]))
        counts = learning.attrs["vorm"] <= VORM.index("NON_FORMEEL")
        self.learning = _ByPerson(n, learning.subset(counts))

    def at(self, persons: np.ndarray, days: np.ndarray) -> Position:
        """Position of each (person, day) pair."""
        persons = np.asarray(persons, np.int64)
        days = np.broadcast_to(np.asarray(days, np.int64), persons.shape).copy()
        return self._position(
            persons, days,
            working=self.jobs.any_active(persons, days),
            benefit=self.benefits.any_active(persons, days),
            lks=self.lks.any_active(persons, days),
            support=self.support.any_active(persons, days),
            instrument_rung=self.instrument_rung.max_active(persons, days),
            learning=self.learning.any_active(persons, days),
        )

    def on(self, day: int) -> Position:
        """Position of every person on one day."""
        persons = np.arange(len(self.people))
        return self._position(
            persons, np.full(len(persons), day, np.int64),
            working=self.jobs.any_active_on(day),
            benefit=self.benefits.any_active_on(day),
            lks=self.lks.any_active_on(day),
            support=self.support.any_active_on(day),
            instrument_rung=self.instrument_rung.max_active_on(day),
            learning=self.learning.any_active_on(day),
        )

    def _age(self, persons: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Completed years; the birth date's parts are computed once (this is the hot path)."""
        if days.size and (days == days[0]).all():
            year, month, day_of_month = (part[0] for part in ymd(days[:1]))
        else:
            year, month, day_of_month = ymd(days)
        before_birthday = (month * 100 + day_of_month) < self.birth_month_day[persons]
        return year - self.birth_year[persons] - before_birthday

    def _position(self, persons: np.ndarray, days: np.ndarray, working: np.ndarray, benefit: np.ndarray, lks: np.ndarray,
                  support: np.ndarray, instrument_rung: np.ndarray, learning: np.ndarray) -> Position:
        people = self.people
        age = self._age(persons, days)
        resident = (people.arrival[persons] <= days) & (people.exit[persons] >= days)
        in_population = resident & (age >= MIN_AGE) & (age <= MAX_AGE)
        not_working_rung = np.maximum(instrument_rung, np.where(learning, 3, 0))
        rung = np.where(working, np.select([lks, benefit, support], [4, 5, 6], 7), not_working_rung)
        age_band = np.clip(np.searchsorted(AGE_BANDS, age, side="right") - 1, 0, len(AGE_BANDS) - 1)
        return Position(in_population, rung, benefit.astype(np.int64), age_band, working)
