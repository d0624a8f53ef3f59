"""Official bulletins: a classification printed to PDF by WeasyPrint from the same template
language as the pages: the event's name and logo slot, the title, provisional or final, the
time of publication, page numbers, the table (its header repeated on every page) and the
signature lines of the clerk of the course and the stewards."""

from __future__ import annotations

from datetime import UTC, datetime

from raidcontrol.web import i18n
from raidcontrol.web.render import render
from raidcontrol.web.views import Line, Snapshot


def bulletin_html(
    snap: Snapshot,
    lines: list[Line],
    title: str,
    final: bool,
    lang: str = i18n.DEFAULT,
    published: datetime | None = None,
    logo: str | None = None,
) -> str:
    t = i18n.Translator(lang)
    when = (published or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return render(
        "bulletin.html.j2",
        t=t,
        lang=lang,
        title=title,
        event_name=snap.event.name,
        lines=lines,
        status_label=t("final" if final else "provisional").upper(),
        published=when,
        position=snap.position,
        logo=logo,
    )


def bulletin_pdf(
    snap: Snapshot,
    lines: list[Line],
    title: str,
    final: bool,
    lang: str = i18n.DEFAULT,
    published: datetime | None = None,
    logo: str | None = None,
) -> bytes:
    """The bulletin as PDF bytes (WeasyPrint is imported here only)."""
    from weasyprint import HTML

    html = bulletin_html(snap, lines, title, final, lang, published, logo)
    return HTML(string=html, base_url=".").write_pdf()
