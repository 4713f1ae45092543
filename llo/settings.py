"""Where things live. Every path comes from the environment (interfaces.md) with a
default that works on a fresh checkout; paths are made absolute so that views
and other readers work from any working directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _absolute(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    landing_dir: Path

    @property
    def intake_dir(self) -> Path:
        """Typed, pseudonymised Parquet per file kind and delivery: the dbt sources."""
        return self.data_dir / "intake"

    @property
    def archive_dir(self) -> Path:
        """Delivery files as delivered (restricted: they hold bsn)."""
        return self.data_dir / "archive"

    @property
    def quarantine_dir(self) -> Path:
        """Rejected raw lines (restricted: they hold bsn)."""
        return self.data_dir / "quarantine"

    @property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse" / "llo.duckdb"

    @property
    def publish_dir(self) -> Path:
        return self.data_dir / "publish"

    @property
    def published_db(self) -> Path:
        return self.publish_dir / "llo_monitor.duckdb"

    @property
    def key_file(self) -> Path:
        return self.data_dir / "secrets" / "pseudonym.key"


def paths() -> Paths:
    data_dir = _absolute(os.environ.get("LLO_DATA_DIR", "data"))
    landing = os.environ.get("LLO_LANDING_DIR")
    return Paths(data_dir=data_dir, landing_dir=_absolute(landing) if landing else data_dir / "landing")


def dbt_environment(data_dir: Path) -> dict[str, str]:
    """Environment for a dbt subprocess: absolute data dir, project profiles, no telemetry."""
    env = dict(os.environ)
    env["LLO_DATA_DIR"] = str(data_dir)
    env["DBT_PROFILES_DIR"] = str(PROJECT_DIR)
    env["DBT_PROJECT_DIR"] = str(PROJECT_DIR)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "False"
    return env
