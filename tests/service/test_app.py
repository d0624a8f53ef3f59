"""The real Dakar 2025 stage 1 served over the API equals ``raidcontrol classify``, row for row and
byte for byte; every table as JSON and CSV with its journal position as ETag."""

from __future__ import annotations

import csv
import io
import shutil

import httpx

from tests.service.conftest import unique


def test_dakar_over_the_api_equals_classify(cli, dakar_event, tmp_path, serve, db_url):
    event = tmp_path / unique("dakar")
    shutil.copytree(dakar_event, event)
    server = serve(event, db_url)
    for args, path in [
        (("--general",), "/api/v1/classification/general"),
        (("--stage", "1"), "/api/v1/classification/stage/1"),
        (("--stage", "1", "--special"), "/api/v1/classification/special/1"),
        (
            ("--general", "--category", "Ultimate"),
            "/api/v1/classification/general?category=Ultimate",
        ),
    ]:
        code, expected, err = cli("classify", event, *args, "--format", "csv", "--db", db_url)
        assert code == 0, err
        sep = "&" if "?" in path else "?"
        served = httpx.get(f"{server.url}{path}{sep}format=csv")
        assert served.status_code == 200 and served.headers["content-type"].startswith("text/csv")
        assert served.text == expected, path
        by_accept = httpx.get(f"{server.url}{path}", headers={"Accept": "text/csv"})
        assert by_accept.text == expected
        as_json = httpx.get(f"{server.url}{path}").json()
        assert as_json["rows"] == [
            dict(r) | {"position": _int(r["position"]), "bib": int(r["bib"])}
            for r in csv.DictReader(io.StringIO(expected))
        ]
        assert (
            as_json["status"] == "final" and as_json["position"] > 0
        )  # stage 1 is final in the folder
    assert len(list(csv.DictReader(io.StringIO(expected)))) > 50


def _int(text: str):
    return int(text) if text else ""


def test_etag_is_the_journal_position_and_a_match_is_304(live):
    server = live[0]
    first = httpx.get(f"{server.url}/api/v1/classification/general")
    etag = first.headers["etag"]
    assert etag == f'"{first.json()["position"]}-json"'
    again = httpx.get(
        f"{server.url}/api/v1/classification/general", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b""
    as_csv = httpx.get(
        f"{server.url}/api/v1/classification/general?format=csv", headers={"If-None-Match": etag}
    )
    assert as_csv.status_code == 200  # another representation, another ETag


def test_every_table_as_json_and_csv(live):
    server = live[0]
    paths = [
        "/api/v1/itinerary",
        "/api/v1/entries?category=Stock",
        "/api/v1/classification/general?after=1",
        "/api/v1/crews/501/explain?stage=1",
        "/api/v1/penalties",
        "/api/v1/scrutineering",
        "/api/v1/notices",
    ]
    for path in paths:
        sep = "&" if "?" in path else "?"
        js = httpx.get(f"{server.url}{path}")
        assert js.status_code == 200, (path, js.text)
        body = js.json()
        text = httpx.get(f"{server.url}{path}{sep}format=csv").text
        header = next(csv.reader(io.StringIO(text)))
        assert header == body["columns"], path
        assert len(text.strip().splitlines()) == len(body["rows"]) + 1, path
    entries = httpx.get(f"{server.url}/api/v1/entries?category=Stock").json()["rows"]
    assert [e["bib"] for e in entries] == [500, 501]
    explain = httpx.get(f"{server.url}/api/v1/crews/501/explain?stage=1").json()["rows"]
    assert explain[0]["term"].startswith("maximum time") and explain[-1]["term"] == "stage time"


def test_unknown_filters_and_moments_are_422_naming_the_field(live):
    server = live[0]
    for path, field in [
        ("/api/v1/classification/general?category=Nope", "category"),
        ("/api/v1/classification/general?class=Nope", "class"),
        ("/api/v1/classification/stage/9", "stage"),
        ("/api/v1/classification/general?as_of=yesterday", "as_of"),
        ("/api/v1/crews/999/explain?stage=1", "bib"),
    ]:
        r = httpx.get(f"{server.url}{path}")
        assert r.status_code == 422, path
        assert r.json()["detail"][0]["loc"][-1] == field, path


def test_a_stream_resume_point_that_is_not_a_position_is_422(live):
    server = live[0]
    r = httpx.get(f"{server.url}/api/v1/stream", headers={"Last-Event-ID": "yesterday"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "Last-Event-ID"


def test_serve_refuses_a_bad_event_folder_before_listening(cli, tmp_path):
    (tmp_path / "bad").mkdir()
    code, _, err = cli("serve", tmp_path / "bad", "--db", f"sqlite:///{tmp_path / 'j.sqlite'}")
    assert code == 2 and "event.toml" in err


def test_a_stock_event_over_the_api_carries_the_eligibility_columns_like_classify(
    cli, tmp_path, serve, db_url
):
    from tests.stock.stock_fixtures import EVENT as STOCK_EVENT
    from tests.stock.stock_fixtures import invoke

    event = tmp_path / unique("stock")
    shutil.copytree(STOCK_EVENT, event)
    assert invoke("scrutineer", "report", event, "--db", db_url).exit_code == 0
    server = serve(event, db_url)
    code, expected, err = cli("classify", event, "--general", "--format", "csv", "--db", db_url)
    assert code == 0, err
    assert expected.splitlines()[0].endswith(
        ",status,eligibility,remarks,time_ms,gap_ms,penalty_ms"
    )
    served = httpx.get(f"{server.url}/api/v1/classification/general?format=csv")
    assert served.status_code == 200 and served.text == expected
