"""The labelled reply corpus (tests/data/replies.tsv, the held-out replies_heldout.tsv and the
later probes replies_probes.tsv):
loading it and scoring the reader on it. Used by tests/test_replies_corpus.py and
bench/replies.py."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bot.reading.replies import parse_reply
from bot.reading.task_refs import read_answers

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "replies.tsv"
HELD_OUT = DATA / "replies_heldout.tsv"
PROBES = DATA / "replies_probes.tsv"  # written after the first tuning; failures there were fixed
# Multi-task lines name tasks of a flat plan numbered 1..20.
FLAT_LABELS = {n: str(n) for n in range(1, 21)}


@dataclass(frozen=True)
class Case:
    category: str
    expected: str  # "done", "in_progress 40", or "1=done 3=in_progress:40 5=?"
    text: str
    open_stts: tuple[int, ...] | None
    line: int


@dataclass(frozen=True)
class Outcome:
    case: Case
    got: str  # in the form of `Case.expected`
    right: bool
    false_done: bool  # a done read where the label says it is not one
    seconds: float  # wall clock
    cpu_seconds: float  # this thread's CPU time: what the reading costs, without the waits of a shared machine


def load(path: Path = CORPUS) -> list[Case]:
    cases = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        fields = raw.split("\t")
        if len(fields) not in (3, 4):
            raise ValueError(f"{path.name}:{number}: expected 3 or 4 tab-separated fields")
        opened = None
        if len(fields) == 4 and fields[3].startswith("open="):
            opened = tuple(int(n) for n in fields[3][5:].split(","))
        cases.append(Case(fields[0], fields[1], fields[2].replace("\\n", "\n"), opened, number))
    return cases


def _single(status: str, percent: int | None) -> str:
    return status if percent is None else f"{status} {percent}"


def _part(status: str, percent: int | None) -> str:
    return status if percent is None else f"{status}:{percent}"


def _parts(expected: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in expected.split())


def _read_multi(case: Case) -> str:
    answers = read_answers(case.text, FLAT_LABELS, case.open_stts)
    if answers is None:
        return "(not split)"
    got: dict[str, str] = {}
    for answer in answers:
        for ref in answer.refs:
            got[ref.label] = _part(answer.reply.status, answer.reply.percent) if answer.readable else "?"
        if not answer.refs:
            got["-"] = "?"  # words that name no task
    return " ".join(f"{label}={value}" for label, value in got.items())


def score(case: Case) -> Outcome:
    started, cpu_started = time.perf_counter(), time.thread_time()
    if case.category == "multi_task":
        got = _read_multi(case)
        elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
        expected, found = _parts(case.expected), _parts(got) if "=" in got else {}
        false_done = any(
            v.split(":")[0] == "done" and expected.get(k, "").split(":")[0] != "done" for k, v in found.items()
        )
        return Outcome(case, got, found == expected, false_done, elapsed, cpu)
    parsed = parse_reply(case.text)
    elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
    got = _single(parsed.status, parsed.percent)
    false_done = parsed.status == "done" and case.expected.split()[0] != "done"
    return Outcome(case, got, got == case.expected, false_done, elapsed, cpu)
