"""The gap chart: gap to the leader of the general classification after each stage, for the
top crews of a category, as an SVG line chart drawn from the data (no image files, no
JavaScript, prints in the bulletins too)."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 640, 320  # drawing size, px
MARGIN = (40, 110, 30, 60)  # top, right, bottom, left, px
PALETTE = (
    "#1b5e20",
    "#0d47a1",
    "#b71c1c",
    "#e65100",
    "#4a148c",
    "#006064",
    "#3e2723",
    "#827717",
    "#263238",
    "#880e4f",
)


def _hms(ms: float) -> str:
    s = round(ms / 1000)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def gap_chart(
    stages: list[int], series: dict[int, list[int | None]], labels: dict[int, str], title: str
) -> str:
    """SVG of ``series`` (bib → gap in ms after each of ``stages``; None = not classified)."""
    top, right, bottom, left = MARGIN
    w, h = WIDTH - left - right, HEIGHT - top - bottom
    values = [v for vs in series.values() for v in vs if v is not None]
    vmax = max(values, default=0) or 1
    nx = max(len(stages) - 1, 1)

    def x(i: int) -> float:
        return left + w * i / nx

    def y(v: float) -> float:
        return top + h * v / vmax

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
            f'aria-labelledby="gap-title" class="chart"><title id="gap-title">{escape(title)}</title>'
        ),
        f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" stroke="#999"/>',
    ]
    for k in range(5):
        v = vmax * k / 4
        parts.append(
            f'<line x1="{left}" x2="{left + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="10">{_hms(v)}</text>'
        )
    for i, n in enumerate(stages):
        parts.append(
            f'<text x="{x(i):.1f}" y="{top + h + 16}" text-anchor="middle" font-size="10">{n}</text>'
        )
    for k, (bib, gaps) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        points = [(x(i), y(v)) for i, v in enumerate(gaps) if v is not None]
        if points:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2">'
                f"<title>{escape(labels.get(bib, str(bib)))}</title></polyline>"
            )
            _lx, ly = points[-1]
            parts.append(
                f'<text x="{left + w + 6}" y="{ly + 4:.1f}" font-size="10" fill="{colour}">'
                f"{escape(labels.get(bib, str(bib)))}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
