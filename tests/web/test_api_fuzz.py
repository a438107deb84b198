"""schemathesis against the app's own OpenAPI schema, in-process over ASGI: whatever a client
sends that the schema allows or not, the answer is never a server error. Bounded: a few dozen
examples per operation, no shrinking past a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import requests.adapters
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import BaseSchema

from receptionist.app import create_app
from receptionist.core import Base, Database, Settings
from scripts.doubles.factories import BUSINESS_NUMBER, add_business, import_all_models
from tests.support.auth import add_token, bearer
from tests.support.settings import make_settings

pytestmark = pytest.mark.slow

EXAMPLES = 30


class _Adapter(requests.adapters.BaseAdapter):
    """schemathesis's in-process adapter, seen by schemathesis as a plain adapter: it counts a
    real adapter's pooled connections through urllib3's pool container, and the urllib3 here is
    urllib3-future (installed with niquests, caldav's HTTP library), whose container differs."""

    def __init__(self, inner: requests.adapters.BaseAdapter) -> None:
        super().__init__()
        self.inner = inner

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        return self.inner.send(request, **kwargs)

    def close(self) -> None:
        self.inner.close()


def _for_the_business(case: schemathesis.Case) -> schemathesis.Case:
    """Half the cases name the business that exists, so they get past the 404 and into the
    code behind it (validation, the calendar, the profile editor)."""
    if case.path_parameters and "ref" in case.path_parameters:
        case.path_parameters["ref"] = "1"
    if isinstance(case.query, dict) and "business" in case.query:
        case.query["business"] = BUSINESS_NUMBER
    if isinstance(case.body, dict) and "business" in case.body:
        case.body["business"] = "1"
    return case


def _client(app: object) -> requests.Session:
    from schemathesis.python.asgi import get_client

    client = get_client(app)  # type: ignore[arg-type]
    adapter = _Adapter(client.adapters["http://"])
    client.mount("http://", adapter)
    client.mount("https://", adapter)
    return client


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[tuple[BaseSchema, requests.Session]]:
    tmp = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite+aiosqlite:///{tmp}/fuzz.db"

    async def prepare(settings: Settings) -> str:
        import_all_models()
        db = Database(url)
        try:
            async with db.engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
            await add_business(db, hours="Mon-Fri 08:00-17:00")
            return await add_token(db, settings)
        finally:
            await db.dispose()

    settings = make_settings(url, None, tmp)
    token = asyncio.run(prepare(settings))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RECEPTIONIST_CALENDAR_EMBEDDED_PORT", "0")
        app = create_app(settings)
        client = _client(app)
        client.headers.update(bearer(token))   # the business's owner, through an API token
        try:
            yield schemathesis.openapi.from_asgi("/openapi.json", app,
                                                 headers=bearer(token)), client
        finally:
            from schemathesis.python.asgi import shutdown_lifespans

            shutdown_lifespans()


# The operations in this many shares, one test each, so parallel workers split the work.
SHARES = 4


@pytest.mark.parametrize("share", range(SHARES))
def test_no_server_errors(api: tuple[BaseSchema, requests.Session], share: int) -> None:
    """Every operation of one share, one after another (schemathesis's pytest plug-in does not
    run on this pytest); all failures are collected so one run shows them all."""
    api_schema, client = api
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= SHARES * 4  # the schema lists the API, not an empty page
    for operation in operations[share::SHARES]:
        generated = operation.as_strategy()

        @given(case=st.one_of(generated, generated.map(_for_the_business)))
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def no_server_error(case: schemathesis.Case) -> None:
            case.call_and_validate(session=client, checks=[not_a_server_error])

        try:
            no_server_error()
        except Exception as exc:  # collect them all, report at the end
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
