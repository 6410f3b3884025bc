"""Hostile plan files: alias bombs, huge files, absurd values `check` used to accept,
characters no database keeps, and a live edit that fails a check."""

from __future__ import annotations

import copy
import logging
import os
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.plan import PlanError, load_plan, parse_plan
from scheduler.plan.yaml import MAX_PLAN_BYTES
from tests.conftest import PLAN_PATH

TEXT = PLAN_PATH.read_text(encoding="utf-8")


def _with(old: str, new: str) -> str:
    assert old in TEXT, old
    return TEXT.replace(old, new, 1)


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The classic "billion laughs", placed where the plan's own lists are read: 9 levels of 9
    aliases each, 9^9 strings once expanded, in a file of ~15 KB like the issue's."""
    lines = ["x0: &x0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * width) + "]")
    body = "\n".join(lines) + "\n"
    # The rest of the file is the real plan, its first unit's aliases pointing into the bomb.
    return body + _with(
        'aliases: ["Phòng Văn hóa - Xã hội (VHXH)", "Phòng VHXH", "Phòng VHXXH", "VHXXH"]',
        f"aliases: *x{levels - 1}",
    )


def test_the_alias_bomb_is_refused_in_well_under_a_second_and_a_few_mb(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb(), encoding="utf-8")
    assert 14_000 < bomb.stat().st_size < 16_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(PlanError) as err:
            load_plan(bomb)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Before: 27.5 s and 3.1 GB (then MemoryError) for `nhacviec check` on this file.
    assert elapsed < 0.5, elapsed
    assert peak < 20_000_000, peak
    assert "tham chiếu (*) quá lớn" in str(err.value) and "dòng" in str(err.value)


def test_a_moderate_use_of_anchors_still_loads() -> None:
    text = _with("reminders:\n  before_working_days: [10, 3]", "reminders: &policy\n  before_working_days: [10, 3]")
    text = text.replace("    reminders:\n", "    reminders_unused:\n")  # no task overrides here: nothing to rename
    assert len(parse_plan(text).tasks) == 19


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("a: &a [*a]\n", "vòng lặp"),
        ("a: &a {b: *a}\n", "vòng lặp"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "lồng nhau quá sâu"),
        ("a: " + "{b: " * 2000 + "1" + "}" * 2000 + "\n", "lồng nhau quá sâu"),
        ("a: &a x\n" + "".join(f"b{i}: *a\n" for i in range(1500)), "quá nhiều tham chiếu"),
    ],
)
def test_cycles_deep_nesting_and_alias_floods_are_refused_in_vietnamese(yaml_text: str, expected: str) -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(yaml_text)
    assert expected in str(err.value), str(err.value)
    assert "dòng" in str(err.value)


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(TEXT.encode("utf-8") + b"#" * (3 * 1024 * 1024) + b"\n")
    read: list[int] = []
    real_open = Path.open

    def counting_open(self: Path, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        f = real_open(self, *args, **kwargs)  # type: ignore[call-overload]
        real_read = f.read

        def read_some(n: int = -1) -> bytes:
            data = real_read(n)
            read.append(len(data))
            return data

        f.read = read_some
        return f

    monkeypatch.setattr(Path, "open", counting_open)
    with pytest.raises(PlanError) as err:
        load_plan(big)
    assert "quá lớn" in str(err.value) and "giới hạn là 2 MB" in str(err.value)
    assert sum(read) <= MAX_PLAN_BYTES + 1  # never read whole


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "overdue_backoff_working_days: [3, 5, 10]",
            "overdue_every_working_days: 100000000",
            ['trường "reminders.overdue_every_working_days" (dòng', "nhỏ hơn hoặc bằng 250"],
        ),
        (
            "overdue_backoff_working_days: [3, 5, 10]",
            "overdue_backoff_working_days: [3, 100000000]",
            ['"reminders.overdue_backoff_working_days" (dòng', "nhỏ hơn hoặc bằng 250"],
        ),
        (
            "escalate_after_working_days: 5",
            "escalate_after_working_days: 100000000",
            ['"reminders.escalate_after_working_days" (dòng', "250"],
        ),
        (
            "checkin_before_working_days: 3",
            "checkin_before_working_days: 1000",
            ['"reminders.checkin_before_working_days" (dòng', "250"],
        ),
        (
            "before_working_days: [10, 3]",
            "before_working_days: [100000, 3]",
            ['"reminders.before_working_days" (dòng', "250", "100000"],
        ),
        ("before_working_days: [10, 3]", f"before_working_days: {list(range(1, 30))}", ["before_working_days"]),
        ("  - stt: 5\n", "  - stt: 12345678901234567890123\n", ['trường "stt" (dòng', "nhỏ hơn hoặc bằng 9999"]),
        ("  - stt: 5\n", '  - stt: "12345678901234567890123"\n', ['trường "stt" (dòng', "9999"]),
        ("  - stt: 5\n", "  - stt: 10000\n", ['trường "stt" (dòng', "9999"]),
        (
            'deadline: "Quý II/2026"',
            'deadline: "Trước 10/5/9999"',
            ['Nhiệm vụ STT 4, trường "deadline" (dòng', "Năm 9999", "2000–2100"],
        ),
        ('deadline: "Quý II/2026"', 'deadline: "Tháng 5/1999"', ['Nhiệm vụ STT 4, trường "deadline"', "1999"]),
        ('deadline: "Quý II/2026"', 'deadline: "Giai đoạn 2026 - 2999"', ['Nhiệm vụ STT 4, trường "deadline"', "2999"]),
        ("issued: 2026-05-05", "issued: 9999-05-05", ['trường "plan.issued" (dòng', "2000 đến 2100"]),
        ("  issued: 2026-05-05\n", "  issued: 2026-05-05\n  year: 9999\n", ['trường "plan.year"', "2100"]),
        ("  - code: VP\n", f"  - code: {'V' * 40}\n", ['trường "units.1.code" (dòng', "32"]),
        (
            'name: "Phòng Văn hóa - Xã hội"',
            'name: "Phòng \\0 VHXH"',
            ['trường "units.0.name" (dòng', "U+0000", "không lưu được"],
        ),
        (
            'name: "Phòng Văn hóa - Xã hội"',
            'name: "Phòng \\ud800 VHXH"',
            ['trường "units.0.name" (dòng', "surrogate", "U+D800"],
        ),
        ('deadline: "Quý II/2026"', 'deadline: "Quý II/2026\\x07"', ['Nhiệm vụ STT 4, trường "deadline"', "U+0007"]),
    ],
)
def test_values_run_cannot_plan_are_refused_by_check(old: str, new: str, expected: list[str]) -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(_with(old, new), "tasks.yaml")
    message = str(err.value)
    for part in expected:
        assert part in message, message


def test_the_largest_accepted_values_still_plan_quickly(calendar) -> None:  # type: ignore[no-untyped-def]
    """What `check` accepts, `run` can plan: the edge of every range, planned over a year."""
    from datetime import date

    from scheduler.reminders import plan_reminders

    text = _with("overdue_backoff_working_days: [3, 5, 10]", "overdue_every_working_days: 250")
    text = text.replace("escalate_after_working_days: 5", "escalate_after_working_days: 250")
    text = text.replace("checkin_before_working_days: 3", "checkin_before_working_days: 250")
    text = text.replace("before_working_days: [10, 3]", "before_working_days: [250, 1]")
    text = text.replace('deadline: "Quý II/2026"', 'deadline: "Trước 10/5/2100"', 1)
    plan = parse_plan(text)
    assert plan.task(4).rule.due.year == 2100  # type: ignore[union-attr]
    started = time.perf_counter()
    planned = plan_reminders(plan, calendar, date(2026, 6, 1), date(2027, 6, 1))
    planned += plan_reminders(plan, calendar, date(2099, 1, 1), date(2100, 12, 31))
    assert planned and time.perf_counter() - started < 10


def test_raw_control_characters_and_other_encodings_name_the_line(tmp_path: Path) -> None:
    nul = tmp_path / "nul.yaml"
    nul.write_bytes(TEXT.encode("utf-8").replace(b"issued: 2026-05-05", b"issued: 2026-05-05\x00", 1))
    with pytest.raises(PlanError, match=r"dòng 16: .*U\+0000"):
        load_plan(nul)
    latin = tmp_path / "latin.yaml"
    # "Phường" in Windows-1258 (decomposed, as that code page writes it) on line 15 only.
    latin.write_bytes(TEXT.encode("utf-8").replace("Phường".encode(), "Ph\u01b0\u01a1\u0300ng".encode("cp1258"), 1))
    with pytest.raises(PlanError, match="không phải mã hóa UTF-8.*dòng 15"):
        load_plan(latin)


# --- property-based: whatever the bytes, a PlanError in Vietnamese or a plan ----------------


def _check(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    try:
        load_plan(path)
    except PlanError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        for english in ("Traceback", "Input should", "Field required"):
            assert english not in str(exc)


_RAW = yaml.safe_load(TEXT)
_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes_never_crash_the_loader(tmp_path: Path, data: bytes) -> None:
    _check(data, tmp_path)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.dates(),
)
_TREES = st.recursive(
    _SCALARS, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=10), kids, max_size=4)
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_plan_shaped_yaml_with_mutated_fields_never_crashes(tmp_path: Path, data: st.DataObject) -> None:
    """Take the real plan, replace one value anywhere with arbitrary YAML: a plan or a clear
    error, never a traceback (the year, ranges and texts above were found this way)."""
    raw = copy.deepcopy(_RAW)
    target = raw
    path: list[object] = []
    while isinstance(target, dict | list) and data.draw(st.booleans(), label="descend"):
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys), label="key")
        path.append(key)
        if not isinstance(target[key], dict | list):
            break
        target = target[key]
    value = data.draw(_TREES, label="value")
    if path:
        parent = raw
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
    else:
        raw = value
    text = yaml.safe_dump(raw, allow_unicode=True)
    try:
        data_bytes = text.encode("utf-8")
    except UnicodeEncodeError:
        data_bytes = text.encode("utf-8", "surrogatepass")
    _check(data_bytes, tmp_path)


@_FUZZ
@given(st.text(alphabet=st.sampled_from(list("&*ab: -[]{},'\"\n!|>#0\\")), max_size=300))
def test_fuzz_yaml_punctuation_soup_never_crashes(tmp_path: Path, text: str) -> None:
    _check(text.encode("utf-8"), tmp_path)


# --- a live edit -----------------------------------------------------------------------------


async def test_a_live_edit_that_fails_any_check_keeps_the_running_plan(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.app.service import Ticker, make_dispatcher, open_context
    from bot.settings import Settings
    from scheduler.clock import ManualClock
    from tests.conftest import RecordingChannel, local

    plan_file = tmp_path / "tasks.yaml"
    plan_file.write_text(TEXT, encoding="utf-8")
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", plan_path=plan_file, _env_file=None)  # type: ignore[call-arg]
    ctx = await open_context(settings, ManualClock(local("2026-06-22T07:00")))
    try:
        ticker = Ticker(ctx, make_dispatcher(ctx, {"console": RecordingChannel()}))
        await ticker.tick()
        running = ctx.plan
        edits = [
            alias_bomb(),  # hung the bot before
            _with("overdue_backoff_working_days: [3, 5, 10]", "overdue_every_working_days: 100000000"),
            _with('deadline: "Quý II/2026"', 'deadline: "Trước 10/5/9999"'),
            _with('send_time: "08:00"', 'send_time: "23:00"'),  # fails check_policy (office hours)
            "x" * 10,
        ]
        for n, edit in enumerate(edits, start=1):
            plan_file.write_text(edit, encoding="utf-8")
            os.utime(plan_file, (n, n))
            caplog.clear()
            started = time.perf_counter()
            with caplog.at_level(logging.ERROR, logger="bot.app.service"):
                await ticker.tick()
            assert time.perf_counter() - started < 5
            assert ctx.plan is running, edit[:80]
            assert "keeping the running one" in caplog.text, edit[:80]
            if "23:00" in edit:
                assert "Giờ nhắc 23:00 nằm ngoài giờ hành chính" in caplog.text
        plan_file.write_text(_with('deadline: "Quý II/2026"', 'deadline: "Quý III/2026"'), encoding="utf-8")
        os.utime(plan_file, (100, 100))
        await ticker.tick()
        assert ctx.plan is not running and ctx.plan.task(4).deadline_text == "Quý III/2026"  # type: ignore[union-attr]
    finally:
        await ctx.db.dispose()


def test_a_target_about_a_task_with_an_unreadable_deadline_lists_the_deadline_problem() -> None:
    # Before: StopIteration escaped parse_plan (a traceback for `nhacviec check`).
    text = """
plan: {code: "1/KH", title: T, ward: W, issued: 2026-01-05, coordinating_unit: VP}
units: [{code: VP, name: Văn phòng}]
targets: [{code: x, name: X, comparator: ">=", value: 1, tasks: [1]}]
tasks:
  - {stt: 1, content: A, lead: [VP], deadline: "ngày vớ vẩn"}
"""
    with pytest.raises(PlanError) as err:
        parse_plan(text)
    assert len(err.value.problems) == 1
    assert err.value.problems[0].startswith('Nhiệm vụ STT 1, trường "deadline" (dòng 6): ')
