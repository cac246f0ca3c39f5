"""A short schemathesis run over both hosts' OpenAPI schemas: no server error, only documented status codes.

An outside run found 91 server errors in 9,231 cases (issue 11, item 5). This run is small enough for
every test session (derandomized, a fixed number of examples per operation, no example database), and
covers what the outside run did: schema-valid and schema-violating bodies and parameters, as each kind
of user the host has, with path ids that are sometimes random and sometimes real objects of the school.

Requests go through Django's test client (in-process, inside the test's transaction, rolled back after),
not through a socket: the cases are schemathesis's, the transport is ours.
"""

import contextlib
import json
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import encode_multipart
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.objects import SchoolObjects, school_objects

pytestmark = pytest.mark.django_db

# Examples per operation and generation mode: more for the role that may do everything on the host,
# fewer for the others (most of their answers are the same 403). About 1,100 requests for both hosts.
EXAMPLES = {"regional_admin": 4, "curator_a": 4}
OTHER_EXAMPLES = 2
_schemas: dict[str, Any] = {}
BOUNDARY = "BoUnDaRyStRiNg"


def _schema(client: Client, host: str) -> Any:
    """The host's own OpenAPI document, as the server publishes it (built once per host and session)."""
    if host not in _schemas:
        response = client.get("/api/v1/schema/", {"format": "json"})
        assert response.status_code == 200
        _schemas[host] = schemathesis.openapi.from_dict(response.json())
    return _schemas[host]


def _request(client: Client, case: Any) -> Any:
    """Send a schemathesis case through Django's test client."""
    path = case.formatted_path
    query = urlencode(case.query or {}, doseq=True)
    kwargs: dict[str, Any] = {"QUERY_STRING": query}
    body = case.body
    has_body = type(body).__name__ != "NotSet"
    media = case.media_type or "application/json"
    if not has_body:
        return client.generic(case.method, path, **kwargs)
    if media == "application/json":
        data: bytes | str = json.dumps(body, default=str)
    elif media == "application/x-www-form-urlencoded":
        data = urlencode(body, doseq=True) if isinstance(body, dict) else str(body)
    elif media == "multipart/form-data":
        fields = body if isinstance(body, dict) else {"value": str(body)}
        prepared = {k: _multipart_value(k, v) for k, v in fields.items()}
        data, media = encode_multipart(BOUNDARY, prepared), f"multipart/form-data; boundary={BOUNDARY}"
    else:
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.generic(case.method, path, data, content_type=media, **kwargs)


def _multipart_value(name: str, value: Any) -> Any:
    if isinstance(value, bytes):
        return SimpleUploadedFile(f"{name}.bin", value)
    return value if isinstance(value, str) else json.dumps(value, default=str)


REAL_IDS = {
    # path prefix -> attribute of SchoolObjects (school host) or a callable of the world (region host)
    "/api/v1/people/": "person",
    "/api/v1/consents/": "consent",
    "/api/v1/pairs/": "pair",
    "/api/v1/programmes/": "programme",
    "/api/v1/tasks/": "task",
}


def _real_id(path: str, objs: SchoolObjects | None, world: Any) -> int | None:
    if objs is not None:
        for prefix, attr in REAL_IDS.items():
            if path.startswith(prefix):
                return int(getattr(objs, attr))
        return None
    if path.startswith("/api/v1/municipalities/"):
        return int(world.m1.pk)
    if path.startswith("/api/v1/schools/"):
        return int(world.school_b.pk)
    return None


class _Run:
    """Sends every generated case of every operation and records what breaks the contract."""

    def __init__(self, client: Client, *, examples: int, objs: SchoolObjects | None, world: Any) -> None:
        self.client, self.examples, self.objs, self.world = client, examples, objs, world
        self.calls = 0
        self.problems: list[str] = []

    def operation(self, operation: Any, mode: GenerationMode) -> None:
        documented = {str(code) for code in operation.definition.raw.get("responses", {})}
        real_id = _real_id(operation.path, self.objs, self.world)

        @settings(
            max_examples=self.examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode), real=st.booleans())
        def check(case: Any, real: bool) -> None:
            if real and real_id is not None and case.path_parameters:
                case.path_parameters = dict.fromkeys(case.path_parameters, real_id)
            response = _request(self.client, case)
            self.calls += 1
            status = str(response.status_code)
            label = (
                f"{case.method} {case.formatted_path}?{urlencode(case.query or {})} body={case.body!r:.200}"
            )
            if response.status_code >= 500:
                self.problems.append(f"{status} {label}")
            elif status not in documented:
                self.problems.append(f"undocumented {status} (documented {sorted(documented)}) {label}")

        # Unsatisfiable: nothing to negate (no parameters, no body); the positive run covers the operation.
        with contextlib.suppress(Unsatisfiable):
            check()


def _run(
    schema: Any, client: Client, *, examples: int, objs: SchoolObjects | None, world: Any
) -> tuple[int, list[str]]:
    run = _Run(client, examples=examples, objs=objs, world=world)
    for result in schema.get_all_operations():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run.operation(result.ok(), mode)
    return run.calls, run.problems


@pytest.mark.parametrize("persona", ["regional_admin", "inspector_m1"])
def test_region_api_has_no_server_errors_and_answers_only_documented_codes(host_client, world, persona):
    client = host_client(None, getattr(world, persona))
    examples = EXAMPLES.get(persona, OTHER_EXAMPLES)
    calls, problems = _run(_schema(client, world.host()), client, examples=examples, objs=None, world=world)
    print(f"{persona}: {calls} requests")  # the README's figure: the sum over the five personas
    assert calls > 10 * examples
    assert not problems, f"{len(problems)} of {calls} cases:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("persona", ["curator_a", "mentor_a", "mentee_a"])
def test_school_api_has_no_server_errors_and_answers_only_documented_codes(host_client, world, persona):
    objs = school_objects(
        world.school_a, curator=world.curator_a, mentor=world.mentor_a, mentee=world.mentee_a
    )
    client = host_client(world.school_a, getattr(world, persona))
    examples = EXAMPLES.get(persona, OTHER_EXAMPLES)
    schema = _schema(client, world.host(world.school_a))
    calls, problems = _run(schema, client, examples=examples, objs=objs, world=world)
    print(f"{persona}: {calls} requests")
    assert calls > 10 * examples
    assert not problems, f"{len(problems)} of {calls} cases:\n" + "\n".join(problems[:40])
