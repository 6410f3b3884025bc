"""The plan file's schema: what a ward may write in `data/tasks.yaml`, checked by pydantic.

Each field's own rules live here (widths of the database columns it ends up in, ranges of
working days, the shapes of an STT or a section label); what needs the whole file (unit
names, groups, task references) is checked when the plan is resolved (scheduler.plan.resolve).
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from scheduler.periods import Freq
from scheduler.plan.ids import ID_HELP, ID_TEXT
from scheduler.rating_rules import RatingRules


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitSpec(_Strict):
    # Widths of the database columns (units.code, units.name).
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    aliases: list[str] = []
    # How the texts address the unit's head ("Chủ tịch UBND phường"); derived from the name
    # when absent (scheduler.titles).
    head_title: str | None = Field(default=None, min_length=1, max_length=120)
    # Reminders of this unit also go to its deputies (cấp phó, đầu mối), not only to its head.
    remind_deputies: bool | None = None


class GroupSpec(UnitSpec):
    # An empty membership is allowed so that a drafted plan can name a group the plan uses
    # ("Các Sở, ban, ngành") before the office knows its members; a task whose only lead is
    # such a group is still an error (nobody would be reminded).
    members: list[str] = []


# About a year of working days: the furthest a reminder may sit from its due day. The
# planner walks the working calendar day by day, and occurrences are expanded this far
# ahead, so a larger figure would stall every tick rather than remind anybody.
MAX_WORKING_DAYS = 250
# Plan and deadline years the calendar and the database can hold; a year outside is a typo.
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_STT = 9999  # tasks.stt is a 32-bit integer column; no appendix has more than a few hundred rows


class PolicySpec(_Strict):
    before_working_days: list[int] | None = Field(default=None, max_length=10)
    on_due: bool | None = None
    overdue_backoff_working_days: list[int] | None = Field(default=None, min_length=1, max_length=20)
    overdue_every_working_days: int | None = Field(default=None, ge=1, le=MAX_WORKING_DAYS)
    escalate_after_working_days: int | None = Field(default=None, ge=0, le=MAX_WORKING_DAYS)
    send_time: time | None = None
    checkin: Freq | None = None
    checkin_before_working_days: int | None = Field(default=None, ge=0, le=MAX_WORKING_DAYS)
    checkin_coordinators: bool | None = None

    @field_validator("before_working_days")
    @classmethod
    def _positive(cls, v: list[int] | None) -> list[int] | None:
        if v is not None and any(x <= 0 for x in v):
            raise ValueError("số ngày làm việc trước hạn phải lớn hơn 0")
        if v is not None and any(x > MAX_WORKING_DAYS for x in v):
            big = max(v)
            raise ValueError(f"số ngày làm việc trước hạn phải nhỏ hơn hoặc bằng {MAX_WORKING_DAYS} (đang ghi {big})")
        return v

    @field_validator("overdue_backoff_working_days")
    @classmethod
    def _gaps(cls, v: list[int] | None) -> list[int] | None:
        if v is not None and any(x <= 0 for x in v):
            raise ValueError("khoảng cách giữa hai lần nhắc quá hạn phải lớn hơn 0 ngày làm việc")
        if v is not None and any(x > MAX_WORKING_DAYS for x in v):
            raise ValueError(
                f"khoảng cách giữa hai lần nhắc quá hạn phải nhỏ hơn hoặc bằng {MAX_WORKING_DAYS} ngày làm việc"
            )
        return v


# A task number as printed: 3, "a" (a sub-task under 1), "1.2" or a Roman numeral.
_STT_TEXT = re.compile(r"^(?:[A-Za-zĐđ]|[IVXLivxl]{1,6}|\d{1,3}(?:\.\d{1,3})*)$")
_LABEL_TEXT = re.compile(r"^(?:[A-Za-zĐđ]|[IVXLivxl]{1,6}|\d{1,3})(?:\.(?:[A-Za-zĐđ]|[IVXLivxl]{1,6}|\d{1,3}))*$")
_STT_HELP = "STT phải là số (1, 2…), một chữ cái (a, b…), số La Mã (I, II…) hoặc dạng 1.2"


def _stt_value(v: Any) -> int | str:
    if isinstance(v, bool):
        raise ValueError(_STT_HELP)
    if isinstance(v, int):
        if v < 1:
            raise ValueError("STT phải lớn hơn hoặc bằng 1")
        if v > MAX_STT:
            raise ValueError(f"STT phải nhỏ hơn hoặc bằng {MAX_STT} (đang ghi {v})")
        return v
    if isinstance(v, str):
        text = v.strip().rstrip(".)")
        if text.isascii() and text.isdigit():
            return _stt_value(int(text) if len(text) <= 9 else MAX_STT + 1)
        if _STT_TEXT.match(text):
            return text
    raise ValueError(_STT_HELP)


class SectionSpec(_Strict):
    """A heading of the appendix ("II", "II.1") that groups tasks; never a task itself."""

    label: str
    title: str = ""

    @field_validator("label", mode="before")
    @classmethod
    def _label(cls, v: Any) -> str:
        text = str(v).strip() if isinstance(v, str | int) and not isinstance(v, bool) else ""
        if len(text) > LABEL_MAX or not _LABEL_TEXT.match(text):
            raise ValueError('nhãn mục phải có dạng "II", "II.1" hoặc "A"')
        return text


class TaskSpec(_Strict):
    # The task's identity (scheduler.plan.ids): reports, evidence, extensions and reminders
    # stay with it whatever its number or place; derived from the content when absent.
    id: str | None = None
    stt: int | str
    section: str | None = None
    content: str
    lead: list[str]
    coordinate: list[str] = []
    product: str | None = ""
    deadline: str
    # A year written in the deadline column's header ("Thời gian (Năm 2026)"): the plan
    # year for this cell only; the cell itself keeps the plan's wording in `deadline`.
    deadline_year: int | None = Field(default=None, ge=MIN_YEAR, le=MAX_YEAR)
    # Columns of the appendix that are not part of the model ("Ghi chú", "Theo dõi, đôn
    # đốc"): header → text, kept so that importing a plan loses nothing.
    notes: dict[str, str] = {}
    reminders: PolicySpec | None = None

    @field_validator("stt", mode="before")
    @classmethod
    def _stt(cls, v: Any) -> int | str:
        return _stt_value(v)

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> str | None:
        if v is None:
            return None
        text = str(v).strip() if isinstance(v, str | int) and not isinstance(v, bool) else ""
        if not ID_TEXT.match(text):
            raise ValueError(ID_HELP)
        return text

    @field_validator("section", mode="before")
    @classmethod
    def _section(cls, v: Any) -> str | None:
        if v is None:
            return None
        return SectionSpec._label(v)

    @field_validator("content")
    @classmethod
    def _content(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("nội dung công việc đang để trống")
        return " ".join(v.split())

    @field_validator("lead")
    @classmethod
    def _lead(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("thiếu cơ quan chủ trì")
        return v


# The width of tasks.label: a label longer than this cannot be kept.
LABEL_MAX = 32


_DAY_MONTH = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*$")


class CycleSpec(_Strict):
    code: str
    name: str
    due: str
    period_start: str
    period_start_previous_year: bool = False
    period_end: str

    @field_validator("period_start", "period_end")
    @classmethod
    def _day_month(cls, v: str) -> str:
        m = _DAY_MONTH.match(v)
        if not m:
            raise ValueError("phải có dạng ngày/tháng, ví dụ 15/12")
        date(2024, int(m[2]), int(m[1]))  # raises ValueError on 31/2 or month 13
        return v


class ReportingSpec(_Strict):
    compiled_by: str
    recipient: str = ""
    # What the bot does before each cycle's due date, in working days before it (null: not at
    # all): ask every unit with work for its state, and remind the compiling unit, files attached.
    sweep_before_working_days: int | None = Field(default=10, ge=0, le=60)
    report_due_before_working_days: int | None = Field(default=3, ge=0, le=60)
    cycles: list[CycleSpec] = []


class TargetSpec(_Strict):
    code: str
    name: str
    comparator: Literal[">=", "<=", "="]
    value: float
    unit: str = ""
    tasks: list[int | str] = []  # task labels; a plan without sections may use its STT numbers
    # What units report for it (/chitieu KEY SỐ …), each figure under a short key:
    # value: the figure itself (key `figure`, default the target's code);
    # share: `part` out of `total`, in percent (8 of 12 → 66.7%);
    # reduction: the fall of `figure` against the previous year, in percent — the previous
    # year is `baseline` (one number, or per unit code) or the unit's figure a year earlier.
    measure: Literal["value", "share", "reduction"] = "value"
    figure: str | None = None
    part: str | None = None
    total: str | None = None
    baseline: float | dict[str, float] | None = None
    labels: dict[str, str] = {}  # key → what it counts, as /chitieu asks for it
    units: list[str] = []  # who reports it; default: the lead units of its tasks


_EMPTY_PLAN_FIELD = {
    "code": 'chưa ghi số kế hoạch: điền plan.code theo số trên văn bản, ví dụ "158/KH-UBND"',
    "ward": 'chưa ghi tên phường/xã dùng kế hoạch: điền plan.ward, ví dụ "Phường Nhị Chiểu"',
}


class PlanInfo(_Strict):
    code: str = Field(max_length=100)  # wards.plan_code
    title: str
    ward: str = Field(max_length=200)  # wards.name
    issued: date
    # The year deadlines without a year belong to, when it is not the year of issue (a plan
    # signed in December for the next year).
    year: int | None = Field(default=None, ge=MIN_YEAR, le=MAX_YEAR)
    signed_by: str | None = None
    coordinating_unit: str
    # Every unit's reminders also go to its deputies (a unit may say otherwise).
    remind_deputies: bool = False
    # A done task with its product counts as done only once the office confirms it
    # (/xacnhan); false: it counts when the unit reports it.
    confirm_done: bool = True
    # Periods that fell due before this day are neither nagged nor counted overdue.
    tracking_from: date | None = None

    @field_validator("code", "ward")
    @classmethod
    def _filled(cls, v: str, info: ValidationInfo) -> str:
        # An empty ward or number runs as "Nhắc việc — , kế hoạch ." in every message.
        if not v.strip():
            raise ValueError(_EMPTY_PLAN_FIELD[str(info.field_name)])
        return v

    @field_validator("issued")
    @classmethod
    def _issued(cls, v: date) -> date:
        if not MIN_YEAR <= v.year <= MAX_YEAR:
            raise ValueError(f"năm ban hành phải từ {MIN_YEAR} đến {MAX_YEAR} (đang ghi {v.isoformat()})")
        return v


class PlanFile(_Strict):
    plan: PlanInfo
    sections: list[SectionSpec] = []
    units: list[UnitSpec] = Field(min_length=1)
    groups: list[GroupSpec] = []
    reminders: PolicySpec = PolicySpec()
    reporting: ReportingSpec | None = None
    targets: list[TargetSpec] = []
    rating: RatingRules = RatingRules()
    tasks: list[TaskSpec] = Field(min_length=1)


def day_month(text: str) -> tuple[int, int]:
    """(day, month) of a "15/12" that CycleSpec accepted."""
    m = _DAY_MONTH.match(text)
    assert m is not None  # validated by CycleSpec
    return int(m[1]), int(m[2])
