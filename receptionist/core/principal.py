"""Who is calling a route, and which businesses they may see.

The access layer (``receptionist.accounts``) recognises a session cookie or a bearer token and
puts a ``Principal`` on ``request.state.principal``; routes name what they need with the
dependencies here, so subsystem routers (``knowledge``, ``calendar_sync``) can check access
without importing the accounts package::

    @router.get("/api/things/{ref}")
    async def things(ref: str, principal: CurrentPrincipal) -> ...:
        principal.require(business.id)     # 404 for another tenant's object

Pages use ``PagePrincipal`` instead: an anonymous visitor is sent to ``/login`` rather than
answered 401.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, HTTPException
from starlette.requests import HTTPConnection

__all__ = [
    "CurrentPrincipal",
    "NotSignedIn",
    "PagePrincipal",
    "Principal",
    "PrincipalKind",
    "Role",
    "current_principal",
    "page_principal",
]


class Role(StrEnum):
    OWNER = "owner"
    STAFF = "staff"
    ADMIN = "admin"  # an operator: every business


class PrincipalKind(StrEnum):
    USER = "user"  # a signed-in person (session cookie)
    TOKEN = "token"  # an API token (Authorization: Bearer)


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    role: Role
    subject: str  # the user's email or the token's name
    business_id: int | None  # None only for operators
    user_id: int | None = None
    token_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def may_see(self, business_id: int | None) -> bool:
        return self.is_admin or (business_id is not None and business_id == self.business_id)

    def require(self, business_id: int | None) -> None:
        """404, never 403, for another tenant's object: its existence is not ours to confirm."""
        if not self.may_see(business_id):
            raise HTTPException(404, "not found")

    def scope(self, business_id: int | None) -> int | None:
        """The business a list should show: the caller's own, or (operators only) the one asked
        for, ``None`` meaning all."""
        if self.is_admin:
            return business_id
        if business_id is not None and business_id != self.business_id:
            raise HTTPException(404, "not found")
        return self.business_id


class NotSignedIn(Exception):
    """Raised for an anonymous visitor to a page; the app answers with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def _principal_of(connection: HTTPConnection) -> Principal | None:
    principal = getattr(connection.state, "principal", None)
    return principal if isinstance(principal, Principal) else None


def current_principal(connection: HTTPConnection) -> Principal:
    principal = _principal_of(connection)
    if principal is None:
        raise HTTPException(401, "sign in or send Authorization: Bearer <token>",
                            headers={"WWW-Authenticate": "Bearer"})
    return principal


def page_principal(connection: HTTPConnection) -> Principal:
    principal = _principal_of(connection)
    if principal is None:
        raise NotSignedIn(connection.url.path)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
PagePrincipal = Annotated[Principal, Depends(page_principal)]
