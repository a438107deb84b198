"""Accounts and access: users (owners and staff of one business, or operators), their
sessions, API tokens, and the access layer that tells every route who is calling.

The kernel's ``receptionist.core.principal`` is the contract routes use; this package fills it.
Names are imported on first use (PEP 562), so the command line's user and token commands do
not load the web stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from receptionist.accounts.errors import (
        AccountExists,
        AccountInputError,
        AccountNotFound,
        AccountsError,
        InvalidCredentials,
        TooManyAttempts,
    )
    from receptionist.accounts.middleware import AccessMiddleware
    from receptionist.accounts.passwords import generate_password
    from receptionist.accounts.policy import RouteAccess, route_table
    from receptionist.accounts.ratelimit import SignInLimits
    from receptionist.accounts.routes import router, safe_next
    from receptionist.accounts.service import (
        AccountsService,
        SessionView,
        SignedIn,
        UserInfo,
        build_accounts,
    )
    from receptionist.accounts.sessions import LOGIN_COOKIE, SESSION_COOKIE, CookieSigner
    from receptionist.accounts.tokens import NewToken, TokenInfo

_WHERE = {
    "AccountExists": "errors", "AccountInputError": "errors", "AccountNotFound": "errors",
    "AccountsError": "errors", "InvalidCredentials": "errors", "TooManyAttempts": "errors",
    "AccessMiddleware": "middleware", "generate_password": "passwords",
    "RouteAccess": "policy", "route_table": "policy", "SignInLimits": "ratelimit",
    "router": "routes", "safe_next": "routes", "AccountsService": "service",
    "SessionView": "service", "SignedIn": "service", "UserInfo": "service",
    "build_accounts": "service", "LOGIN_COOKIE": "sessions", "SESSION_COOKIE": "sessions",
    "CookieSigner": "sessions", "NewToken": "tokens", "TokenInfo": "tokens",
}

__all__ = [
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "AccessMiddleware",
    "AccountExists",
    "AccountInputError",
    "AccountNotFound",
    "AccountsError",
    "AccountsService",
    "CookieSigner",
    "InvalidCredentials",
    "NewToken",
    "RouteAccess",
    "SessionView",
    "SignInLimits",
    "SignedIn",
    "TokenInfo",
    "TooManyAttempts",
    "UserInfo",
    "build_accounts",
    "generate_password",
    "route_table",
    "router",
    "safe_next",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
