"""`nhacviec import`: a ward's plan (.docx, .xlsx, .doc, .odt) → a draft `tasks.yaml` and a report.

The pipeline, one module per step: `sources` reads the file into plain grids and body
lines, `headers` finds the task tables, `rows` turns their rows into sections and tasks,
`units` proposes unit and group declarations, `metadata` reads the plan's number, date and
signer, `yaml_writer` writes the draft and `report` says in Vietnamese what was found.
"""

from bot.importer.model import ImportFailure, ImportResult
from bot.importer.pipeline import import_plan
from bot.importer.report import render_report

__all__ = ["ImportFailure", "ImportResult", "import_plan", "render_report"]
