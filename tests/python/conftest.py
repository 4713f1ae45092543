"""Shared fixtures. `pipeline` runs generate -> intake -> dbt build once per test
session on a small generated region, in its own data dir, so end-to-end tests
share one build instead of each paying for it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from llo.settings import PROJECT_DIR, Paths, dbt_environment

PIPELINE_SCALE = 0.02
PIPELINE_SEED = 11


@dataclass(frozen=True)
class Pipeline:
    paths: Paths
    truth_file: Path
    dbt_target: Path


def run_dbt(arguments: list[str], data_dir: Path, target: Path) -> subprocess.CompletedProcess:
    env = dbt_environment(data_dir)
    env["DBT_TARGET_PATH"] = str(target)
    env["DBT_LOG_PATH"] = str(target / "logs")
    return subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", *arguments],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False,
    )


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    from llo.generate import generate
    from llo.intake import run_intake

    root = tmp_path_factory.mktemp("pipeline")
    paths = Paths(data_dir=root / "data", landing_dir=root / "data" / "landing")
    generate(out=paths.landing_dir, scale=PIPELINE_SCALE, seed=PIPELINE_SEED, months=2, mess=0.01, missing_column=False)
    os.environ.setdefault("LLO_PSEUDONYM_KEY", "test-key-not-secret")
    result = run_intake(landing=paths.landing_dir, data_dir=paths.data_dir)
    assert result.exit_code == 0
    target = root / "target"
    (paths.warehouse_path.parent / "tmp").mkdir(parents=True, exist_ok=True)  # as `llo build` does
    build = run_dbt(["build"], paths.data_dir, target)
    assert build.returncode == 0, build.stdout[-5000:]
    return Pipeline(paths=paths, truth_file=root / "data" / "landing_truth.json", dbt_target=target)
