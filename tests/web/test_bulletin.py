"""The official bulletin: the Dakar 2025 stage 1 as a PDF whose text has every crew with its
position and time, the header, the status and the signature lines."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)"
)


def test_stage1_bulletin_has_every_crew(cli, dakar_event, tmp_path):
    out = tmp_path / "stage1.pdf"
    code, _, err = cli("bulletin", dakar_event, "--stage", "1", "--out", out)
    assert code == 0, err
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    _, csv_out, _ = cli("classify", dakar_event, "--stage", "1", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(csv_out)))
    assert len(rows) == 201
    lines = text.splitlines()
    for r in rows:
        pattern = re.compile(rf"^\s*{r['position']}\s+{r['bib']}\s.*\s{re.escape(r['time'])}\s")
        assert any(pattern.search(ln) for ln in lines), r["bib"]
    assert "Official bulletin — Stage 1 — Stage ranking" in text
    assert "FINAL" in text and "Clerk of the course" in text and "Stewards" in text
    pages = int(re.search(r"Page 1 of (\d+)", text).group(1))
    assert pages > 1 and f"Page {pages} of {pages}" in text
    assert text.count("Pos.") == pages  # the header repeats on every page


def test_bulletin_in_french_and_bad_input(cli, dakar_event, tmp_path):
    out = tmp_path / "g.pdf"
    code, _, err = cli(
        "bulletin", dakar_event, "--general", "--category", "Stock", "--lang", "fr", "--out", out
    )
    assert code == 0, err
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Classement général après l’étape 1 · Stock" in flat and "Directeur de course" in flat
    for args in (
        ["--stage", "99"],
        ["--general", "--category", "Nope"],
        [],
        ["--stage", "1", "--lang", "de"],
    ):
        code, _, err = cli("bulletin", dakar_event, *args, "--out", tmp_path / "x.pdf")
        assert code == 2 and "error" in err
    assert not (tmp_path / "x.pdf").exists()
