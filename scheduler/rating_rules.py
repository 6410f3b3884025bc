"""The rules units are rated by (plan setting `rating:`), documented in docs/rating.md.

Apart from the formula (scheduler/rating.py) so the plan model can hold them without
importing the standing, which imports the plan.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The four grades of Nghị định 90/2020/NĐ-CP (đánh giá, xếp loại chất lượng), best first;
# their words are bot.report.wording.GRADE_LABELS.
Grade = Literal["excellent", "good", "pass", "fail"]
GRADES: tuple[Grade, ...] = ("excellent", "good", "pass", "fail")


class RatingRules(BaseModel):
    """Defaults follow common practice of provincial task tracking: the lead unit answers
    for a task in full, a coordinating unit shares its result at a lower weight; done on time
    earns full marks, done late loses marks by the days of delay (never below a floor: the
    work was done), overdue and a product returned by the office and not yet redone earn
    none."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lead_weight: float = Field(default=1.0, ge=0, le=10)
    coordinate_weight: float = Field(default=0.3, ge=0, le=10)
    late_per_day: float = Field(default=0.05, ge=0, le=1)  # marks lost per day of delay
    late_floor: float = Field(default=0.5, ge=0, le=1)  # what late work keeps at least
    excellent_from: float = Field(default=90, ge=0, le=100)  # score (0–100) for each grade
    good_from: float = Field(default=70, ge=0, le=100)
    pass_from: float = Field(default=50, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> RatingRules:
        if not self.excellent_from >= self.good_from >= self.pass_from:
            raise ValueError("ngưỡng xếp loại phải giảm dần: excellent_from ≥ good_from ≥ pass_from")
        return self

    def grade(self, score: float) -> Grade:
        for threshold, grade in zip((self.excellent_from, self.good_from, self.pass_from), GRADES, strict=False):
            if score >= threshold:
                return grade
        return "fail"

    def late_mark(self, days_late: int) -> float:
        return max(self.late_floor, 1.0 - self.late_per_day * max(days_late, 0))
