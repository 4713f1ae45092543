"""The delivery contract (../shared/spec/delivery-contract.md) as data.

This is the one machine-readable description of every file kind: its place in
the landing layout, its columns, whether each is required, its type and the
codes it may hold. Parsing, the Great Expectations suites, the generator's
column lists, the dbt sources and the contract page in the docs all read it;
no column list is written anywhere else.

Column types:
    bsn      9-digit citizen service number (padded, elfproef), pseudonymised at intake
    date     dd-mm-jjjj or jjjj-mm-dd
    int      whole number
    decimal  12,5 or 12.5
    bool     J/N, Ja/Nee, 1/0, true/false
    code     one of a fixed list (``codes``) or of a seed column (``seed``)
    codes    '|'-separated list of codes from a seed column
    gemeente municipality code (GM0014, 0014 or 14), a current or a merged one
    quarter  2025-Q3 or 2025K3
    text     free text
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
import csv

CONTRACT_VERSION = "v1"
SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@dataclass(frozen=True)
class SeedRange:
    """A number whose allowed range depends on another column of the row, looked up in a seed
    (the survey score lies within the scale of its question)."""

    key_column: str  # column of the same file holding the lookup key, e.g. vraag_code
    seed: str  # seed file stem, e.g. survey_questions
    seed_key: str  # seed column matching key_column
    seed_min: str  # seed column with the smallest allowed value
    seed_max: str  # seed column with the largest allowed value

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Allowed (min, max) per key, both inclusive."""
        rows = seed_rows(self.seed)
        return {row[self.seed_key].upper(): (float(row[self.seed_min]), float(row[self.seed_max])) for row in rows}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str = ""
    codes: tuple[str, ...] = ()
    seed: tuple[str, str] | None = None  # (seed file stem, column) holding the allowed codes
    min_value: float | None = None
    max_value: float | None = None
    min_exclusive: bool = False
    range_by: SeedRange | None = None  # allowed range per row, from a seed

    def allowed_codes(self) -> tuple[str, ...]:
        if self.seed is not None:
            return seed_codes(*self.seed)
        return self.codes


@dataclass(frozen=True)
class FileKind:
    source: str  # gemeente, uwv, onderwijs, programma, enquetes
    file: str  # file stem, e.g. brp_verblijf
    description: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()  # columns unique within one delivery file
    date_order: tuple[tuple[str, str], ...] = ()  # (start, end) pairs with start <= end
    references: tuple[tuple[str, str, str], ...] = ()  # (column, other kind, other column)

    @property
    def kind(self) -> str:
        return f"{self.source}__{self.file}"

    @property
    def per_municipality(self) -> bool:
        return self.source == "gemeente"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if column.required)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


@cache
def seed_rows(seed: str) -> tuple[dict[str, str], ...]:
    with open(SEEDS_DIR / f"{seed}.csv", newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def seed_codes(seed: str, column: str) -> tuple[str, ...]:
    return tuple(row[column] for row in seed_rows(seed))


def _bsn(required: bool = True, description: str = "citizen service number (burgerservicenummer)") -> Column:
    return Column("bsn", "bsn", required, description)


def _action(required: bool, description: str = "the Werk in Zicht action (reference/actions.csv)") -> Column:
    return Column("actie_code", "code", required, description, seed=("actions", "action_code"))


def _gemeente(description: str) -> Column:
    return Column("gemeentecode", "gemeente", True, description)


_TRAJECTEN = (
    Column("traject_id", "text", True, "trajectory id, unique within the supplier"),
    _bsn(),
    _action(False, "the Werk in Zicht action (reference/actions.csv); empty = a regular instrument outside the programme"),
    Column("instrument", "code", True, "instrument (reference/instruments.csv); it sets the rung of the position ladder",
           seed=("instruments", "instrument")),
    Column("datum_start", "date", True, "first day of the trajectory"),
    Column("datum_einde", "date", False, "last day of the trajectory; empty = still running"),
    Column("reden_einde", "code", False, "why the trajectory ended",
           codes=("AFGEROND", "UITVAL", "WERK", "OPLEIDING", "VERHUISD", "OVERIG")),
)

FILE_KINDS: tuple[FileKind, ...] = (
    FileKind(
        "gemeente", "brp_verblijf", "Residence periods (BRP extract): one row per period a person was registered here.",
        (
            _bsn(),
            Column("geboortedatum", "date", True, "date of birth"),
            Column("geslacht", "code", False, "sex: M, V, X or empty", codes=("M", "V", "X")),
            _gemeente("municipality of residence: GM0014, 0014 or 14"),
            Column("postcode4", "text", False, "4-digit postcode area"),
            Column("datum_inschrijving", "date", True, "start of residence in this municipality"),
            Column("datum_uitschrijving", "date", False, "end of residence (moved away or died)"),
            Column("datum_overlijden", "date", False, "date of death"),
        ),
        date_order=(("datum_inschrijving", "datum_uitschrijving"), ("geboortedatum", "datum_inschrijving")),
    ),
    FileKind(
        "gemeente", "pw_uitkeringen", "Participatiewet benefits.",
        (
            _bsn(),
            Column("regeling", "code", True, "benefit scheme: PW (bijstand), IOAW, IOAZ or BBZ",
                   codes=("PW", "IOAW", "IOAZ", "BBZ")),
            Column("datum_begin", "date", True, "first day of the benefit"),
            Column("datum_einde", "date", False, "last day of the benefit; empty = still running"),
        ),
        date_order=(("datum_begin", "datum_einde"),),
    ),
    FileKind(
        "gemeente", "trajecten", "Trajectories: a person taking part in an instrument, usually within an action.",
        _TRAJECTEN, unique=("traject_id",), date_order=(("datum_start", "datum_einde"),),
    ),
    FileKind(
        "gemeente", "participatieladder", "Participation ladder measurements.",
        (
            _bsn(),
            Column("meetdatum", "date", True, "date of the measurement"),
            Column("trede", "int", True, "participation ladder rung 1-6 (1 isolated ... 6 paid work)",
                   min_value=1, max_value=6),
        ),
    ),
    FileKind(
        "uwv", "uitkeringen", "UWV benefits.",
        (
            _bsn(),
            Column("uitkeringssoort", "code", True, "UWV benefit: WW, WGA, IVA, WAJONG or ZW",
                   codes=("WW", "WGA", "IVA", "WAJONG", "ZW")),
            Column("ingangsdatum", "date", True, "first day of the benefit"),
            Column("einddatum", "date", False, "last day of the benefit; empty = still running"),
        ),
        date_order=(("ingangsdatum", "einddatum"),),
    ),
    FileKind(
        "uwv", "werkzoekenden", "Registered job seekers.",
        (
            _bsn(),
            Column("datum_inschrijving", "date", True, "registration as job seeker"),
            Column("datum_uitschrijving", "date", False, "end of the registration; empty = still registered"),
        ),
        date_order=(("datum_inschrijving", "datum_uitschrijving"),),
    ),
    FileKind(
        "uwv", "dienstverbanden", "Employment (polisadministratie).",
        (
            _bsn(),
            Column("werkgever_id", "text", True, "employer key, same keys as programma/werkgevers.csv"),
            Column("sbi_code", "text", False, "SBI 2008 code: 4 or 2 digits, or a section letter"),
            Column("datum_aanvang", "date", True, "first day of the employment"),
            Column("datum_einde", "date", False, "last day of the employment; empty = still employed"),
            Column("uren_per_week", "decimal", True, "contract hours per week", min_value=0, max_value=80, min_exclusive=True),
            Column("contractsoort", "code", False, "contract type: VAST, TIJDELIJK, OPROEP or UITZEND",
                   codes=("VAST", "TIJDELIJK", "OPROEP", "UITZEND")),
        ),
        date_order=(("datum_aanvang", "datum_einde"),),
    ),
    FileKind(
        "uwv", "trajecten", "Trajectories run by UWV.",
        _TRAJECTEN, unique=("traject_id",), date_order=(("datum_start", "datum_einde"),),
    ),
    FileKind(
        "onderwijs", "leeractiviteiten", "Learning activities: DUO, STAP, providers, Leerwerkloket, self-study.",
        (
            Column("activiteit_id", "text", True, "learning activity id, unique"),
            _bsn(),
            Column("bron", "code", True, "who reported the activity",
                   codes=("DUO", "STAP", "AANBIEDER", "LEERWERKLOKET", "ZELFRAPPORTAGE")),
            Column("onderwijstype", "code", True, "type of education or learning", codes=(
                "VO", "VAVO", "MBO", "HBO", "WO", "CURSUS", "TRAINING", "WORKSHOP", "E_LEARNING", "ZELFSTUDIE")),
            Column("vorm", "code", True, "formal, non-formal or informal learning", codes=("FORMEEL", "NON_FORMEEL", "INFORMEEL")),
            Column("stap_categorie", "int", False,
                   "STAP layer: 1 leervermogen, 2 basisvaardigheden, 3 algemene inzetbaarheid, 4 beroepsspecifiek",
                   min_value=1, max_value=4),
            _action(False, "the Werk in Zicht action it belongs to, if any (reference/actions.csv)"),
            Column("datum_start", "date", True, "first day of the activity"),
            Column("datum_einde", "date", False, "last day of the activity; empty = still running"),
            Column("uren", "decimal", False, "study hours", min_value=0),
            Column("resultaat", "code", False, "result of the activity",
                   codes=("DIPLOMA", "CERTIFICAAT", "DEELCERTIFICAAT", "GEEN", "GESTOPT", "LOPEND")),
            Column("voltijd", "bool", False, "J/N: full-time enrolment (formal education)"),
        ),
        unique=("activiteit_id",), date_order=(("datum_start", "datum_einde"),),
    ),
    FileKind(
        "programma", "events", "Events organised by the programme.",
        (
            Column("event_id", "text", True, "event id, unique"),
            _action(True, "the Werk in Zicht action that organised the event (reference/actions.csv)"),
            Column("datum", "date", True, "date of the event"),
            _gemeente("municipality where the event took place"),
            Column("doelgroep", "code", True,
                   "target group: AV (aansluiting vinden), AH (aansluiting houden), WG (werkgevers) or ALLE",
                   codes=("AV", "AH", "WG", "ALLE")),
            Column("naam", "text", False, "name of the event"),
        ),
        unique=("event_id",),
    ),
    FileKind(
        "programma", "event_deelnames", "Event attendance; bsn empty for an anonymous visitor.",
        (
            Column("event_id", "text", True, "the event attended; must exist in events.csv"),
            _bsn(required=False, description="citizen service number; empty for an anonymous visitor"),
            Column("werkgever_id", "text", False, "set when the visitor came for an employer"),
            Column("werkend_opgegeven", "bool", False, "J/N: self-reported working status (used for anonymous visitors)"),
        ),
        references=(("event_id", "programma__events", "event_id"),),
    ),
    FileKind(
        "programma", "contacten", "Outreach contacts with residents.",
        (
            Column("contact_id", "text", True, "contact id, unique"),
            _bsn(),
            Column("datum", "date", True, "date of the contact"),
            _action(True, "the Werk in Zicht action that made the contact (reference/actions.csv)"),
            Column("kanaal", "code", True, "channel of the contact",
                   codes=("HUISBEZOEK", "TELEFOON", "STRAAT", "EVENT", "LOKET", "ONLINE")),
        ),
        unique=("contact_id",),
    ),
    FileKind(
        "programma", "inzet", "Inputs per action per quarter.",
        (
            _action(True),
            Column("kwartaal", "quarter", True, "quarter: 2025-Q3 (also 2025K3)"),
            Column("budget_eur", "decimal", True, "budgeted euros", min_value=0),
            Column("besteed_eur", "decimal", False, "spent euros", min_value=0),
            Column("fte", "decimal", False, "staff FTE", min_value=0),
            Column("uren", "decimal", False, "staff hours", min_value=0),
            Column("materieel_eur", "decimal", False, "material costs in euros", min_value=0),
            Column("werkwijzen", "codes", False, "'|'-separated working methods (reference/werkwijzen.csv)",
                   seed=("werkwijzen", "werkwijze")),
        ),
        unique=("actie_code", "kwartaal"),
    ),
    FileKind(
        "programma", "werkgevers", "Employers.",
        (
            Column("werkgever_id", "text", True, "employer id, unique; the same keys as uwv/dienstverbanden.csv"),
            Column("sbi_code", "text", False, "SBI 2008 code: 4 or 2 digits, or a section letter"),
            Column("aantal_werknemers", "int", False, "number of employees", min_value=0),
            _gemeente("municipality where the employer is established"),
        ),
        unique=("werkgever_id",),
    ),
    FileKind(
        "programma", "werkgeverscontacten", "Contacts with employers.",
        (
            Column("contact_id", "text", True, "contact id, unique"),
            Column("werkgever_id", "text", True, "the employer contacted"),
            Column("datum", "date", True, "date of the contact"),
            _action(True, "the Werk in Zicht action that made the contact (reference/actions.csv)"),
            Column("type", "code", True, "kind of contact", codes=("BEZOEK", "EVENT", "ADVIES", "SCAN")),
        ),
        unique=("contact_id",),
    ),
    FileKind(
        "enquetes", "antwoorden", "Survey answers and coach assessments.",
        (
            Column("antwoord_id", "text", True, "answer id, unique"),
            Column("respondent_type", "code", True, "who answered: a resident or an employer", codes=("INWONER", "WERKGEVER")),
            _bsn(required=False, description="citizen service number, for INWONER; empty for an anonymous response"),
            Column("werkgever_id", "text", False, "the employer, for WERKGEVER"),
            _action(False, "the Werk in Zicht action the answer is about, if any (reference/actions.csv)"),
            Column("event_id", "text", False, "the event the answer is about, if any"),
            Column("datum", "date", True, "date of the answer"),
            Column("meting", "code", True, "VOOR (baseline), NA (follow-up) or EENMALIG (single)",
                   codes=("VOOR", "NA", "EENMALIG")),
            Column("vraag_code", "code", True, "the question (reference/survey_questions.csv)",
                   seed=("survey_questions", "question_code")),
            Column(
                "score", "decimal", True, "on the question's scale (survey_questions scale_min..scale_max)",
                range_by=SeedRange("vraag_code", "survey_questions", "question_code", "scale_min", "scale_max"),
            ),
        ),
        unique=("antwoord_id",),
    ),
)

# Why a row is quarantined. The generator counts the defects it injects under the
# same codes, so tests can match its report to the quarantine. A rejected row gets
# exactly one check: the first that fails, in this order.
ROW_CHECKS: dict[str, str] = {
    "duplicate_row": "exact duplicate of an earlier line in the same file",
    "field_count": "line has a different number of fields than the header",
    "required_missing": "a required value is empty",
    "bsn_format": "bsn is not 1-9 digits",
    "bsn_elfproef": "bsn fails elfproef",
    "date_invalid": "value is not a date in dd-mm-jjjj or jjjj-mm-dd (years 1900-2100), or not a quarter",
    "number_invalid": "value is not a number",
    "bool_invalid": "value is not J/N, Ja/Nee, 1/0 or true/false",
    "code_unknown": "code is not in the allowed list (matched ignoring case), or not a municipality code",
    "out_of_range": "number outside the allowed range (a survey score: outside its question's scale)",
    "date_order": "start date after end date",
    "id_not_unique": "id already used on an earlier line of the file that passed the checks above",
    "reference_missing": "event_id not in events.csv of the latest programma delivery up to this one",
}

# Conditions that do not reject a row but are counted in the manifest's warnings.
FILE_WARNINGS: dict[str, str] = {
    "comma_delimiter": "header only splits on ',': read as comma-delimited",
    "windows_1252": "not valid UTF-8: read as Windows-1252",
    "bom": "UTF-8 byte order mark removed",
    "bsn_padded": "bsn with fewer than 9 digits left-padded with zeros",
    "extra_columns": "unknown extra columns ignored",
}

# A file missing a required column is rejected whole (manifest status REJECTED).
FILE_REJECTION = "missing_column"

KINDS: dict[str, FileKind] = {file_kind.kind: file_kind for file_kind in FILE_KINDS}


def landing_path(file_kind: FileKind, delivery_month: str, municipality_code: str | None = None) -> Path:
    """Relative path of a delivery file in the landing area (contract section 1)."""
    if file_kind.per_municipality:
        if municipality_code is None:
            raise ValueError(f"{file_kind.kind} is delivered per municipality")
        return Path(file_kind.source, municipality_code, delivery_month, f"{file_kind.file}.csv")
    return Path(file_kind.source, delivery_month, f"{file_kind.file}.csv")


def region_municipalities() -> tuple[str, ...]:
    return seed_codes("municipalities", "municipality_code")


# --- derived artefacts: intake Parquet schema, dbt sources and the contract page ---

INTAKE_TYPES = {
    "bsn": "varchar", "date": "date", "int": "integer", "decimal": "double", "bool": "boolean",
    "code": "varchar", "codes": "varchar", "gemeente": "varchar", "quarter": "varchar", "text": "varchar",
}

# Columns intake adds to every accepted row (contract section 5: traceable to the delivery).
METADATA_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("_supplier", "varchar", "Who delivered the file: the GMxxxx code for gemeente files, else the source name."),
    ("_delivery_month", "varchar", "Delivery month yyyy-mm (the delivery folder)."),
    ("_line_number", "integer", "Line number in the delivered file (the header is line 1)."),
    ("_file_sha256", "varchar", "sha256 of the delivered file, as archived."),
    ("_intake_at", "timestamp", "When intake accepted the file."),
)


def intake_column_name(column: Column) -> str:
    """bsn never passes intake: it is replaced by its keyed pseudonym."""
    return "person_id" if column.type == "bsn" else column.name


def intake_schema(file_kind: FileKind) -> list[tuple[str, str]]:
    """(name, DuckDB type) of the typed Parquet intake writes for a file kind."""
    data = [(intake_column_name(column), INTAKE_TYPES[column.type]) for column in file_kind.columns]
    return data + [(name, type_) for name, type_, _ in METADATA_COLUMNS]


def dbt_sources_yaml(source: str) -> str:
    """The dbt sources file of one delivery source, generated from the contract."""
    lines = [
        "# Generated by `python -m llo.contract` from llo/contract.py. Do not edit by hand.",
        "version: 2",
        "",
        "sources:",
        f"  - name: {source}",
        f"    description: \"Deliveries of {source}, as typed and pseudonymised by intake (delivery contract {CONTRACT_VERSION}). "
        "Every delivery ever taken in; staging keeps the latest per supplier.\"",
        "    config:",
        "      loaded_at_field: _intake_at",
        "      freshness:",
        "        warn_after: {count: 35, period: day}",
        "        error_after: {count: 70, period: day}",
        "    tables:",
    ]
    for file_kind in FILE_KINDS:
        if file_kind.source != source:
            continue
        location = (
            "read_parquet('{{ env_var('LLO_DATA_DIR', 'data') }}/intake/"
            f"{file_kind.kind}/**/*.parquet', union_by_name = true)"
        )
        lines += [
            f"      - name: {file_kind.file}",
            f"        description: \"{file_kind.description}\"",
            "        config:",
            f"          external_location: \"{location}\"",
            "        columns:",
        ]
        for column in file_kind.columns:
            description = column.description
            if column.type == "bsn":
                description = ("Keyed pseudonym of the bsn (HMAC-SHA-256, 64 hex characters); the bsn itself never passes "
                               f"intake. The bsn: {column.description}.")
            lines += [
                f"          - name: {intake_column_name(column)}",
                f"            description: \"{description.replace(chr(34), chr(39))}\"",
                f"            data_type: {INTAKE_TYPES[column.type]}",
            ]
        for name, type_, description in METADATA_COLUMNS:
            lines += [
                f"          - name: {name}",
                f"            description: \"{description}\"",
                f"            data_type: {type_}",
            ]
    return "\n".join(lines) + "\n"


def contract_markdown() -> str:
    """The contract page of the docs, generated from the same description."""
    out = [
        f"# Delivery contract {CONTRACT_VERSION} (generated)",
        "",
        "Generated by `python -m llo.contract` from `llo/contract.py`; the prose contract is "
        "`../shared/spec/delivery-contract.md`. Codes marked *seed* come from the named seed file.",
        "",
    ]
    for file_kind in FILE_KINDS:
        place = f"{file_kind.source}/<GMxxxx>/<yyyy-mm>/" if file_kind.per_municipality else f"{file_kind.source}/<yyyy-mm>/"
        out += [f"## {place}{file_kind.file}.csv", "", file_kind.description, ""]
        out += ["| column | required | type | allowed values | meaning |", "|---|---|---|---|---|"]
        for column in file_kind.columns:
            if column.range_by:
                by = column.range_by
                allowed = f"{by.seed_min} to {by.seed_max} of its {by.key_column} in seed `{by.seed}`"
            elif column.seed:
                allowed = f"seed `{column.seed[0]}.{column.seed[1]}`"
            elif column.codes:
                allowed = ", ".join(f"`{code}`" for code in column.codes)
            elif column.min_value is not None or column.max_value is not None:
                low = "" if column.min_value is None else f"{'>' if column.min_exclusive else '>='} {column.min_value:g}"
                high = "" if column.max_value is None else f"<= {column.max_value:g}"
                allowed = " and ".join(part for part in (low, high) if part)
            else:
                allowed = ""
            required = "req" if column.required else "opt"
            out.append(f"| {column.name} | {required} | {column.type} | {allowed} | {column.description} |")
        notes = []
        if file_kind.unique:
            notes.append(f"unique per file: {', '.join(file_kind.unique)}")
        for start, end in file_kind.date_order:
            notes.append(f"{start} <= {end}")
        for column, other, other_column in file_kind.references:
            notes.append(f"{column} must exist in {other}.{other_column}")
        if notes:
            out += ["", "Checks: " + "; ".join(notes) + "."]
        out.append("")
    out += [
        "## Intake checks",
        "",
        "A rejected row is quarantined with exactly one check: the first that fails, in this order "
        "(`llo intake` adds the file, the line, the column, the value and what was expected).",
        "",
        "| order | check | meaning |",
        "|---|---|---|",
        *(f"| {order} | `{check}` | {meaning} |" for order, (check, meaning) in enumerate(ROW_CHECKS.items(), start=1)),
        "",
        f"A file missing a required column is rejected whole (`{FILE_REJECTION}`); the other files of the "
        "delivery still go in. These conditions do not reject anything but are warnings in the manifest:",
        "",
        "| warning | meaning |",
        "|---|---|",
        *(f"| `{warning}` | {meaning} |" for warning, meaning in FILE_WARNINGS.items()),
        "",
    ]
    return "\n".join(out)


def generated_files() -> dict[Path, str]:
    """Every file generated from the contract, relative to the project root."""
    files = {Path("docs/contract.md"): contract_markdown()}
    for source in dict.fromkeys(file_kind.source for file_kind in FILE_KINDS):
        files[Path(f"models/staging/{source}/_{source}__sources.yml")] = dbt_sources_yaml(source)
    return files


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    for relative, text in generated_files().items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
        print(f"wrote {relative}")
