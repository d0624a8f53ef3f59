"""Schemathesis against the served OpenAPI: 0 server errors and 0 schema violations (status codes,
content types, headers and bodies as documented).  Examples per operation from
``RAIDCONTROL_SCHEMATHESIS_EXAMPLES`` (small by default, so it runs in ``make test``)."""

from __future__ import annotations

import os

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.service.conftest import SMALL_TIMES, Server, token, unique

EXAMPLES = int(os.environ.get("RAIDCONTROL_SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from tests.conftest import make_event

    tmp = tmp_path_factory.mktemp("openapi")
    url = f"sqlite:///{tmp / 'journal.sqlite'}"
    server = Server(
        make_event(tmp / unique("rally"), times=SMALL_TIMES, stages=(1, 2)), url, tmp / "log"
    ).start()
    yield server, token(url, "steward")
    server.stop()


def test_api_conforms_to_its_openapi(served):
    server, steward = served
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    headers = {"Authorization": f"Bearer {steward}"}
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/v1/stream":  # an endless event stream: tested in test_stream.py
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(base_url=server.url, headers=headers, checks=CHECKS)

        check()
        tested.append(operation.label)
    assert len(tested) >= 20


def test_openapi_has_examples_for_every_write(served):
    server, _ = served
    spec = httpx.get(f"{server.url}/openapi.json").json()
    writes = [
        (path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method == "post"
    ]
    assert len(writes) >= 11
    for path, op in writes:
        if "requestBody" not in op:  # a command with no body: its parameters are documented
            assert op["parameters"] and all(p["description"] for p in op["parameters"]), path
            assert {"401", "403"} <= op["responses"].keys(), path
            continue
        content = op["requestBody"]["content"]
        media = next(iter(content.values()))
        ref = media.get("schema", {}).get("$ref")
        example = media.get("example") or (
            spec["components"]["schemas"][ref.split("/")[-1]].get("examples") if ref else None
        )
        assert example, f"no example for POST {path}"
