"""The benchmarks' common output: one ``TARGET`` line per target and the concern's JSON.

A target line reads ``TARGET <name>: <measured> <unit> (target <op> <value>, baseline <what>
<value>) PASS|FAIL``; ``benchmarks/run.py`` collects these lines from every ``bench_*.py``.
"""

from __future__ import annotations

import json
import operator
from dataclasses import asdict, dataclass
from pathlib import Path

OPS = {">=": operator.ge, "<=": operator.le}
OUT = Path("bench-out")


@dataclass
class Target:
    """name: what is measured; measured/target: values in ``unit``; op: ``>=`` or ``<=``;
    baseline: what the figure is compared with (text, e.g. ``gpxpy 0.05``) or empty."""

    name: str
    measured: float
    unit: str
    op: str
    target: float
    baseline: str = ""

    @property
    def passed(self) -> bool:
        return OPS[self.op](self.measured, self.target)

    def line(self) -> str:
        base = f", baseline {self.baseline}" if self.baseline else ""
        return (
            f"TARGET {self.name}: {self.measured:.4g} {self.unit} (target {self.op} {self.target:g}{base}) "
            f"{'PASS' if self.passed else 'FAIL'}"
        )


def report(concern: str, targets: list[Target], results: dict, out: Path = OUT) -> None:
    """Print every target line and write ``<out>/<concern>.json`` (targets and results)."""
    for t in targets:
        print(t.line(), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    doc = {
        "concern": concern,
        "targets": [dict(asdict(t), passed=t.passed) for t in targets],
        "results": results,
    }
    (out / f"{concern}.json").write_text(json.dumps(doc, indent=1, default=str) + "\n")
