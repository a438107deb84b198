"""How a route reaches the app's services: the one place that reads ``app.state``.

The composition root puts its built ``Services`` on ``app.state.services``; a route names the part
it needs with a typed key, used as a FastAPI dependency::

    KNOWLEDGE: Provided[KnowledgeService] = Provided("knowledge")

    @router.get("/x")
    async def x(service: Annotated[KnowledgeService, Depends(KNOWLEDGE)]) -> ...

Subsystem routers declare their own keys here-style (they may not import the app); the app's
routes use the aliases in ``receptionist.deps``.
"""

from typing import Generic, TypeVar, cast

from fastapi import HTTPException
from starlette.requests import HTTPConnection

__all__ = ["Provided", "all_services", "services_of"]

T = TypeVar("T")


def services_of(connection: HTTPConnection) -> object:
    """The whole ``Services`` the composition root built (middleware, benchmarks)."""
    services = getattr(connection.app.state, "services", None)
    if services is None:
        raise HTTPException(503, "the app is not started")
    return cast(object, services)


async def all_services(connection: HTTPConnection) -> object:
    """:func:`services_of` as a dependency. ``async`` like every dependency here: FastAPI runs
    a plain function dependency in its thread pool, a thread hop per request for a lookup."""
    return services_of(connection)


class Provided(Generic[T]):
    """A FastAPI dependency returning the app's service called ``name``; 503 when that part was
    not built (e.g. no voice runtime), or ``None`` for an ``optional`` key."""

    def __init__(self, name: str, *, optional: bool = False) -> None:
        self.name = name
        self.optional = optional

    def get(self, connection: HTTPConnection) -> T:
        """The service, outside dependency injection (e.g. inside another dependency)."""
        value = getattr(services_of(connection), self.name, None)
        if value is None and not self.optional:
            raise HTTPException(503, f"{self.name} is not running")
        return cast(T, value)

    async def __call__(self, connection: HTTPConnection) -> T:
        # async: FastAPI would run a plain method in its thread pool (see all_services)
        return self.get(connection)

    def __repr__(self) -> str:
        return f"Provided({self.name!r})"
