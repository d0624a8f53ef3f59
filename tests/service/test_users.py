"""Officials' tokens: printed once, stored hashed (argon2), listed, revoked (→ 401 at once)."""

from __future__ import annotations

import httpx

from raidcontrol.service.users import Users
from tests.service.conftest import unique


def test_add_prints_a_token_once_stored_hashed_and_revoke_stops_it(cli, small_event, serve, db_url):
    name = unique("ann")
    code, out, err = cli("users", "add", name, "--role", "steward", "--db", db_url)
    assert code == 0, err
    tok = out.strip()
    assert tok.startswith("rc_") and len(out.splitlines()) == 1
    users = Users.at(db_url)
    try:
        with users.engine.connect() as conn:
            from sqlalchemy import text

            stored = conn.execute(
                text("SELECT token_hash FROM users WHERE name = :n"), {"n": name}
            ).scalar()
        assert stored.startswith("$argon2") and tok not in stored
    finally:
        users.engine.dispose()
    code, listing, _ = cli("users", "list", "--db", db_url, "--format", "csv")
    assert code == 0 and f",{name},steward," in listing and tok not in listing
    server = serve(small_event, db_url)
    who = httpx.get(f"{server.url}/api/v1/whoami", headers={"Authorization": f"Bearer {tok}"})
    assert who.json() == {"name": name, "role": "steward"}
    assert cli("users", "revoke", name, "--db", db_url)[0] == 0
    assert (
        httpx.get(
            f"{server.url}/api/v1/whoami", headers={"Authorization": f"Bearer {tok}"}
        ).status_code
        == 401
    )
    assert httpx.get(f"{server.url}/api/v1/whoami").status_code == 401


def test_unknown_role_and_duplicate_name_exit_2(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'j.sqlite'}"
    assert cli("users", "add", "bob", "--role", "president", "--db", url)[0] == 2
    assert cli("users", "add", "bob", "--role", "clerk", "--db", url)[0] == 0
    code, _, err = cli("users", "add", "bob", "--role", "clerk", "--db", url)
    assert code == 2 and "exists already" in err


def test_a_tampered_token_is_refused(tmp_path):
    users = Users.at(f"sqlite:///{tmp_path / 'j.sqlite'}")
    _, tok = users.add("cy", "timekeeper")
    assert users.authenticate(tok).name == "cy"
    assert users.authenticate(tok[:-1] + ("A" if tok[-1] != "A" else "B")) is None
    assert users.authenticate("rc_999_" + tok.split("_", 2)[2]) is None
    assert users.authenticate("not a token") is None
