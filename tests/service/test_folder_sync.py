"""The folder next to the API: syncing an unedited folder (server restart, any command) keeps the
officials' writes; a value edited in the folder afterwards still wins."""

from __future__ import annotations

import httpx

from tests.service.conftest import auth, token


def _bib_line(csv_text: str, bib: int) -> str:
    return next(line for line in csv_text.splitlines() if f",{bib}," in line)


def test_commands_keep_api_writes_and_folder_edits_still_count(cli, small_event, serve, db_url):
    server = serve(small_event, db_url)
    correction = {
        "stage": 1,
        "bib": 201,
        "start": "09:02:00",
        "finish": "11:59:00",
        "reason": "clock re-read",
    }
    assert (
        httpx.post(
            f"{server.url}/api/v1/times", json=correction, headers=auth(token(db_url, "timekeeper"))
        ).status_code
        == 201
    )
    served = httpx.get(f"{server.url}/api/v1/classification/stage/1?format=csv").text
    server.stop()
    code, by_cli, err = cli(
        "classify", small_event, "--stage", "1", "--format", "csv", "--db", db_url
    )
    assert code == 0, err
    assert by_cli == served and "2:57:00" in _bib_line(
        by_cli, 201
    )  # the API's correction, not the folder's
    times = small_event / "times.csv"
    times.write_text(
        times.read_text().replace(
            "1,201,09:02:00,12:10:00,finished", "1,201,09:02:00,12:30:00,finished"
        )
    )
    code, edited, err = cli(
        "classify", small_event, "--stage", "1", "--format", "csv", "--db", db_url
    )
    assert code == 0, err
    assert "3:28:00" in _bib_line(edited, 201)  # a later folder edit wins
