"""Names the jinja templater of sqlfluff puts in front of dbt's builtins (see
`library_path` in .sqlfluff). sqlfluff's stand-in for `var()` returns the string
"item", which breaks macros that do arithmetic on list vars (e.g.
`var('person_breakdowns') + [...]`); this `var()` returns the project's real
default from dbt_project.yml, so the jinja templater renders what dbt renders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_PROJECT_VARS: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parent.parent / "dbt_project.yml").read_text(encoding="utf-8")
)["vars"]


def var(name: str, default: Any = None) -> Any:
    return _PROJECT_VARS.get(name, default)
