"""One standing behind every number: over random histories, `/overdue` lists exactly the
task × lead unit pairs `/summary` counts overdue, and a "done" awaiting the office's
confirmation is never done in one text and open in another (issue 24, item 1).

The histories are reduced to the snapshot rows the store hands the standing (latest report,
the completing run it ends, the latest blocked report), as store/reporting.py does."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.report.digest import digest_text, summary_text
from bot.report.rows import Report, appendix_rows
from bot.report.summary import overdue_list
from bot.texts.report import CLASS_LABELS
from scheduler.order import natural_key
from scheduler.plan import Plan
from scheduler.rating import period_mark, rate_units
from scheduler.standing import PlanStanding, classify_plan
from scheduler.windows import cycle_window
from scheduler.workcal import VN_ZONE, WorkingCalendar, load_calendar
from store.enums import AssignmentRole, DeadlineKind, Review, Status
from store.progress import completes
from store.reporting import AssignmentState, ReportingSnapshot, ReportRow, TaskRow, UnitRow
from tests.conftest import CALENDAR_PATH
from tests.report_semester import semester_plan

CUTOFF = date(2026, 6, 14)
UNITS = ("VHXH", "VP", "TTPVHCC", "KTHTDT")
STATUSES = ("done", "done", "in_progress", "blocked", "not_started", "not_applicable")
REVIEWS = (None, "no_evidence", "pending", "pending", "confirmed", "returned")
LABELS = ("1", "2", "10", "II.3", "II.10", "9")
PLAN = semester_plan()
CALENDAR: WorkingCalendar = load_calendar(CALENDAR_PATH)


def _review(value: str | None) -> Review | None:
    return Review(value) if value is not None else None


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=VN_ZONE).astimezone(UTC)


def reduce_history(
    reports: list[ReportRow], checkin: bool, since: datetime
) -> tuple[ReportRow | None, ReportRow | None, ReportRow | None]:
    """(latest, first of the completing run the latest ends, latest blocked since `since`)."""
    ordered = sorted(reports, key=lambda r: (r.at, r.id))
    last = ordered[-1] if ordered else None
    completing = None
    if last is not None and completes(last.status, checkin):
        completing = last
        for r in reversed(ordered):
            if not completes(r.status, checkin):
                break
            completing = r
    blocked = [r for r in ordered if r.status == "blocked" and r.at >= since]
    return last, completing, blocked[-1] if blocked else None


@st.composite
def histories(draw: st.DrawFn) -> ReportingSnapshot:
    window = cycle_window(PLAN.cycles[0], 2026)
    since = datetime.combine(window.start, time(0), tzinfo=VN_ZONE)
    tasks, states = [], []
    next_id = 1
    for stt, label in enumerate(draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=5, unique=True)), 1):
        checkin = draw(st.booleans())
        tasks.append(TaskRow(stt, f"Nhiệm vụ {label}", "Báo cáo", "Tháng", DeadlineKind.ONCE, None, label=label))
        leads = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=3, unique=True))
        coordinate = [u for u in UNITS if u not in leads][: draw(st.integers(0, 2))]
        for role, codes in (("lead", leads), ("coordinate", coordinate)):
            for code in codes:
                for k in range(draw(st.integers(1, 3))):
                    due = date(2026, 3 + 2 * k, 1) + timedelta(days=draw(st.integers(0, 120)))
                    reports = []
                    for _ in range(draw(st.integers(0, 3))):
                        day = date(2026, 1, 5) + timedelta(days=draw(st.integers(0, 160)))
                        status, review = draw(st.sampled_from(STATUSES)), draw(st.sampled_from(REVIEWS))
                        percent = 50 if status == "in_progress" else None
                        reports.append(
                            ReportRow(next_id, Status(status), percent, None, None, None, _at(day, 9), _review(review))
                        )
                        next_id += 1
                    last, completing, blocked = reduce_history(reports, checkin, since)
                    extended = due + timedelta(days=draw(st.integers(1, 30))) if draw(st.booleans()) else None
                    states.append(
                        AssignmentState(
                            assignment_id=next_id,
                            task_stt=stt,
                            unit_code=code,
                            role=AssignmentRole(role),
                            occurrence_key=f"2026-{due.month:02d}" if checkin else "once",
                            start=due - timedelta(days=30),
                            due=due,
                            checkin=checkin,
                            last=last,
                            completing=completing,
                            last_blocked=blocked,
                            extended_due=extended,
                        )
                    )
                    next_id += 1
    return ReportingSnapshot(
        ward_name="Phường Thử Nghiệm",
        plan_code=PLAN.code,
        cutoff=_at(CUTOFF, 23),
        since=since,
        tasks=tuple(tasks),
        units=tuple(UnitRow(u.code, u.name) for u in PLAN.units.values()),
        assignments=tuple(states),
    )


def _standing(plan: Plan, snapshot: ReportingSnapshot) -> PlanStanding:
    return classify_plan(plan, snapshot, cycle_window(plan.cycles[0], 2026), CUTOFF)


def summary_pairs(text: str, label: str) -> set[tuple[str, str]]:
    """The (task label, unit) pairs `/summary` shows in class `label` under THEO NHIỆM VỤ."""
    pairs, task = set(), ""
    body = text.split("THEO NHIỆM VỤ", 1)[1].split("THEO ĐƠN VỊ", 1)[0]
    for line in body.splitlines():
        if m := re.match(r"^(\S+)\. ", line):
            task = m[1]
        elif (m := re.match(r"^   (\S+): (.*)$", line)) and m[2].startswith(label):
            pairs.add((task, m[1]))
    return pairs


def overdue_pairs(text: str) -> set[tuple[str, str]]:
    return {(m[1], m[2]) for line in text.splitlines()[1:] if (m := re.match(r"^(\S+)\. (\S+): ", line))}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_overdue_lists_exactly_what_the_summary_counts_overdue(snapshot: ReportingSnapshot) -> None:
    standing = _standing(PLAN, snapshot)
    summary = summary_text(standing, CALENDAR)
    overdue = overdue_list(standing, CALENDAR)
    listed = overdue_pairs(overdue)
    counted = int(re.search(rf"• {CLASS_LABELS['overdue']}: (\d+) ", summary)[1])  # type: ignore[index]
    assert listed == summary_pairs(summary, CLASS_LABELS["overdue"])
    assert len(listed) == counted == (len(overdue.splitlines()) - 1 if counted else 0)
    # The list is in the plan's order of tasks, each task's lead units in the plan's order.
    in_order = [line.split(". ", 1)[0] for line in overdue.splitlines()[1:]]
    assert in_order == [u.task_label for u in standing.overdue()]
    # The digest names the same pairs under "QUÁ HẠN".
    digest = digest_text(standing, standing, CALENDAR)
    section = digest.split("2. QUÁ HẠN VÀ VƯỚNG MẮC", 1)[1].split("3. ĐẾN HẠN", 1)[0]
    in_digest = {(m[1], m[2]) for m in re.finditer(r"• NV (\S+) — ([^:]+): quá hạn", section)}
    names = {u.code: u.name for u in PLAN.units.values()}
    assert in_digest == {(label, names[code]) for label, code in listed}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_a_done_awaiting_confirmation_is_open_everywhere(snapshot: ReportingSnapshot) -> None:
    standing = _standing(PLAN, snapshot)
    summary = summary_text(standing, CALENDAR)
    overdue = overdue_list(standing, CALENDAR)
    rows = {r.cells[0]: r for r in appendix_rows(Report(PLAN, standing, CALENDAR, CUTOFF)) if not r.is_section}
    ratings = {r.code: r for r in rate_units(standing)}
    done_words = (CLASS_LABELS["done_on_time"], CLASS_LABELS["done_late"])
    for u in standing.leads():
        if u.marker != "awaiting_confirmation":
            continue
        assert u.standing in ("in_term", "overdue")
        pair = (u.task_label, u.unit_code)
        assert pair not in summary_pairs(summary, done_words[0]) | summary_pairs(summary, done_words[1])
        assert (pair in overdue_pairs(overdue)) == (u.standing == "overdue")
        if pair in overdue_pairs(overdue):
            assert "(chờ xác nhận)" in next(
                line for line in overdue.splitlines() if line.startswith(f"{pair[0]}. {pair[1]}:")
            )
        row = rows[u.task_label]
        assert "chờ xác nhận" in row.cells[6]
        if len([x for x in standing.leads() if x.task_label == u.task_label]) == 1:
            assert not row.cells[6].startswith(done_words) and row.cells[7] == ""
        # The rating does not mark it done either: overdue counts 0, within the deadline unmarked.
        for o in u.occurrences:
            if o.marker == "awaiting_confirmation":
                mark = period_mark(o, standing.rating)
                if o.standing == "overdue":
                    assert mark is not None and (mark.why, mark.mark) == ("overdue", 0.0)
                else:
                    assert mark is None
        assert u.unit_code in ratings


def test_summary_and_overdue_of_one_moment_agree_on_a_done_awaiting_confirmation() -> None:
    """The issue's 25/06 case: a unit said done past its deadline; the office has not
    confirmed it. /summary counts it overdue, "chờ xác nhận"; /overdue lists it the same."""
    since = datetime.combine(date(2025, 12, 15), time(0), tzinfo=VN_ZONE)
    said = ReportRow(1, Status.DONE, None, None, "2 xong", "Lê Văn A", _at(date(2026, 6, 12), 9), Review.PENDING)
    snapshot = ReportingSnapshot(
        "Phường Thử Nghiệm",
        PLAN.code,
        _at(CUTOFF, 23),
        since,
        (TaskRow(2, "Rà soát quy chế làm việc", "Quy chế", "Quý I/2026", DeadlineKind.ONCE, None),),
        tuple(UnitRow(u.code, u.name) for u in PLAN.units.values()),
        (AssignmentState(7, 2, "VP", AssignmentRole.LEAD, "once", None, date(2026, 3, 31), False, said, said, None),),
    )
    standing = _standing(PLAN, snapshot)
    summary, overdue = summary_text(standing, CALENDAR), overdue_list(standing, CALENDAR)
    assert "• Quá hạn chưa hoàn thành: 1 (100,0%)" in summary
    assert "   VP: Quá hạn chưa hoàn thành, hạn 31/03/2026 (chờ xác nhận)" in summary
    assert overdue.splitlines() == [
        "NHIỆM VỤ QUÁ HẠN — ngày 14/06/2026: 1 lượt chủ trì",
        "2. VP: hạn 31/03/2026 (chờ xác nhận)",
    ]


def test_labels_sort_naturally() -> None:
    assert sorted(["10", "2", "19", "9", "1"], key=natural_key) == ["1", "2", "9", "10", "19"]
    labels = ["II.10", "II.3", "IX.1", "IV.2", "I.1", "II.1.b", "II.1.a", "V.1"]
    assert sorted(labels, key=natural_key) == ["I.1", "II.1.a", "II.1.b", "II.3", "II.10", "IV.2", "V.1", "IX.1"]


def _one_day_snapshot(labels: list[str], due: date) -> ReportingSnapshot:
    since = datetime.combine(date(2025, 12, 15), time(0), tzinfo=VN_ZONE)
    tasks = tuple(
        TaskRow(i, f"Nhiệm vụ {label}", "", "", DeadlineKind.ONCE, None, label=label)
        for i, label in enumerate(labels, 1)
    )
    states = tuple(
        AssignmentState(i, i, "VP", AssignmentRole.LEAD, "once", None, due, False, None, None, None)
        for i in range(1, len(labels) + 1)
    )
    units = tuple(UnitRow(u.code, u.name) for u in PLAN.units.values())
    return ReportingSnapshot("Phường Thử Nghiệm", PLAN.code, _at(CUTOFF, 23), since, tasks, units, states)


def test_the_digest_lists_what_falls_due_in_natural_order() -> None:
    """Issue 24: "ĐẾN HẠN TRONG 2 TUẦN TỚI" was sorted as text (NV 10…19, then 2…9)."""
    standing = _standing(PLAN, _one_day_snapshot(["2", "10", "19", "9"], CUTOFF + timedelta(days=3)))
    digest = digest_text(standing, standing, CALENDAR)
    coming = digest.split("ĐẾN HẠN TRONG 2 TUẦN TỚI", 1)[1].split("4. ", 1)[0]
    assert re.findall(r"• NV (\S+) —", coming) == ["2", "9", "10", "19"]
