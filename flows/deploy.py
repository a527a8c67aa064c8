"""Serve the `nightly` deployment without a work pool or worker: `python -m flows.deploy`.

The deployment is read from prefect.yaml (the one place for its schedule, parameters and
concurrency limit), so serving it and `prefect deploy -n nightly` register the same thing. This
process then waits for scheduled runs and runs them itself; Ctrl-C stops it and leaves the schedule
active (pause_on_shutdown=False), so the next start picks up where it left off.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml
from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from naba.settings import PROJECT_ROOT

PREFECT_FILE = PROJECT_ROOT / "prefect.yaml"
DEPLOYMENT = "nightly"
# prefect.yaml records the checkout folder through a build step; served, the checkout is this one.
CHECKOUT_PLACEHOLDER = "{{ checkout.stdout }}"


def deployment_config(name: str = DEPLOYMENT, prefect_file: Path = PREFECT_FILE) -> dict[str, Any]:
    """The deployment's section of prefect.yaml, with the checkout folder filled in."""
    document = yaml.safe_load(Path(prefect_file).read_text(encoding="utf-8"))
    for config in document.get("deployments") or []:
        if config.get("name") == name:
            return _fill(config, str(PROJECT_ROOT))
    raise KeyError(f"no deployment named {name!r} in {prefect_file}")


def _fill(value: Any, checkout: str) -> Any:
    if isinstance(value, str):
        return value.replace(CHECKOUT_PLACEHOLDER, checkout)
    if isinstance(value, list):
        return [_fill(item, checkout) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, checkout) for key, item in value.items()}
    return value


def build_deployment(timezone: str | None = None, name: str = DEPLOYMENT) -> RunnerDeployment:
    """The deployment as prefect.yaml declares it; `timezone` replaces the schedules' timezone."""
    from flows.etl import nightly_etl

    config = deployment_config(name)
    schedules = [
        Cron(
            schedule["cron"],
            timezone=timezone or schedule.get("timezone"),
            active=schedule.get("active", True),
        )
        for schedule in config.get("schedules") or []
    ]
    limit = config.get("concurrency_limit")
    concurrency = ConcurrencyLimitConfig(**limit) if isinstance(limit, dict) else limit
    return nightly_etl.to_deployment(
        name=config["name"],
        description=config.get("description"),
        tags=config.get("tags"),
        parameters=config.get("parameters") or {},
        schedules=schedules,
        concurrency_limit=concurrency,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.deploy", description=__doc__)
    parser.add_argument("--timezone", help="IANA timezone of the 02:00 schedule (default: prefect.yaml's)")
    args = parser.parse_args(argv)
    serve(build_deployment(args.timezone), pause_on_shutdown=False, limit=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
