"""How writers put a number in a track file: the styles the compiled scanners' equivalence tests
draw from (shared by the CSV and GPX tests)."""

from __future__ import annotations

from hypothesis import strategies as st


def styled(draw, value: float, style: str) -> str:
    """``value`` written in ``style`` (``draw``: hypothesis's, for the number of decimals)."""
    if style == "fixed":
        return f"{value:.{draw(st.integers(0, 12))}f}"
    if style == "repr":
        return repr(value)
    if style == "exp":
        return f"{value:e}"
    if style == "plus":
        return f"+{abs(value):.6f}"
    if style == "int":
        return str(int(value))
    if style == "long":
        return f"{value:.{draw(st.integers(13, 20))}f}"  # beyond the exact 15 digits
    if style == "lead":  # ".5" or "00123.000"
        return f"{value:.5f}".replace("0.", ".", 1) if abs(value) < 1 else f"00{abs(value):.3f}"
    if style == "space":
        return f" {value:.3f}"
    if style == "arabic":
        return f"{value:.2f}".replace("1", "\u0661")  # ARABIC-INDIC DIGIT ONE
    raise ValueError(f"unknown style {style!r}")
