"""Accounts and access: users (owners and staff of one business, or operators), their
sessions, API tokens, and the access layer that tells every route who is calling.

The kernel's ``receptionist.core.principal`` is the contract routes use; this package fills it.
Names are imported on first use (PEP 562), so the command line's user and token commands do
not load the web stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from receptionist.core.lazy import lazy_exports

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
else:
    __getattr__, __dir__ = lazy_exports(__name__, __file__)

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
