"""What the access layer costs an owner request, in-process (ASGI, no network).

    .venv/bin/python scripts/bench_access.py [--requests 300]

Builds the app on a fresh SQLite database with one business, an API token and a signed-in
session, then times sequential requests: ``GET /healthz`` (the baseline: the access layer does
not look for a principal there, as for Twilio's webhooks), ``GET /api/businesses`` with the
bearer token and with the session cookie, the same with the principal handed in by an outer
middleware (the route's own cost: no token or session lookup), and an anonymous
``GET /api/businesses`` (refused with 401). Prints p50/p95 per kind beside the machine
reference.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The imports below need ROOT on sys.path.
# ruff: noqa: E402
from receptionist.accounts import SESSION_COOKIE, build_accounts
from receptionist.app import create_app
from receptionist.cli import upgrade_database
from receptionist.core import Database, Settings, SystemClock
from receptionist.core.principal import Principal, PrincipalKind
from receptionist.core.roles import Role
from receptionist.services import Overrides
from scripts.doubles.factories import add_business
from scripts.machine_ref import machine_reference


class GivenPrincipal:
    """The comparison: the principal is already known, so the access layer looks nothing up."""

    def __init__(self, app: object) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        if scope["type"] == "http" and scope["path"] == "/api/businesses" and not any(
                k in (b"authorization", b"cookie") for k, _ in scope["headers"]):
            scope.setdefault("state", {})["principal"] = Principal(
                PrincipalKind.TOKEN, Role.OWNER, "bench", 1)
        await self.app(scope, receive, send)  # type: ignore[operator]


async def _time(client: httpx.AsyncClient, n: int, expect: int, **kwargs: object) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        r = await client.get(**kwargs)  # type: ignore[arg-type]
        times.append((time.perf_counter() - started) * 1000)
        assert r.status_code == expect, (kwargs, r.status_code, r.text)
    return times


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        settings = Settings(database_url=url, data_dir=Path(tmp), secret_key="bench", demo=False)
        await asyncio.to_thread(upgrade_database, url)
        db = Database(url)
        await add_business(db)
        accounts = build_accounts(db, SystemClock(), settings)
        token = (await accounts.tokens.create(1, "bench")).token
        await accounts.add_user("owner@example.com", "bench password 1", business=1,
                                role=Role.OWNER)
        signed = await accounts.sign_in("owner@example.com", "bench password 1",
                                        address="bench")
        cookie = accounts.cookies.session_value(signed.key)
        await db.dispose()
        app = create_app(settings, Overrides(voice=False, run_workers=False))
        app.add_middleware(GivenPrincipal)  # outermost: only acts on uncredentialed requests
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            kinds = {
                "GET /healthz (baseline)": dict(url="/healthz", expect=200),
                "GET /api/businesses, bearer token": dict(
                    url="/api/businesses", expect=200,
                    headers={"Authorization": f"Bearer {token}"}),
                "GET /api/businesses, session cookie": dict(
                    url="/api/businesses", expect=200,
                    headers={"Cookie": f"{SESSION_COOKIE}={cookie}"}),
                "GET /api/businesses, principal given": dict(url="/api/businesses",
                                                             expect=200),
            }
            for spec in kinds.values():  # warm up every path
                await _time(client, 20, **spec)  # type: ignore[arg-type]
            print(machine_reference())
            # Round-robin, so a change of load on the machine touches every kind alike.
            times: dict[str, list[float]] = {name: [] for name in kinds}
            for _ in range(n):
                for name, spec in kinds.items():
                    times[name] += await _time(client, 1, **spec)  # type: ignore[arg-type]
            for name, got in times.items():
                q = statistics.quantiles(got, n=20)
                print(f"{name:<40} p50 {statistics.median(got):6.2f} ms   "
                      f"p95 {q[18]:6.2f} ms   ({n} requests)")

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    asyncio.run(main(parser.parse_args().requests))
