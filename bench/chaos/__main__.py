"""Chaos harness for issue 12: drives the real `nhacviec run` against an independent fake
Telegram API on 127.0.0.1 and prints what was lost, doubled or left behind.

    python -m bench.chaos --scenario kill [--db sqlite|postgres] [--url URL]
    python -m bench.chaos --scenario workers --db postgres --url postgresql+asyncpg://…/test_h4
    python -m bench.chaos --scenario storm429 | unauthorized | sigterm
    python -m bench.chaos --scenario link_lockout | plan_reload   # issue 25's edges (bench/chaos/edges.py)
    python -m bench.chaos --scenario deploy      # checks the deploy files (no Docker engine needed)
    python -m bench.chaos --scenario lease_storm | sigterm_hang | telegram401 | zalo_errors   # issue 25
    python -m bench.chaos --scenario dbaway [--db postgres --url …] [--outage 20] [--mode polling|webhook]

A PostgreSQL database given with --url is wiped. Every scenario is bounded in time and
count (flags below scale it) and exits 0 after printing its figures, whatever they are:
the harness measures the code, it does not judge it. Progress goes to stderr, figures to
stdout (one `name: value` a line, then the same as one JSON line).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

# Per-scenario defaults: the numbers, scaled where the would not finish in
# ~3 minutes on a 2-core machine (workers: 4,000 instead of 10,000; --reminders 10000
# --time-limit 420 reproduces the run).
DEFAULTS: dict[str, dict[str, Any]] = {
    "kill": {"reminders": 1000, "lease_seconds": 15, "drain_timeout": 150.0},
    "workers": {"reminders": 4000, "lease_seconds": 120, "drain_timeout": 170.0},
    "storm429": {
        "reminders": 1000,
        "lease_seconds": 120,
        "drain_timeout": 100.0,
        "storm_seconds": 60.0,
        "retry_after": 1,
    },
    "unauthorized": {"reminders": 1000, "lease_seconds": 120, "drain_timeout": 100.0, "window": 3.0},
    "sigterm": {"reminders": 1000, "lease_seconds": 120, "drain_timeout": 60.0, "stop_timeout": 30.0},
    # Issue 25 (bench/chaos/faults.py).
    "lease_storm": {
        "reminders": 300,
        "lease_seconds": 20,
        "drain_timeout": 150.0,
        "storm_seconds": 60.0,
        "retry_after": 25,
    },
    "sigterm_hang": {"reminders": 300, "lease_seconds": 120, "drain_timeout": 60.0, "stop_timeout": 120.0},
    "telegram401": {"reminders": 300, "lease_seconds": 120, "drain_timeout": 100.0, "window": 5.0},
    "zalo_errors": {
        "reminders": 300,
        "lease_seconds": 120,
        "drain_timeout": 150.0,
        "storm_seconds": 20.0,
        "retry_after": 5,
        "window": 20.0,
    },
    "deploy": {"reminders": 0, "lease_seconds": 120, "drain_timeout": 0.0},
    "link_lockout": {"reminders": 0, "lease_seconds": 120, "drain_timeout": 0.0},
    "plan_reload": {"reminders": 0, "lease_seconds": 120, "drain_timeout": 0.0},
    "dbaway": {"reminders": 0, "lease_seconds": 120, "drain_timeout": 0.0, "stop_timeout": 30.0},
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", required=True, choices=[*DEFAULTS])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--url", help="database URL (PostgreSQL: wiped first); default a fresh SQLite file")
    p.add_argument("--reminders", type=int, help="reminders in the burst (default per scenario)")
    p.add_argument("--seed", type=int, default=12, help="random seed (kill timings)")
    p.add_argument("--latency", type=float, default=0.05, help="seconds the fake takes per sendMessage")
    p.add_argument("--lease-seconds", type=int, help="NHACVIEC_LEASE_SECONDS given to the bot")
    p.add_argument("--drain-timeout", type=float, help="longest wait for the queue to empty")
    p.add_argument("--keep", action="store_true", help="keep the work dir (bot logs, fake log, SQLite file)")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    g = p.add_argument_group("kill")
    g.add_argument("--kills", type=int, default=24)
    g.add_argument("--min-delay", type=float, default=0.3, help="earliest kill, seconds after the bot is ready")
    g.add_argument("--max-delay", type=float, default=2.0, help="latest kill, seconds after the bot is ready")
    g = p.add_argument_group("workers")
    g.add_argument("--workers", type=int, default=4)
    g.add_argument("--rate-limit", type=float, default=30.0, help="fake's messages/s per token (0: none)")
    g.add_argument("--time-limit", type=float, default=170.0, help="stop the workers after this many seconds")
    g = p.add_argument_group("storm429")
    g.add_argument("--storm-seconds", type=float, help="seconds of 429 (storm429, lease_storm, zalo_errors)")
    g.add_argument("--retry-after", type=int, help="the storm's retry_after")
    g = p.add_argument_group("unauthorized, telegram401, zalo_errors")
    g.add_argument("--window", type=float, help="seconds of HTTP 401 (zalo_errors: of error JSON)")
    g.add_argument("--error-ratio", type=float, default=0.14, help="zalo_errors: share of sends answered -201")
    g.add_argument(
        "--answer-timeout", type=float, default=90.0, help="telegram401, dbaway: longest wait for the answer(s)"
    )
    g = p.add_argument_group("unauthorized, sigterm")
    g.add_argument("--after", type=int, help="messages accepted before the fault (default: random 50-250)")
    g = p.add_argument_group("sigterm, dbaway")
    g.add_argument("--mode", choices=["polling", "webhook", "both"], default="both")
    g.add_argument("--stop-timeout", type=float, help="SIGKILL if not gone after this")
    g = p.add_argument_group("link_lockout")
    g.add_argument("--flood-chats", type=int, default=12, help="chats sending one wrong code each, last phase")
    g = p.add_argument_group("plan_reload")
    g.add_argument("--tasks", type=int, default=9999, help="tasks in the reloaded plan")
    g.add_argument("--probe-every", type=float, default=0.2, help="seconds between two probe messages")
    g.add_argument("--baseline-seconds", type=float, default=8.0)
    g.add_argument("--after-seconds", type=float, default=5.0)
    g.add_argument("--reload-timeout", type=float, default=240.0)
    g = p.add_argument_group("dbaway")
    g.add_argument(
        "--outage", type=float, help="seconds the database is away (default 20; SQLite 40: past its busy timeout)"
    )
    g.add_argument("--messages", type=int, default=10, help="people writing while it is away, one message each")
    g.add_argument("--text", default="đã xong", help="what each of them writes")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    for key, value in DEFAULTS[args.scenario].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.scenario == "workers" and args.db != "postgres" and not (args.url or "").startswith("postgresql"):
        print(
            "workers: several worker processes need PostgreSQL: --db postgres --url postgresql+asyncpg://…",
            file=sys.stderr,
        )
        return 2
    if args.url and args.url.startswith("postgresql"):
        args.db = "postgres"
    t0 = time.monotonic()
    if args.scenario == "dbaway" and args.outage is None:
        args.outage = 20.0 if args.db == "postgres" else 40.0
    if args.scenario == "deploy":
        from bench.chaos.deploy_check import check

        figures = check()
    elif args.scenario == "dbaway":
        from bench.chaos.inbound import dbaway

        figures = dbaway(args)
    else:
        from bench.chaos.faults import SCENARIOS as FAULTS
        from bench.chaos.scenarios import SCENARIOS

        figures = {**SCENARIOS, **FAULTS}[args.scenario](args)
    figures["wall_s"] = round(time.monotonic() - t0, 1)
    for name, value in figures.items():
        print(f"{name}: {value}")
    line = json.dumps(figures, ensure_ascii=False, default=str)
    print(line)
    if args.json:
        args.json.write_text(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
