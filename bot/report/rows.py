"""The report's content as text cells, built once for the workbook and the .docx alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.texts.common import cycle_title, vn_date
from bot.texts.extensions import due_phrase
from bot.texts.report import (
    CLASS_LABELS,
    data_period,
    percent_text,
    period_label,
    quoted,
    reason,
    report_line,
    report_words,
)
from bot.texts.review import MARKER_LABELS
from scheduler.plan import Plan
from scheduler.standing import FOUR, PlanStanding, Standing, TargetFigure, TaskStanding, UnitStanding, share
from scheduler.workcal import WorkingCalendar


@dataclass(frozen=True)
class Report:
    """Everything one export is made from."""

    plan: Plan
    standing: PlanStanding
    calendar: WorkingCalendar
    produced_on: date
    figures: Sequence[TargetFigure] = field(default_factory=tuple)

    def unit_name(self, code: str) -> str:
        unit = self.plan.units.get(code)
        if unit is not None:
            return unit.name
        activity = self.standing.units.get(code)
        return activity.name if activity else code

    def title_lines(self) -> list[str]:
        """Plan number and title, ward, data period, date produced — atop every sheet."""
        w = self.standing.window
        period = data_period(w)
        if w.cycle_name:
            period = f"{cycle_title(w.cycle_name, w.year or w.end.year)}. {period}"
        cutoff = f" (tình trạng tính đến ngày {vn_date(self.standing.cutoff)})" if self.standing.cutoff < w.end else ""
        return [
            f"Kế hoạch số {self.standing.plan_code}: {self.plan.title}",
            self.standing.ward_name,
            period + cutoff,
            f"Ngày lập: {vn_date(self.produced_on)}",
        ]

    def due_text(self, due: date) -> str:
        """The last working day on or before the due day, as the reminders show it."""
        return vn_date(self.calendar.on_or_before(due))


APPENDIX_HEADERS = (
    "STT",
    "Nội dung công việc",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Sản phẩm/Kết quả",
    "Thời hạn",
    "Tình trạng",
    "Ngày hoàn thành",
    "Kết quả/sản phẩm đã báo cáo",
    "Báo cáo gần nhất",
    "Khó khăn, vướng mắc",
)


@dataclass(frozen=True)
class AppendixRow:
    standing: Standing | None  # None on a section heading ("II", "Cải cách hành chính")
    cells: tuple[str, ...]  # in the order of APPENDIX_HEADERS
    dated_state: str = ""  # "Tình trạng" with the completion dates in it (the draft's table)

    @property
    def is_section(self) -> bool:
        return self.standing is None


def _prefix(report: Report, t: TaskStanding, u: UnitStanding) -> str:
    return f"{report.unit_name(u.unit_code)}: " if len(t.lead) > 1 else ""


def unit_state(report: Report, u: UnitStanding) -> str:
    """ "Quá hạn chưa hoàn thành (hạn 29/4/2026)", with periods for recurring work."""
    text = CLASS_LABELS[u.standing]
    if u.periodic:
        done, counted = u.periods()
        missed = [period_label(o.key) or vn_date(o.due) for o in u.missing()]
        text += f" (đã báo cáo {done}/{counted} kỳ" + (f"; chưa báo cáo: {', '.join(missed)}" if missed else "") + ")"
    elif u.due is not None and (u.standing in ("in_term", "overdue") or u.extended_due is not None):
        # An approved extension shows beside the plan's deadline, which is never replaced.
        text += f" ({due_phrase(report.calendar.on_or_before(u.due), u.extended_due)})"
    if u.last is not None and u.standing in ("in_term", "overdue") and u.last.percent is not None:
        text += f", đạt {u.last.percent}%"
    if u.marker is not None:
        text += f" ({MARKER_LABELS[u.marker]})"
    return text


def unit_sentence(report: Report, u: UnitStanding) -> str:
    """A unit's state on a task as the draft's narrative says it, in one clause:
    "hoàn thành quá hạn ngày 12/06/2026", "quá hạn chưa hoàn thành (hạn 29/04/2026)"."""
    text = unit_state(report, u)
    if u.completed_on is not None:
        head = CLASS_LABELS[u.standing]
        text = f"{head} ngày {vn_date(u.completed_on)}{text[len(head) :]}"
    return text[:1].lower() + text[1:]


def grouped_states(report: Report, t: TaskStanding, *, dated: bool = False) -> list[str]:
    """The lead units' states, units in the same state named together ("A, B: Đang thực
    hiện trong hạn (hạn 31/12/2026)"); the state alone when every lead unit shares it.
    `dated`: with the day each unit completed ("Hoàn thành quá hạn ngày 07/07/2026")."""
    groups: dict[str, list[str]] = {}
    for u in t.lead:
        state = unit_sentence(report, u) if dated else unit_state(report, u)
        groups.setdefault(state[:1].upper() + state[1:], []).append(report.unit_name(u.unit_code))
    if len(groups) == 1:
        return list(groups)
    return [f"{', '.join(names)}: {state}" for state, names in groups.items()]


def appendix_rows(report: Report) -> list[AppendixRow]:
    rows: list[AppendixRow] = []
    zone = report.calendar.zone
    shown: set[str] = set()
    blank = ("",) * (len(APPENDIX_HEADERS) - 2)
    for t in report.standing.tasks:
        # Section rows as the plan prints them, each once, above the first of its tasks shown.
        spec = report.plan.task(t.task.stt)
        section = t.task.section if t.task.section is not None else (spec.section if spec else None)
        for heading in report.plan.section_path(section):
            if heading.label not in shown:
                shown.add(heading.label)
                rows.append(AppendixRow(standing=None, cells=(heading.label, heading.title, *blank)))
        completed, products, last, blocked = [], [], [], []
        states = grouped_states(report, t)
        for u in t.lead:
            p = _prefix(report, t, u)
            if u.completed_on is not None:
                completed.append(p + vn_date(u.completed_on))
            given = report.standing.products.get((t.task.stt, u.unit_code))
            if given and (u.standing in ("done_on_time", "done_late") or u.marker is not None):
                products.append(p + "; ".join(given))
            elif u.standing in ("done_on_time", "done_late") and u.last is not None and report_words(u.last):
                products.append(p + quoted(report_words(u.last)))
            if u.last is not None:
                last.append(f"{report.unit_name(u.unit_code)} — {report_line(u.last, zone)}")
            if u.blocked is not None:
                blocked.append(
                    f"{report.unit_name(u.unit_code)} ({vn_date(u.blocked.at.astimezone(zone).date())}): "
                    + quoted(reason(u.blocked))
                )
        if all(u.standing == "waiting" for u in t.lead):
            states = [CLASS_LABELS["waiting"]]
        rows.append(
            AppendixRow(
                standing=t.standing,
                cells=(
                    t.task.label,
                    t.task.content,
                    "\n".join(report.unit_name(u.unit_code) for u in t.lead),
                    "\n".join(report.unit_name(c) for c in t.coordinate),
                    t.task.product,
                    t.task.deadline_text,
                    "\n".join(states),
                    "\n".join(completed),
                    "\n".join(products),
                    "\n".join(last) or "Chưa có báo cáo",
                    "\n".join(blocked),
                ),
                dated_state="\n".join(grouped_states(report, t, dated=True)) if t.lead else "",
            )
        )
    return rows


@dataclass(frozen=True)
class CountRow:
    label: str  # "Toàn kế hoạch" or a unit's name
    counts: tuple[int, ...]  # per class of FOUR
    total: int

    def shares(self) -> tuple[float | None, ...]:
        return tuple(share(n, self.total) for n in self.counts)


def count_rows(report: Report) -> tuple[CountRow, list[CountRow]]:
    """Overall and per lead unit, counted in task × lead unit ("lượt chủ trì")."""
    st = report.standing

    def row(label: str, unit: str | None) -> CountRow:
        c = st.counts(unit)
        counts = tuple(c[k] for k in FOUR)
        return CountRow(label, counts, sum(counts))

    return row("Toàn kế hoạch", None), [row(u.name, u.code) for u in st.lead_units()]


def share_cells(row: CountRow) -> list[str]:
    return [percent_text(s) for s in row.shares()]
