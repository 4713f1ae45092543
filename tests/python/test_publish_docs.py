"""The SQL examples of docs/analysts.md (and those in README.md marked the same way)
run: the `published` and `parquet` ones on a published file (the fixture of
published_fixture.py), the `warehouse` ones on the warehouse the shared pipeline
fixture builds. Each example's first line says which."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from llo.publish import publish
from llo.settings import PROJECT_DIR, Paths
from published_fixture import make_warehouse, write_run_results

GUIDE = PROJECT_DIR / "docs" / "analysts.md"
README = PROJECT_DIR / "README.md"
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)


def examples(kind: str) -> list[str]:
    blocks = [block for document in (GUIDE, README) for block in SQL_BLOCK.findall(document.read_text(encoding="utf-8"))]
    return [block for block in blocks if block.startswith(f"-- {kind}:")]


def test_every_example_says_where_it_runs() -> None:
    blocks = SQL_BLOCK.findall(GUIDE.read_text(encoding="utf-8"))
    assert blocks
    assert all(re.match(r"-- (published|parquet|warehouse):", block) for block in blocks)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    root = tmp_path_factory.mktemp("docs")
    paths = Paths(data_dir=root / "data", landing_dir=root / "landing")
    make_warehouse(paths.warehouse_path)
    publish(paths, write_run_results(root / "target"))
    return paths


@pytest.mark.parametrize("sql", examples("published"), ids=lambda sql: sql.splitlines()[0][14:60])
def test_published_example_runs(published: Paths, sql: str) -> None:
    with duckdb.connect(str(published.published_db), read_only=True) as connection:
        rows = connection.execute(sql).fetchall()
    assert rows, "the fixture has data for every example"


@pytest.mark.parametrize("sql", examples("parquet"), ids=lambda sql: sql.splitlines()[0][12:60])
def test_parquet_example_runs(published: Paths, sql: str) -> None:
    sql = sql.replace("data/publish/parquet", str(published.publish_dir / "parquet"))
    assert duckdb.sql(sql).fetchall()


@pytest.mark.parametrize("sql", examples("warehouse"), ids=lambda sql: sql.splitlines()[0][14:60])
def test_warehouse_example_runs(pipeline: object, sql: str) -> None:
    warehouse: Path = pipeline.paths.warehouse_path
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute(sql).fetchall()
