"""A first semester of a small plan, built with a driven clock through the real write path
(`record_status`, raw messages kept): the history the report tests judge at three cut-offs.

Expected classes (C1 = 15/3, C2 = 15/5, C3 = 14/6/2026; six-month window 15/12/2025–14/6/2026):

| task × lead             | C1                 | C2            | C3            |
|-------------------------|--------------------|---------------|---------------|
| 1 VHXH (due 9/3)        | on time (9/3 23:00)| on time       | on time       |
| 2 VP (due 31/3)         | in term            | late (1/4 6:00| late          |
| 3 TTPVHCC (due 29/4)    | in term            | overdue, vướng| overdue       |
| 4 KTHTDT (due 31/5)     | in term            | in term       | overdue       |
| 5 VHXH ongoing, monthly | in term            | overdue (Mar) | overdue       |
| 6 TTPVHCC 24th monthly  | in term            | late (Mar)    | in term (Jun) |
| 7 KTHTDT conditional    | waiting (live)     | in term       | late (5/6)    |
| 8 KTHTDT (due 30/6)     | in term            | not applicable| not applicable|
| 9 VP (due 14/5)         | in term            | on time       | on time       |
| 9 TTPVHCC (due 14/5)    | in term            | overdue       | overdue       |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from bot.actions.people import create_person
from bot.actions.status import record_status
from bot.actions.tasks import activate_task
from bot.context import AppContext
from bot.reading.replies import parse_reply
from bot.report import build_standing
from scheduler.clock import ManualClock
from scheduler.plan import Plan, parse_plan
from scheduler.planner import plan_ward
from scheduler.standing import PlanStanding
from scheduler.windows import ReportWindow, cycle_window
from scheduler.workcal import VN_ZONE
from store.inbound import store_inbound
from store.models import Assignment, Occurrence, Task, Unit

PLAN_YAML = """
plan:
  code: "99/KH-UBND"
  title: "Kế hoạch thử nghiệm theo dõi nhiệm vụ năm 2026"
  ward: "Phường Thử Nghiệm"
  issued: 2026-01-05
  coordinating_unit: VHXH
units:
  - {code: VHXH, name: "Phòng Văn hóa - Xã hội"}
  - {code: VP, name: "Văn phòng HĐND và UBND phường"}
  - {code: TTPVHCC, name: "Trung tâm Phục vụ hành chính công phường"}
  - {code: KTHTDT, name: "Phòng Kinh tế, Hạ tầng và Đô thị"}
reporting:
  compiled_by: VHXH
  cycles:
    - {code: six_month, name: "Báo cáo 6 tháng", due: "Trước ngày 10 tháng 6 hằng năm",
       period_start: "15/12", period_start_previous_year: true, period_end: "14/6"}
    - {code: yearly, name: "Báo cáo năm", due: "Trước ngày 10 tháng 12 hằng năm",
       period_start: "15/12", period_start_previous_year: true, period_end: "14/12"}
targets:
  - {code: online_share, name: "Tỷ lệ hội nghị trực tuyến", comparator: ">=", value: 60, unit: "%", tasks: [9]}
  - {code: doc_cut, name: "Cắt giảm văn bản hành chính", comparator: ">=", value: 15, unit: "%/năm", tasks: [2]}
tasks:
  - {stt: 1, content: "Ban hành kế hoạch triển khai", lead: [VHXH], coordinate: [VP],
     product: "Kế hoạch", deadline: "Trước 10/3/2026"}
  - {stt: 2, content: "Rà soát quy chế làm việc", lead: [VP], product: "Quy chế", deadline: "Quý I/2026"}
  - {stt: 3, content: "Nâng cấp hệ thống một cửa", lead: [TTPVHCC], product: "Hệ thống", deadline: "Trước 30/4/2026"}
  - {stt: 4, content: "Chỉnh trang vỉa hè tuyến chính", lead: [KTHTDT], product: "Báo cáo", deadline: "Tháng 5/2026"}
  - {stt: 5, content: "Tuyên truyền trên Cổng thông tin", lead: [VHXH], coordinate: [TTPVHCC],
     product: "Tin bài", deadline: "Thường xuyên"}
  - {stt: 6, content: "Báo cáo tình hình giải quyết thủ tục", lead: [TTPVHCC], product: "Báo cáo tháng",
     deadline: "Trước ngày 25 hằng tháng"}
  - {stt: 7, content: "Thí điểm trợ lý ảo", lead: [KTHTDT], deadline: "Sau khi có hướng dẫn của thành phố"}
  - {stt: 8, content: "Di dời chợ tạm", lead: [KTHTDT], product: "Quyết định", deadline: "Quý II/2026"}
  - {stt: 9, content: "Tổ chức hội nghị trực tuyến", lead: [VP, TTPVHCC], product: "Báo cáo",
     deadline: "Trước 15/5/2026"}
"""

C1, C2, C3 = date(2026, 3, 15), date(2026, 5, 15), date(2026, 6, 14)

EXPECTED: dict[date, dict[tuple[int, str], str]] = {
    C1: {
        (1, "VHXH"): "done_on_time",
        (2, "VP"): "in_term",
        (3, "TTPVHCC"): "in_term",
        (4, "KTHTDT"): "in_term",
        (5, "VHXH"): "in_term",
        (6, "TTPVHCC"): "in_term",
        (7, "KTHTDT"): "waiting",
        (8, "KTHTDT"): "in_term",
        (9, "VP"): "in_term",
        (9, "TTPVHCC"): "in_term",
    },
    C2: {
        (1, "VHXH"): "done_on_time",
        (2, "VP"): "done_late",
        (3, "TTPVHCC"): "overdue",
        (4, "KTHTDT"): "in_term",
        (5, "VHXH"): "overdue",
        (6, "TTPVHCC"): "done_late",
        (7, "KTHTDT"): "in_term",
        (8, "KTHTDT"): "not_applicable",
        (9, "VP"): "done_on_time",
        (9, "TTPVHCC"): "overdue",
    },
    C3: {
        (1, "VHXH"): "done_on_time",
        (2, "VP"): "done_late",
        (3, "TTPVHCC"): "overdue",
        (4, "KTHTDT"): "overdue",
        (5, "VHXH"): "overdue",
        (6, "TTPVHCC"): "in_term",
        (7, "KTHTDT"): "done_late",
        (8, "KTHTDT"): "not_applicable",
        (9, "VP"): "done_on_time",
        (9, "TTPVHCC"): "overdue",
    },
}


def semester_plan() -> Plan:
    return parse_plan(PLAN_YAML, "<semester>")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_ZONE)


def six_month(plan: Plan) -> ReportWindow:
    return cycle_window(plan.cycles[0], 2026)


@dataclass
class Semester:
    ctx: AppContext
    clock: ManualClock
    people: dict[str, int] = field(default_factory=dict)
    live_c1: PlanStanding | None = None
    _n: int = 0

    async def at(self, when: str) -> None:
        """Move the clock and let the daily planner catch up (new check-in periods)."""
        self.clock.current = local(when)
        async with self.ctx.db.session() as s, s.begin():
            await plan_ward(s, self.ctx.settings.ward, self.ctx.plan, self.ctx.calendar, self.clock.now())

    async def report(self, when: str, stt: int, unit: str, text: str, key: str | None = None) -> None:
        """`unit`'s head says `text` about task `stt` (occurrence `key`, else the latest started)."""
        await self.at(when)
        self._n += 1
        now = self.clock.now()
        async with self.ctx.db.session() as s, s.begin():
            stmt = (
                select(Assignment.id, Occurrence.key)
                .join(Occurrence, Assignment.occurrence_id == Occurrence.id)
                .join(Task, Occurrence.task_id == Task.id)
                .join(Unit, Unit.id == Assignment.unit_id)
                .where(Task.ward_id == self.ctx.ward_id, Task.stt == stt, Unit.code == unit)
                .order_by(Occurrence.due)
            )
            rows = [(aid, k) for aid, k in (await s.execute(stmt)).all()]
            if key is not None:
                rows = [r for r in rows if r[1] == key]
            assert rows, (stt, unit, key)
            inbound = await store_inbound(
                s,
                {
                    "channel": "console",
                    "chat_id": f"{unit}-head",
                    "message_id": f"sem{self._n}",
                    "text": text,
                    "received_at": now,
                    "sent_at": now,
                },
            )
            await record_status(s, rows[0][0], self.people[unit], inbound, parse_reply(text), now)

    async def standing(self, cutoff: date, window: ReportWindow | None = None) -> PlanStanding:
        window = window or six_month(self.ctx.plan)
        async with self.ctx.db.session() as s:
            return await build_standing(s, self.ctx.plan, self.ctx.ward_id, window, cutoff, self.ctx.calendar)


async def build_semester(ctx: AppContext, clock: ManualClock) -> Semester:
    sem = Semester(ctx, clock)
    async with ctx.db.session() as s, s.begin():
        for code, name in (
            ("VHXH", "Nguyễn Thị Lan"),
            ("VP", "Trần Văn Bình"),
            ("TTPVHCC", "Lê Minh Châu"),
            ("KTHTDT", "Phạm Quốc Dũng"),
        ):
            sem.people[code] = (await create_person(s, ctx.ward_id, name, "head", code, clock.now())).id
    await sem.report("2026-01-20T09:00", 5, "VHXH", "đang triển khai", "2026-01")
    await sem.report("2026-01-20T10:00", 6, "TTPVHCC", "đã gửi báo cáo tháng 1", "2026-01")
    await sem.report("2026-02-20T09:00", 6, "TTPVHCC", "xong", "2026-02")
    await sem.report("2026-03-03T10:00", 5, "VHXH", "đang làm", "2026-02")  # February's, answered late
    await sem.report("2026-03-09T23:00", 1, "VHXH", "đã ban hành KH số 12/KH-VHXH")  # due day, 23:00 local
    await sem.at("2026-03-15T17:00")
    sem.live_c1 = await sem.standing(C1)  # before task 7 is activated
    await sem.report("2026-03-20T09:00", 2, "VP", "đang làm 40%")
    await sem.report("2026-03-26T09:00", 6, "TTPVHCC", "hoàn thành", "2026-03")  # due 24/3
    await sem.report("2026-04-01T06:00", 2, "VP", "xong rồi")  # 31/3 23:00 UTC: late by the local day
    await sem.report("2026-04-10T09:00", 8, "KTHTDT", "không phát sinh")
    await sem.report("2026-04-20T09:00", 3, "TTPVHCC", "vướng: chưa có kinh phí nâng cấp")
    await sem.report("2026-04-20T10:00", 6, "TTPVHCC", "xong", "2026-04")
    await sem.report("2026-04-25T09:00", 5, "VHXH", "đang triển khai", "2026-04")
    await sem.at("2026-05-01T08:00")
    async with ctx.db.session() as s, s.begin():
        await activate_task(s, ctx.ward_id, 7, date(2026, 5, 31))
    await sem.report("2026-05-10T09:00", 6, "TTPVHCC", "xong", "2026-05")
    await sem.report("2026-05-10T10:00", 9, "TTPVHCC", "đang làm 50%")
    await sem.report("2026-05-12T09:00", 9, "VP", "đã xong")
    await sem.report("2026-05-28T09:00", 5, "VHXH", "đang thực hiện", "2026-05")
    await sem.report("2026-06-05T09:00", 7, "KTHTDT", "đã xong")
    await sem.at("2026-06-15T08:00")
    return sem
