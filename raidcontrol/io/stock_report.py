"""The Stock scrutineering report: one printable HTML page (Jinja2) for the scrutineers.

A summary table of every Stock entry (verdict, breaches, seals, effect on the ranking),
then one section per car: its production reference, every breach with the rule, the
value found against the value allowed and where the limit comes from (breaches that make
the car not eligible in red, time penalties and remarks in amber), the remarks, the seals
and the declared modifications.  Print CSS: A4, one car per page, colours kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from raidcontrol.core.model import Entry
from raidcontrol.core.timefmt import format_duration
from raidcontrol.stock.breach import Verdict
from raidcontrol.stock.record import ScrutineeringRecord
from raidcontrol.stock.sheet import ProductionReference

REPORT_FILE = "stock-scrutineering.html"
NOT_SCRUTINEERED = "not scrutineered"


@dataclass(frozen=True)
class ReportItem:
    """One Stock entry of the report (``record``, ``verdict``, ``sheet`` are ``None`` when the
    entry has no scrutineering file yet); ``flag`` is what the classification shows."""

    entry: Entry
    record: ScrutineeringRecord | None = None
    verdict: Verdict | None = None
    sheet: ProductionReference | None = None
    flag: str = ""
    source: str = ""

    @property
    def status(self) -> str:
        return self.verdict.verdict if self.verdict else NOT_SCRUTINEERED


TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ title }}</title>
<style>
 body { font: 10.5pt/1.35 system-ui, "Segoe UI", Helvetica, Arial, sans-serif; margin: 1.5em; color: #111; }
 h1 { font-size: 16pt; margin: 0 0 .2em; } h2 { font-size: 13pt; margin: 1.2em 0 .3em; }
 h3 { font-size: 11pt; margin: .8em 0 .2em; }
 .meta { color: #555; margin-bottom: 1em; }
 table { border-collapse: collapse; width: 100%; margin: .3em 0 .8em; }
 th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
 th { background: #eee; } td.rule { white-space: nowrap; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
 .badge { display: inline-block; padding: 1px 7px; border-radius: 3px; font-weight: 600; white-space: nowrap; }
 .eligible { background: #d9f2dc; color: #0b5d1e; } .eligible-with-remarks { background: #fff1c2; color: #6b4e00; }
 .not-eligible { background: #f9d0d0; color: #8a0000; } .experimental { background: #ead9f7; color: #4b1a73; }
 .not-scrutineered { background: #e4e4e4; color: #444; }
 tr.breach-not-eligible td { background: #fde2e2; } tr.breach-not-eligible td.rule { color: #8a0000; font-weight: 700; }
 tr.breach-penalty td, tr.breach-remark td { background: #fff4d1; }
 .source { color: #555; font-size: 8.5pt; }
 .car { border-top: 2px solid #333; padding-top: .4em; margin-top: 1.5em; }
 .sign { margin-top: 2em; display: flex; gap: 3em; } .sign div { border-top: 1px solid #333; width: 16em; padding-top: 2px; }
 @page { size: A4; margin: 12mm; }
 @media print {
   body { margin: 0; font-size: 9.5pt; } * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
   .car { page-break-before: always; } tr { page-break-inside: avoid; }
 }
</style></head><body>
<h1>{{ title }}</h1>
<div class="meta">Rulebook {{ rulebook }} · Stock category “{{ category }}” · generated {{ generated }} ·
 any modification not expressly allowed is forbidden ({{ principle }})</div>

<h2>Summary</h2>
<table><thead><tr><th>Bib</th><th>Crew</th><th>Team</th><th>Production reference</th><th>Verdict</th>
<th>Breaches</th><th>Penalties</th><th>Seals</th><th>In the classification</th></tr></thead><tbody>
{% for it in items %}
<tr><td class="num">{{ it.entry.bib }}</td><td>{{ it.entry.driver }}{% if it.entry.codriver %} / {{ it.entry.codriver }}{% endif %}</td>
<td>{{ it.entry.team }}</td><td>{{ it.sheet.title if it.sheet else "—" }}</td>
<td><span class="badge {{ it.status | replace(' ', '-') }}">{{ it.status }}</span></td>
<td>{% if it.verdict %}{{ it.verdict.breaches | map(attribute='rule_id') | unique | join(', ') }}{% endif %}</td>
<td>{% if it.verdict %}{% for p in it.verdict.penalties %}{{ dur(p.amount_ms) }} after stage {{ p.stage }} (proposed to the stewards){% if not loop.last %}, {% endif %}{% endfor %}{% endif %}</td>
<td>{% if it.verdict and it.verdict.seals %}{% for part, s in it.verdict.seals.items() %}{{ part }}: {{ seal_state(s) }}{% if not loop.last %}; {% endif %}{% endfor %}{% else %}—{% endif %}</td>
<td>{{ it.flag or ("ranked in " ~ category if it.verdict else "—") }}</td></tr>
{% endfor %}
</tbody></table>

{% for it in items if it.verdict %}{% set v = it.verdict %}{% set r = it.record %}
<section class="car">
<h2>#{{ it.entry.bib }} — {{ it.entry.driver }}{% if it.entry.codriver %} / {{ it.entry.codriver }}{% endif %}
 <span class="badge {{ v.verdict }}">{{ v.verdict }}</span></h2>
<div class="meta">{{ it.entry.team }} · {{ it.entry.brand }} {{ it.entry.model }} · reference sheet
 <b>{{ it.sheet.id }}</b> ({{ it.sheet.title }}) · file {{ it.source }} ·
 {% if r.scrutineer %}scrutineer {{ r.scrutineer }} {{ r.date }}{% else %}declaration only{% endif %}</div>
{% if v.experimental_reason %}<p><span class="badge experimental">experimental</span> {{ v.experimental_reason }}:
 the car runs, is not classified in {{ category }} and scores no points.</p>{% endif %}

<h3>Breaches</h3>
{% if v.breaches %}
<table><thead><tr><th>Rule</th><th>Subject</th><th>Found</th><th>Allowed</th><th>Basis</th><th>Consequence</th></tr></thead><tbody>
{% for b in v.breaches %}
<tr class="breach-{{ b.consequence }}"><td class="rule">{{ b.rule_id }}</td>
<td>{{ b.subject }}<div class="source">{{ b.text }}</div></td>
<td class="num">{{ b.measured }} {{ b.unit }}</td><td>{{ b.allowed }} {{ b.unit if b.allowed[:1] in '≤≥' else '' }}<div class="source">{{ b.limit_source }}</div></td>
<td>{{ b.basis }}</td><td>{{ b.consequence }}{% if b.penalty_ms %}: {{ dur(b.penalty_ms) }} after stage {{ b.stage }}{% endif %}</td></tr>
{% endfor %}</tbody></table>
{% else %}<p>None.</p>{% endif %}

{% if v.remarks %}<h3>Remarks</h3><ul>{% for m in v.remarks %}<li>{{ m }}</li>{% endfor %}</ul>{% endif %}

{% if r.seal_checks %}<h3>Seals</h3>
<table><thead><tr><th>Check</th><th>After stage</th><th>Engine</th><th>Gearbox</th><th>Remark</th></tr></thead><tbody>
{% for c in r.seal_checks %}{% set prev = r.seal_checks[loop.index0 - 1] if loop.index0 else None %}
<tr><td>{{ c.label }}</td><td class="num">{{ c.after_stage if c.after_stage is not none else "—" }}</td>
{% for part in ("engine", "gearbox") %}<td{% if prev and prev.seals[part] != c.seals[part] %} style="background:#fde2e2;font-weight:700"{% endif %}>{{ c.seals[part] }}</td>{% endfor %}
<td>{{ c.remark }}</td></tr>{% endfor %}
</tbody></table>{% endif %}

{% if r.modifications %}<h3>Declared modifications</h3>
<table><thead><tr><th>Area</th><th>Description</th><th>Part</th></tr></thead><tbody>
{% for m in r.modifications %}<tr><td>{{ m.area }}</td><td>{{ m.description }}</td><td>{{ m.part }}</td></tr>{% endfor %}
</tbody></table>{% endif %}
<div class="sign"><div>Scrutineer</div><div>Competitor</div><div>Date, time</div></div>
</section>
{% endfor %}
</body></html>
"""


def seal_state(summary: dict) -> str:
    """``changed 1×``, ``sealed`` (initial check only) or ``intact (2 checks)``."""
    if summary["changes"]:
        return f"changed {summary['changes']}×"
    return "sealed" if summary["checks"] == 1 else f"intact ({summary['checks']} checks)"


def render_report(
    items: list[ReportItem],
    *,
    event_name: str,
    rulebook: str,
    category: str,
    principle: str,
    generated: str,
) -> str:
    """The HTML text of the report (Jinja2, imported here: only the report needs it)."""
    from jinja2 import Environment, select_autoescape

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals.update(dur=format_duration, seal_state=seal_state)
    return env.from_string(TEMPLATE).render(
        items=items,
        title=f"{event_name} — Stock scrutineering",
        rulebook=rulebook,
        category=category,
        principle=principle,
        generated=generated,
    )


def write_report(path: Path, html: str) -> Path:
    path.write_text(html, encoding="utf-8")
    return path
