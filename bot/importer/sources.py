"""Read a plan file into grids and lines: .docx with python-docx, .xlsx with openpyxl,
.doc/.odt through LibreOffice when it is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

from bot.importer.autonumber import ListNumbers
from bot.importer.model import Cell, Grid, ImportFailure

Block = str | Grid
CONVERTED = {".doc", ".odt", ".rtf"}
SUPPORTED = {".docx", ".xlsx", *CONVERTED}


def read_blocks(path: Path) -> list[Block]:
    """The file's paragraphs and tables in document order."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise ImportFailure(f'Không tìm thấy tệp "{path}".')
    if path.is_dir():
        raise ImportFailure(f'"{path}" là thư mục, không phải tệp kế hoạch.')
    if suffix not in SUPPORTED:
        raise ImportFailure(
            f'Chưa đọc được tệp dạng "{suffix or "không có đuôi"}": hãy dùng tệp Word (.docx, .doc, .odt) '
            "hoặc Excel (.xlsx)."
        )
    if suffix in CONVERTED:
        with tempfile.TemporaryDirectory(prefix="nhacviec-import-") as tmp:
            return _read_docx(_convert_to_docx(path, Path(tmp)), path.name)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    return _read_docx(path, path.name)


# --- Word --------------------------------------------------------------------------------


def _read_docx(path: Path, shown_name: str) -> list[Block]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise ImportFailure(
            f'Không đọc được "{shown_name}": tệp bị hỏng hoặc không phải tệp Word .docx thật '
            "(hãy mở bằng Word và lưu lại thành .docx)."
        ) from None
    blocks: list[Block] = []
    count = 0
    numbers = ListNumbers.of(document)
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            # Word's own list numbers are not in the text: written back, prose items keep them.
            marker = numbers.marker(item)
            blocks.append(marker + item.text if item.text.strip() else item.text)
        elif isinstance(item, Table):
            count += 1
            blocks.append(_docx_grid(item, f"bảng {count}"))
    return blocks


def _docx_grid(table: object, name: str) -> Grid:
    # python-docx hands back the same cell object for every grid position of a merged cell
    # (across and down); the underlying <w:tc> element is what identifies it.
    rows: list[list[Cell]] = []
    for row in table.rows:  # type: ignore[attr-defined]
        rows.append([Cell(text=_clean(cell.text), key=cell._tc) for cell in row.cells])
    return Grid(name=name, rows=rows)


def _clean(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").replace("\v", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


# --- Excel -------------------------------------------------------------------------------


def _read_xlsx(path: Path) -> list[Block]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(str(path), read_only=False, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportFailure(
            f'Không đọc được "{path.name}": tệp bị hỏng hoặc không phải tệp Excel .xlsx thật '
            "(hãy mở bằng Excel và lưu lại thành .xlsx)."
        ) from None
    blocks: list[Block] = []
    for sheet in workbook.worksheets:
        origin: dict[tuple[int, int], tuple[str, int, int]] = {}
        for merged in sheet.merged_cells.ranges:
            key = (sheet.title, merged.min_row, merged.min_col)
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    origin[(r, c)] = key
        rows: list[list[Cell]] = []
        for r in range(1, (sheet.max_row or 0) + 1):
            row: list[Cell] = []
            for c in range(1, (sheet.max_column or 0) + 1):
                key = origin.get((r, c), (sheet.title, r, c))
                value = sheet.cell(row=key[1], column=key[2]).value
                row.append(Cell(text=_clean(_xlsx_text(value)), key=key))
            if any(cell.text for cell in row):
                rows.append(row)
        if rows:
            blocks.append(Grid(name=f"trang tính “{sheet.title}”", rows=rows))
    return blocks


def _xlsx_text(value: object) -> str:
    # A deadline typed as a date in Excel comes back as a datetime: write it as the office does.
    if isinstance(value, datetime | date):
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


# --- LibreOffice ---------------------------------------------------------------------------


def _convert_to_docx(path: Path, out_dir: Path) -> Path:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise ImportFailure(
            f'Không mở được "{path.name}": máy chưa cài LibreOffice để chuyển tệp {path.suffix} sang .docx — '
            "hãy mở tệp bằng Word hoặc LibreOffice, lưu thành .docx rồi chạy lại."
        )
    try:
        subprocess.run(
            [office, "--headless", "--convert-to", "docx", "--outdir", str(out_dir), str(path)],
            check=True,
            capture_output=True,
            timeout=180,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
        raise ImportFailure(
            f'LibreOffice không chuyển được "{path.name}" sang .docx — hãy mở tệp, lưu thành .docx rồi chạy lại.'
        ) from None
    converted = out_dir / (path.stem + ".docx")
    if not converted.exists():
        raise ImportFailure(f'LibreOffice không tạo ra bản .docx của "{path.name}" — hãy lưu thành .docx bằng tay.')
    return converted
