"""`nhacviec import`: a ward's plan (.docx, .xlsx, .doc, .odt) → a draft `tasks.yaml` and a report.

The pipeline, one module per step: `sources` reads the file into plain grids and body
lines, `headers` finds the task tables, `rows` turns their rows into sections and tasks,
`units` proposes unit and group declarations, `metadata` reads the plan's number, date and
signer, `yaml_writer` writes the draft and `report` says in Vietnamese what was found.
`prose` reads plans written as numbered items closed by field lines ("- Đơn vị chủ trì: …"),
and `questions` gathers what only the clerk can decide (`ImportQuestion`: kind, task, field,
where, text, choices) — `draft_plan(path, today=…)` returns them with the draft's text, for
the desk; `import_plan` also writes the draft.
"""

from bot.importer.model import ImportFailure, ImportQuestion, ImportResult
from bot.importer.pipeline import draft_plan, import_plan
from bot.importer.report import render_report

__all__ = ["ImportFailure", "ImportQuestion", "ImportResult", "draft_plan", "import_plan", "render_report"]
