"""The four classes by lead unit as stacked horizontal bars (PNG), for the digest and /summary.

Drawn with matplotlib's object API on an Agg canvas: no display, no pyplot global state, so
it is safe in the running bot. DejaVu Sans, bundled with matplotlib, has the Vietnamese
glyphs; fonts without them would print boxes for "ượ", "ầ"…
"""

from __future__ import annotations

from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.texts.common import vn_date
from bot.texts.report import CLASS_LABELS
from scheduler.standing import FOUR, PlanStanding

FONT = "DejaVu Sans"
COLOURS = {"done_on_time": "#2e7d32", "done_late": "#ef6c00", "in_term": "#1565c0", "overdue": "#c62828"}


def _wrap(name: str, width: int = 28) -> str:
    lines, line = [], ""
    for word in name.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def standing_chart(standing: PlanStanding, title: str | None = None) -> bytes:
    units = standing.lead_units()
    counts = [standing.counts(u.code) for u in units]
    height = 1.6 + 0.62 * max(len(units), 1)
    fig = Figure(figsize=(9.5, height), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    labels = [_wrap(u.name) for u in units]
    positions = list(range(len(units)))[::-1]  # the plan's first unit on top
    left = [0] * len(units)
    for cls in FOUR:
        values = [c[cls] for c in counts]
        bars = ax.barh(positions, values, left=left, color=COLOURS[cls], label=CLASS_LABELS[cls], height=0.6)
        for bar, value in zip(bars, values, strict=True):
            if value:
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    str(value),
                    ha="center",
                    va="center",
                    color="white",
                    fontsize=9,
                    fontfamily=FONT,
                    fontweight="bold",
                )
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(positions, labels, fontfamily=FONT, fontsize=9)
    ax.set_xlabel("Số lượt nhiệm vụ chủ trì", fontfamily=FONT, fontsize=9)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for tick in ax.get_xticklabels():
        tick.set_fontfamily(FONT)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(
        title or f"Tình hình thực hiện nhiệm vụ theo đơn vị chủ trì — đến ngày {vn_date(standing.cutoff)}",
        fontfamily=FONT,
        fontsize=11,
        loc="left",
    )
    fig.legend(loc="lower center", ncol=4, frameon=False, prop={"family": FONT, "size": 8})
    fig.tight_layout(rect=(0, 0.9 / height, 1, 1))
    out = BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
