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

Every route declares who may call it, through one of the dependencies here (each carries an
``Access``): ``CurrentPrincipal`` (signed-in), ``PagePrincipal`` (page), ``AdminPrincipal``
(operators), the Twilio signature check (``receptionist.core.webhooks.TwilioForm``, or the
``TwilioSigned`` marker where the handler checks the signature itself) or the ``Public`` marker.
A test walks the app's routes and fails for one that declares none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException
from starlette.requests import HTTPConnection

from receptionist.core.roles import PrincipalKind, Role

__all__ = [
    "Access",
    "AdminPrincipal",
    "CurrentPrincipal",
    "NotSignedIn",
    "PagePrincipal",
    "Principal",
    "PrincipalKind",
    "Public",
    "Role",
    "TwilioSigned",
    "access_declared_by",
    "admin_principal",
    "current_principal",
    "declares_access",
    "page_principal",
    "public",
    "twilio_signed",
]

F = TypeVar("F", bound=Callable[..., Any])


class Access(StrEnum):
    """Who may call a route."""

    PUBLIC = "public"  # anyone: /healthz, /login, static assets
    TWILIO_SIGNED = "twilio-signed"  # Twilio, proven by X-Twilio-Signature
    SIGNED_IN = "signed-in"  # a session or an API token; 401 otherwise
    PAGE = "page"  # a signed-in person in a browser; anonymous visitors go to /login
    ADMIN = "admin"  # operators only


_DECLARED: dict[Callable[..., Any], Access] = {}


def declares_access(access: Access) -> Callable[[F], F]:
    """Mark a dependency as the one that decides who may call the routes using it."""

    def mark(fn: F) -> F:
        _DECLARED[fn] = access
        return fn

    return mark


def access_declared_by(call: object) -> Access | None:
    if not callable(call):
        return None
    try:
        return _DECLARED.get(call)
    except TypeError:  # an unhashable callable declares nothing
        return None


@declares_access(Access.PUBLIC)
def public() -> None:
    """Marks a route as open to anyone: ``@router.get(..., dependencies=[Public])``."""


@declares_access(Access.TWILIO_SIGNED)
def twilio_signed() -> None:
    """Marks a route whose handler checks the Twilio signature itself (the media WebSocket)."""


Public = Depends(public)
TwilioSigned = Depends(twilio_signed)


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

    def may_manage(self, business_id: int | None) -> bool:
        """Change a business's set-up (profile, knowledge, calendar, services, rules): its owner,
        its API tokens and operators; staff members only use it."""
        return self.may_see(business_id) and self.role is not Role.STAFF

    def require_manager(self, business_id: int | None) -> None:
        """404 for another tenant's business; 403 for a staff member of this one."""
        self.require(business_id)
        if not self.may_manage(business_id):
            raise HTTPException(403, "only the business's owner may change its set-up")

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


@declares_access(Access.SIGNED_IN)
def current_principal(connection: HTTPConnection) -> Principal:
    principal = _principal_of(connection)
    if principal is None:
        raise HTTPException(401, "sign in or send Authorization: Bearer <token>",
                            headers={"WWW-Authenticate": "Bearer"})
    return principal


@declares_access(Access.PAGE)
def page_principal(connection: HTTPConnection) -> Principal:
    principal = _principal_of(connection)
    if principal is None:
        raise NotSignedIn(connection.url.path)
    return principal


@declares_access(Access.ADMIN)
def admin_principal(connection: HTTPConnection) -> Principal:
    principal = current_principal(connection)
    if not principal.is_admin:
        raise HTTPException(404, "not found")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
PagePrincipal = Annotated[Principal, Depends(page_principal)]
AdminPrincipal = Annotated[Principal, Depends(admin_principal)]
