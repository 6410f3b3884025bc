"""Plain data passed between the importer's steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal


class ImportFailure(Exception):
    """The file cannot be imported; the message is one Vietnamese line for the office."""


@dataclass(frozen=True)
class Cell:
    """One cell of a grid. `key` is the same object for every grid position a merged cell
    covers (python-docx and openpyxl repeat or blank merged cells; we need to know which)."""

    text: str
    key: object


@dataclass
class Grid:
    """A table as rows of cells, from either a Word table or a spreadsheet."""

    name: str  # "bảng 1", "trang tính “Phụ lục”"
    rows: list[list[Cell]]


@dataclass
class Source:
    """What a file holds: its tables and the text around them, in document order."""

    grids: list[Grid]
    lines: list[str]  # body paragraphs and the text of tables that are not task tables


ROLES = ("stt", "content", "lead", "coordinate", "product", "deadline")


@dataclass
class Column:
    index: int
    role: str  # one of ROLES, or "note"
    header: str  # as printed, whitespace normalised


@dataclass
class TableLayout:
    grid: Grid
    header_row: int
    columns: list[Column]
    deadline_year: int | None = None

    def role(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)

    @property
    def notes(self) -> list[Column]:
        return [c for c in self.columns if c.role == "note"]


@dataclass
class DraftSection:
    label: str
    title: str


@dataclass
class DraftTask:
    stt: int | str
    section: str | None
    content: str
    lead: list[str]
    coordinate: list[str]
    product: str
    deadline: str
    deadline_year: int | None = None
    notes: dict[str, str] = field(default_factory=dict)
    where: str = ""  # "bảng 1, dòng 7" or "đoạn 12" for the report
    # What a lead cell said besides the unit ("Lãnh đạo" in "Lãnh đạo Sở …") or instead of
    # one (a document reference): kept in notes, never turned into a unit.
    lead_written: str = ""
    heading: str = ""  # an unnumbered title just above it in the source, if any

    @property
    def label(self) -> str:
        return f"{self.section}.{self.stt}" if self.section else str(self.stt)


@dataclass
class DraftUnit:
    code: str
    name: str
    aliases: list[str]
    # Spellings merged into this unit and why ("viết tắt", "gần giống"), for the report.
    merged: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class DraftGroup:
    code: str
    name: str
    aliases: list[str]
    members: list[str]  # unit codes; empty when the plan does not say who they are
    all_units: bool  # "Các phòng, đơn vị": every unit of the ward but its People's Committee


QuestionKind = Literal["plan", "content", "lead", "group", "unit", "deadline"]


@dataclass(frozen=True)
class ImportQuestion:
    """Something only the clerk can decide, asked once, with the choices.

    `kind`: "plan" (a plan field such as ward or code), "content" (a task row with no words
    of work), "lead" (a task without a lead unit),
    "group" (a group with no members; `task` lists its tasks), "unit" (a spelling merged on
    a guess; `choices` are the closest known units), "deadline" (an unsure or unknown
    deadline, from `deadline_question`). `where` points into the source ("bảng 1, dòng 7",
    "đoạn 12"); `text` is the question in Vietnamese.
    """

    kind: QuestionKind
    task: str  # the task label ("II.1.a"), the group or unit code, or "" for the plan
    field: str  # the draft's field: "ward", "code", "lead", "members", "aliases", "deadline"
    where: str
    text: str
    choices: tuple[str, ...] = ()
    line: int | None = None  # the line of that field in the YAML draft (1-based)


@dataclass(frozen=True)
class DeadlineRead:
    """A deadline read with words set aside (confidence `read`): listed in the report."""

    task: str
    text: str
    ignored: tuple[str, ...]


@dataclass
class Metadata:
    code: str | None = None
    issued: date | None = None
    place: str | None = None
    issuing_body: str | None = None
    ward: str | None = None
    title: str | None = None
    signer: str | None = None
    signer_role: str | None = None
    body_kind: str | None = None  # "tỉnh", "thành phố", "phường", "xã" … of the issuing body

    @property
    def signed_by(self) -> str | None:
        if self.signer and self.signer_role:
            return f"{self.signer}, {self.signer_role}"
        return self.signer


@dataclass
class ImportResult:
    source_name: str
    out_path: str
    metadata: Metadata
    tables: list[TableLayout]
    sections: list[DraftSection]
    tasks: list[DraftTask]
    units: list[DraftUnit]
    groups: list[DraftGroup]
    coordinating_unit: str
    plan_year: int
    skipped: list[str]  # Vietnamese lines: what was left out and why
    notices: list[str]  # Vietnamese lines: guesses the clerk should check
    check_problems: list[str]  # what `nhacviec check` would still report besides the questions
    questions: list[ImportQuestion] = field(default_factory=list)
    deadlines_read: list[DeadlineRead] = field(default_factory=list)
    shape: str = ""  # "bảng", "văn xuôi" or "cả hai"
    places: list[str] = field(default_factory=list)  # where the tasks were read: "bảng 1", "đoạn 12–40"
    yaml_text: str = ""  # the draft as written to out_path
