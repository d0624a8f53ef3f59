"""``raidcontrol bulletin``: an official classification as a printable PDF bulletin."""

from __future__ import annotations

from pathlib import Path

import typer

from raidcontrol.core.errors import InputError


def bulletin_cmd(
    event_dir: Path = typer.Argument(..., help="The event folder."),
    stage: int | None = typer.Option(
        None, "--stage", help="The stage (its stage ranking; with --general: the general after it)."
    ),
    special: bool = typer.Option(False, "--special", help="With --stage: the special's ranking."),
    general: bool = typer.Option(
        False,
        "--general",
        help="The general classification (after --stage N, default the last stage with results).",
    ),
    category: str | None = typer.Option(None, "--category", help="Only this category."),
    klass: str | None = typer.Option(None, "--class", help="Only this class."),
    lang: str = typer.Option("en", "--lang", help="Language of the bulletin: en or fr."),
    logo: Path | None = typer.Option(
        None, "--logo", help="The organiser's logo (PNG or SVG) for the header."
    ),
    out: Path = typer.Option(..., "--out", help="The PDF file to write."),
    db: str | None = typer.Option(
        None,
        "--db",
        help="Journal database URL (default: the event folder's SQLite file, or $RAIDCONTROL_DB).",
    ),
) -> None:
    """Write an official bulletin (PDF): title, provisional or final, time of publication, page
    numbers, the classification and signature lines for the clerk of the course and the stewards."""
    from raidcontrol.io.atomic import atomic_write
    from raidcontrol.web import i18n, views
    from raidcontrol.web.bulletin import bulletin_pdf
    from raidcontrol.web.pages import session_source

    if not general and stage is None:
        raise InputError("give --stage N, --general, or both", field="--stage")
    if special and (general or stage is None):
        raise InputError("--special goes with --stage N alone", field="--special")
    if lang not in i18n.LANGUAGES:
        raise InputError(f"language must be one of {', '.join(i18n.LANGUAGES)}", field="--lang")
    snap = session_source(event_dir, db)()
    if stage is not None and stage not in snap.event.stages:
        raise InputError(f"stage {stage} is not in the event", field="--stage")
    if category is not None and category not in views.categories(snap):
        raise InputError(
            f"unknown category {category!r} (known: {', '.join(views.categories(snap))})",
            field="--category",
        )
    t = i18n.Translator(lang)
    if general:
        after, lines = views.general_lines(snap, stage, category=category, klass=klass)
        title = t("general_after", n=after)
        final = all(snap.event.stages[n].final for n in views.counted_stages(snap.event, after))
    else:
        lines = views.stage_lines(snap, stage, special=special, category=category, klass=klass)
        title = f"{t('stage')} {stage} — {t('special_ranking') if special else t('stage_ranking')}"
        final = snap.event.stages[stage].final
    title += "".join(f" · {x}" for x in (category, klass) if x)
    logo_uri = logo.resolve().as_uri() if logo is not None else None
    pdf = bulletin_pdf(snap, lines, title, final, lang, logo=logo_uri)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(out, "wb") as fh:
        fh.write(pdf)
    typer.echo(f"wrote {out}: {title}, {len(lines)} lines, {'final' if final else 'provisional'}")


def register(app: typer.Typer) -> None:
    app.command("bulletin")(bulletin_cmd)
