"""Which routes are open, and the table of every route with the access it declares.

``route_table(app)`` reads the app's router (following included routers however deep) and
returns each route's declared ``Access``; a route that declares none has ``access=None``, which
the route-table test reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.params import Depends
from fastapi.routing import APIRoute, APIWebSocketRoute
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from receptionist.core.principal import Access, access_declared_by

__all__ = ["OPEN_PATHS", "RouteAccess", "declared_access", "is_open_path", "route_table",
           "skips_sign_in"]

# Answer without a principal. Everything else needs a session or a token, whatever its route
# declares (a route that forgot to declare is still not open to the internet).
OPEN_PATHS = frozenset({"/healthz", "/login", "/logout"})
_NO_SIGN_IN_PREFIXES = ("/twilio/", "/static/")

# The strictest declaration wins when a route names several.
_PRECEDENCE = [Access.ADMIN, Access.PAGE, Access.SIGNED_IN, Access.TWILIO_SIGNED, Access.PUBLIC]


def skips_sign_in(path: str) -> bool:
    """Paths whose callers never carry a session or token (Twilio, static files): the access
    layer does not even look for one."""
    return path.startswith(_NO_SIGN_IN_PREFIXES) or path == "/healthz"


def is_open_path(path: str) -> bool:
    return skips_sign_in(path) or path in OPEN_PATHS


def _calls(dependant: Dependant | None) -> Iterator[object]:
    if dependant is None:
        return
    for dep in dependant.dependencies:
        yield dep.call
        yield from _calls(dep)


def declared_access(dependant: Dependant | None,
                    extra: Iterable[Depends] = ()) -> Access | None:
    found = {access_declared_by(call) for call in _calls(dependant)}
    found |= {access_declared_by(dep.dependency) for dep in extra}
    return next((a for a in _PRECEDENCE if a in found), None)


@dataclass(frozen=True)
class RouteAccess:
    path: str
    methods: frozenset[str]  # {"WEBSOCKET"} for a WebSocket route
    access: Access | None
    route: BaseRoute

    @property
    def is_page(self) -> bool:
        return self.access is Access.PAGE


def _walk(routes: Iterable[Any], prefix: str, deps: list[Depends]) -> Iterator[RouteAccess]:
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:  # FastAPI keeps an included router as one node
            context = getattr(route, "include_context", None)
            yield from _walk(original.routes, prefix + getattr(context, "prefix", ""),
                             [*deps, *getattr(context, "dependencies", [])])
        elif isinstance(route, APIRoute):
            yield RouteAccess(prefix + route.path, frozenset(route.methods or ()),
                              declared_access(route.dependant, deps), route)
        elif isinstance(route, APIWebSocketRoute):
            yield RouteAccess(prefix + route.path, frozenset({"WEBSOCKET"}),
                              declared_access(route.dependant, deps), route)
        elif isinstance(route, Mount) and isinstance(route.app, StaticFiles):
            path = prefix + route.path
            yield RouteAccess(path, frozenset({"GET", "HEAD"}),
                              Access.PUBLIC if path == "/static" else None, route)
        elif isinstance(route, Mount) and getattr(route, "routes", None):
            yield from _walk(route.routes, prefix + route.path, deps)
        else:  # a plain Starlette route cannot carry a declaration
            yield RouteAccess(prefix + str(getattr(route, "path", "?")),
                              frozenset(getattr(route, "methods", None) or ()), None, route)


def route_table(app: Any) -> list[RouteAccess]:
    return list(_walk(app.router.routes, "", list(getattr(app.router, "dependencies", []))))
