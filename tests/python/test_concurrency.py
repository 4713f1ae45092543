"""A reader holds the published file open while `llo run` rebuilds and republishes
(architecture.md: a BI tool never blocks a build, a build never shows readers
half-written data); and a build that fails halfway leaves the published file as it
was. Runs on a copy of the shared pipeline fixture's data dir, so the shared one
is not rebuilt under other tests."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from llo.publish import PublishRefused, publish
from llo.settings import PROJECT_DIR, Paths

# A separate process, like a BI tool: opens the published file read-only, queries it
# until told to stop (a file appearing), then reconnects and reports what it saw.
READER = r"""
import json, sys, time
from pathlib import Path
import duckdb

database, stop = sys.argv[1], Path(sys.argv[2])
query = "select built_at, (select count(*) from indicator_all) from monitor_metadata"
connection = duckdb.connect(database, read_only=True)
first = connection.execute(query).fetchone()
print(json.dumps({"ready": str(first[0])}), flush=True)
seen, queries, errors = set(), 0, []
while not stop.exists():
    try:
        built_at, rows = connection.execute(query).fetchone()
        seen.add(str(built_at)); queries += 1
    except Exception as error:
        errors.append(repr(error))
    time.sleep(0.05)
connection.close()
reopened = duckdb.connect(database, read_only=True)
print(json.dumps({"seen": sorted(seen), "queries": queries, "errors": errors,
                  "reopened": str(reopened.execute(query).fetchone()[0])}), flush=True)
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def workspace(pipeline: object, tmp_path: Path) -> tuple[Paths, dict[str, str]]:
    """A copy of the pipeline's data (landing, intake, warehouse) with a first publish."""
    data_dir = tmp_path / "data"
    shutil.copytree(pipeline.paths.data_dir, data_dir, symlinks=True)
    paths = Paths(data_dir=data_dir, landing_dir=data_dir / "landing")
    target = tmp_path / "target"
    shutil.copytree(pipeline.dbt_target, target)
    publish(paths, target)
    env = dict(
        os.environ,
        LLO_DATA_DIR=str(data_dir), LLO_LANDING_DIR=str(paths.landing_dir),
        DBT_TARGET_PATH=str(target), DBT_LOG_PATH=str(tmp_path / "logs"),
    )
    return paths, env


def llo_run(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llo.cli", "run"], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, check=False)


def test_reader_keeps_working_during_llo_run_and_sees_the_new_build_after_reopening(
    workspace: tuple[Paths, dict[str, str]], tmp_path: Path
) -> None:
    paths, env = workspace
    stop = tmp_path / "stop-reading"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(paths.published_db), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first_build = json.loads(reader.stdout.readline())["ready"]
        run = llo_run(env)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        stop.touch()
        report = json.loads(reader.stdout.readline())
    finally:
        stop.touch()
        reader.wait(timeout=60)
    assert report["errors"] == []
    assert report["queries"] >= 1
    assert report["seen"] == [first_build]  # the open connection kept reading the build it opened
    assert report["reopened"] > first_build  # a new connection reads the new build


def test_a_build_that_fails_halfway_leaves_the_published_file_untouched(
    workspace: tuple[Paths, dict[str, str]]
) -> None:
    paths, env = workspace
    before = sha256(paths.published_db), str((paths.publish_dir / "parquet").readlink())
    # A delivery's intake file that is not Parquet: the staging model reading that
    # kind fails, the models after it are skipped, the build stops halfway.
    broken = paths.intake_dir / "uwv__dienstverbanden" / "uwv" / "2099-12" / "data.parquet"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"this is not a parquet file")
    run = llo_run(env)
    assert run.returncode != 0
    assert "dbt build failed; the published database was left as it was" in run.stderr
    assert (sha256(paths.published_db), str((paths.publish_dir / "parquet").readlink())) == before
    # and publishing by hand after that build is refused: its run_results hold the failure
    with pytest.raises(PublishRefused, match="did not pass"):
        publish(paths, Path(env["DBT_TARGET_PATH"]))
    assert (sha256(paths.published_db), str((paths.publish_dir / "parquet").readlink())) == before
