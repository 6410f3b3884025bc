"""How long reading plan files takes, one by one, as a first start of many wards reads them.

    python -m bench.plan_read [--files 100] [--rounds 3] [--pure]

Each file is a copy of data/tasks.yaml under its own ward name, read with every check
(bot.wards.check_plan: YAML within its budgets, the plan model, the deadlines). `--pure`
reads the YAML with PyYAML's pure-Python parser, as before libyaml was used, for comparison.
Prints the median round and the time per file.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from bot.wards import check_plan

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pure", action="store_true", help="PyYAML's pure-Python parser")
    args = parser.parse_args()
    if args.pure:
        # scheduler.plan.yaml.compose reads this at each call (the tests switch it the same way).
        setattr(yaml, "__with_libyaml__", False)  # noqa: B010 - the stubs call it Final
    text = (ROOT / "data" / "tasks.yaml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i in range(args.files):
            path = Path(tmp) / f"w{i:04d}.yaml"
            path.write_text(text.replace("Phường Nhị Chiểu", f"Phường Thử {i:04d}"), encoding="utf-8")
            files.append(path)
        check_plan(files[0])  # the imports and the first validation, outside the rounds
        rounds = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            for path in files:
                check_plan(path)
            rounds.append(time.perf_counter() - started)
    median = statistics.median(rounds)
    reader = "libyaml" if yaml.__with_libyaml__ else "pure-Python YAML"
    print(
        f"{args.files} plan files read apart ({reader}): median {median:.2f} s = {median / args.files * 1000:.1f} ms "
        f"per file; rounds {', '.join(f'{r:.2f}' for r in rounds)} s"
    )


if __name__ == "__main__":
    main()
