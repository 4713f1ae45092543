"""The `llo` command line (interfaces.md). Thin: it parses arguments and calls the
stage functions; every stage lives in its own module."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from llo.settings import PROJECT_DIR, dbt_environment, paths


def _generate(args: argparse.Namespace) -> int:
    from llo.generate import generate

    generate(
        out=Path(args.out),
        scale=args.scale,
        seed=args.seed,
        months=args.months,
        mess=args.mess,
        missing_column=args.missing_column,
    )
    return 0


def _intake(args: argparse.Namespace) -> int:
    from llo.intake import run_intake

    settings = paths()
    landing = Path(args.landing).resolve() if args.landing else settings.landing_dir
    return run_intake(landing=landing, data_dir=settings.data_dir).exit_code


def dbt(arguments: list[str]) -> int:
    """Run dbt in the project with the monitor's environment; returns its exit code."""
    settings = paths()
    (settings.warehouse_path.parent / "tmp").mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "dbt.cli.main", *arguments]
    return subprocess.run(command, cwd=PROJECT_DIR, env=dbt_environment(settings.data_dir), check=False).returncode


def _build(args: argparse.Namespace) -> int:
    return dbt(["build", *args.dbt_args])


def _publish(args: argparse.Namespace) -> int:
    from llo.publish import PublishRefused, publish

    try:
        published = publish(paths())
    except PublishRefused as refused:
        print(f"llo publish: refused; the published database was left as it was.\n{refused}", file=sys.stderr)
        return 1
    print(f"Published database: {published}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from llo.publish import PublishRefused, publish

    settings = paths()
    status = _intake(args)
    if status != 0:
        print("llo run: intake failed; nothing built or published.", file=sys.stderr)
        return status
    status = dbt(["build"])
    if status != 0:
        print("llo run: dbt build failed; the published database was left as it was.", file=sys.stderr)
        return status
    try:
        published = publish(settings)
    except PublishRefused as refused:
        print(f"llo run: publish refused; the published database was left as it was.\n{refused}", file=sys.stderr)
        return 1
    print(f"Published database: {published}")
    print("Open the dashboard with: make dashboard   (or: .venv/bin/llo dashboard)")
    return 0


def _dashboard(args: argparse.Namespace) -> int:
    app = Path(__file__).resolve().parent / "dashboard.py"
    command = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", "127.0.0.1",
        "--server.port", str(args.port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "viewer",
    ]
    return subprocess.run(command, check=False).returncode


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="llo", description="LLO monitor for Werk in Zicht.")
    commands = main_parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write synthetic deliveries that follow the delivery contract")
    generate.add_argument("--scale", type=float, default=1.0, help="1.0 = the region, about 765k residents")
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--out", default=str(paths().landing_dir), help="landing folder to write into")
    generate.add_argument("--months", type=int, default=2, help="number of monthly deliveries (>= 1)")
    generate.add_argument("--mess", type=float, default=0.002, help="share of rows with an injected defect (0 = clean)")
    generate.add_argument("--missing-column", action="store_true", help="also write one file missing a required column")
    generate.set_defaults(handler=_generate)

    intake = commands.add_parser("intake", help="validate, archive, pseudonymise and quarantine new deliveries")
    intake.add_argument("--landing", help="landing folder (default $LLO_LANDING_DIR)")
    intake.set_defaults(handler=_intake)

    build = commands.add_parser("build", help="dbt build of the whole project")
    build.add_argument("dbt_args", nargs=argparse.REMAINDER, help="extra dbt arguments after --")
    build.set_defaults(handler=_build)

    publish = commands.add_parser("publish", help="write the published database and Parquet files atomically")
    publish.set_defaults(handler=_publish)

    run = commands.add_parser("run", help="intake, build and publish in one go")
    run.add_argument("--landing", help="landing folder (default $LLO_LANDING_DIR)")
    run.set_defaults(handler=_run)

    dashboard = commands.add_parser("dashboard", help="serve the dashboard on 127.0.0.1")
    dashboard.add_argument("--port", type=int, default=8501)
    dashboard.set_defaults(handler=_dashboard)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "dbt_args", None) and args.dbt_args[0] == "--":
        args.dbt_args = args.dbt_args[1:]
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
