"""Every page over the real Dakar 2025 stage 1 (201 crews) matches `raidcontrol classify`; names
are escaped everywhere; downloads give the same lines."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from raidcontrol.web.app import create_site_app
from tests.conftest import make_event
from tests.web.pagesupport import classification_rows

PAGES = [
    "/",
    "/stage/1",
    "/stage/1?special=1",
    "/general",
    "/general?category=Stock",
    "/crew/204",
    "/notices",
    "/stock",
    "/championship",
    "/search?q=toyota",
]


@pytest.fixture(scope="module")
def site(dakar_event):
    with TestClient(create_site_app(dakar_event)) as client:
        yield client


def _classify(cli, event, *args):
    code, out, err = cli("classify", event, *args, "--format", "csv")
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


@pytest.mark.parametrize(
    "path,args",
    [
        ("/stage/1", ["--stage", "1"]),
        ("/stage/1?special=1", ["--stage", "1", "--special"]),
        ("/general?after=1", ["--general", "--after", "1"]),
        ("/general?category=Trucks", ["--general", "--category", "Trucks"]),
    ],
)
def test_page_matches_classify(site, cli, dakar_event, path, args):
    expected = _classify(cli, dakar_event, *args)
    response = site.get(path)
    assert response.status_code == 200
    rows = classification_rows(response.text)
    assert len(rows) == len(expected) > 0
    change = 1 if path.startswith("/general") else 0  # the general has a change column
    for row, want in zip(rows, expected):
        position, bib = row[0], row[1 + change]
        time, gap, penalty = row[6 + change], row[7 + change], row[8 + change]
        assert (position, bib, time, gap) == (
            want["position"],
            want["bib"],
            want["time"],
            want["gap"],
        )
        assert penalty == ("" if want["penalty"] == "0:00:00" else want["penalty"])
        assert row[2 + change].startswith(want["driver"])


def test_downloads_equal_classify(site, cli, dakar_event):
    _, out, _ = cli("classify", dakar_event, "--general", "--format", "csv")
    assert site.get("/general?format=csv").text == out
    data = site.get("/general?format=json").json()
    assert len(data) == 201 and data[0]["bib"] == int(out.splitlines()[1].split(",")[1])


def test_a_stock_event_download_carries_the_eligibility_columns_like_classify(cli, tmp_path):
    import shutil

    from tests.stock.stock_fixtures import EVENT as STOCK_EVENT
    from tests.stock.stock_fixtures import invoke

    event = tmp_path / "stock"
    shutil.copytree(STOCK_EVENT, event)
    assert invoke("scrutineer", "report", event).exit_code == 0
    _, out, _ = cli("classify", event, "--general", "--format", "csv")
    assert out.splitlines()[0].endswith(",status,eligibility,remarks,time_ms,gap_ms,penalty_ms")
    with TestClient(create_site_app(event)) as client:
        assert client.get("/general?format=csv").text == out


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_in_both_languages(site, path):
    for lang, word in (("en", "General classification"), ("fr", "Classement général")):
        response = site.get(path, headers={"Accept-Language": lang})
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in response.text and word in response.text


def test_language_switch_sets_a_cookie(site):
    response = site.get("/general?lang=fr")
    assert response.cookies.get("lang") == "fr"
    assert '<html lang="fr">' in site.get("/general", cookies={"lang": "fr"}).text


def test_unknown_things_are_404(site):
    assert site.get("/stage/99").status_code == 404
    assert site.get("/crew/9999").status_code == 404
    assert site.get("/general?category=Nope").status_code == 404
    assert site.get("/evidence/../event.toml").status_code == 404


def test_search_by_bib_name_and_team(site):
    assert "/crew/204" in site.get("/search?q=204").text
    assert "/crew/225" in site.get("/search?q=sainz").text


HOSTILE = "<script>alert(1)</script>"


def test_names_are_escaped_everywhere(tmp_path):
    entries = (
        "bib,category,class,driver,codriver,team,brand,model\n"
        f'200,Ultimate,T1+,{HOSTILE},"<img src=x onerror=alert(2)>",Team <b>,TOYOTA,HILUX\n'
    )
    folder = make_event(
        tmp_path / "ev",
        entries=entries,
        times="1,200,2025-01-05T08:00:00Z,2025-01-05T12:00:00Z,finished",
        adjustments=f"1,200,penalty,0:01:00,stage,{HOSTILE}",
    )
    with TestClient(create_site_app(folder)) as client:
        for path in PAGES[:8] + ["/search?q=script", f"/search?q={HOSTILE}"]:
            text = client.get(path).text
            assert (
                "<script>alert" not in text and "<img src=x" not in text and "Team <b>" not in text
            ), path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/crew/200").text
