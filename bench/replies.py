"""How well and how fast the reply reader reads the labelled corpus.

python -m bench.replies [--heldout | --probes] [--wrong] [--repeat 20]

Prints accuracy by category, every false "done" (the costliest mistake), and the time per
reply (p50/p99 over `--repeat` passes; a multi-task line counts as one reply). `--heldout`
scores tests/data/replies_heldout.tsv, kept apart from the tuning; `--probes` the replies
written after the first tuning (tests/data/replies_probes.tsv); `--wrong` lists every reply
read wrong.
"""

from __future__ import annotations

import argparse
import gc
import statistics
from collections import defaultdict

from tests.replies_corpus import CORPUS, HELD_OUT, PROBES, Case, Outcome, load, score


def _table(outcomes: list[Outcome]) -> list[str]:
    by_category: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_category[outcome.case.category].append(outcome)
    lines = [f"{'category':<22}{'n':>5}{'right':>7}{'accuracy':>10}{'false done':>12}"]
    for category in sorted(by_category):
        group = by_category[category]
        right = sum(o.right for o in group)
        lines.append(
            f"{category:<22}{len(group):>5}{right:>7}{right / len(group):>10.1%}{sum(o.false_done for o in group):>12}"
        )
    right = sum(o.right for o in outcomes)
    lines.append(
        f"{'all':<22}{len(outcomes):>5}{right:>7}{right / len(outcomes):>10.1%}"
        f"{sum(o.false_done for o in outcomes):>12}"
    )
    return lines


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--heldout", action="store_true", help="score the held-out set")
    parser.add_argument("--probes", action="store_true", help="score the replies written after the first tuning")
    parser.add_argument("--wrong", action="store_true", help="list every reply read wrong")
    parser.add_argument("--repeat", type=int, default=20, help="passes for the timing")
    args = parser.parse_args()
    path = HELD_OUT if args.heldout else PROBES if args.probes else CORPUS
    cases = load(path)
    outcomes = [score(case) for case in cases]
    print(f"corpus: {path.name} ({len(cases)} replies)")
    print("\n".join(_table(outcomes)))
    false_done = [o for o in outcomes if o.false_done]
    print(f"\nfalse done: {len(false_done)}")
    for o in false_done:
        print(f"  line {o.case.line} [{o.case.category}] {o.case.text!r}: expected {o.case.expected}, got {o.got}")
    if args.wrong:
        print("\nwrong:")
        for o in outcomes:
            if not o.right:
                print(
                    f"  line {o.case.line} [{o.case.category}] {o.case.text!r}: expected {o.case.expected}, got {o.got}"
                )
    _timing(cases, args.repeat)


def _timing(cases: list[Case], repeat: int) -> None:
    """Each reply read `repeat` times. On a shared machine single readings are delayed by
    other processes, so the time of a reply is the median of its readings; the raw wall-clock
    distribution over all readings and the reading thread's CPU time are printed too."""
    gc.disable()
    try:
        outcomes = [[score(case) for _ in range(repeat)] for case in cases]
    finally:
        gc.enable()
    readings = [[o.seconds for o in r] for r in outcomes]
    per_reply = [statistics.median(r) for r in readings]
    raw = [t for r in readings for t in r]
    cpu = [o.cpu_seconds for r in outcomes for o in r]
    print(
        f"\ntime per reply (median of {repeat} readings each, {len(cases)} replies): "
        f"p50 {statistics.median(per_reply) * 1e3:.3f} ms, p99 {_percentile(per_reply, 0.99) * 1e3:.3f} ms, "
        f"max {max(per_reply) * 1e3:.3f} ms"
    )
    print(
        f"all {len(raw)} readings, wall clock: p50 {statistics.median(raw) * 1e3:.3f} ms, "
        f"p99 {_percentile(raw, 0.99) * 1e3:.3f} ms, max {max(raw) * 1e3:.3f} ms"
    )
    print(
        f"all {len(cpu)} readings, CPU time of the reading thread: p50 {statistics.median(cpu) * 1e3:.3f} ms, "
        f"p99 {_percentile(cpu, 0.99) * 1e3:.3f} ms, max {max(cpu) * 1e3:.3f} ms"
    )


if __name__ == "__main__":
    main()
