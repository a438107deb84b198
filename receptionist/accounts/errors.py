"""Errors of the accounts package::

    AccountsError
    ├── InvalidCredentials        wrong email or password (never says which)
    ├── TooManyAttempts           sign-in rate limit hit; ``retry_after_s`` says when to retry
    ├── AccountInputError (ValueError)
    │   ├── InvalidEmail
    │   ├── WeakPassword
    │   └── InvalidRole
    ├── AccountExists (ValueError)  an email or token name already taken
    └── AccountNotFound (LookupError)  no such user or token

The ``ValueError``/``LookupError`` bases let the CLI show them as one-line user errors.
"""

from __future__ import annotations

__all__ = [
    "AccountExists",
    "AccountInputError",
    "AccountNotFound",
    "AccountsError",
    "InvalidCredentials",
    "InvalidEmail",
    "InvalidRole",
    "TooManyAttempts",
    "WeakPassword",
]


class AccountsError(Exception):
    """Root of the accounts errors."""


class InvalidCredentials(AccountsError):
    def __init__(self) -> None:
        super().__init__("wrong email or password")


class TooManyAttempts(AccountsError):
    def __init__(self, retry_after_s: int, scope: str) -> None:
        minutes = max(1, (retry_after_s + 59) // 60)
        super().__init__(
            f"too many failed sign-ins {scope}; try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}"
        )
        self.retry_after_s = retry_after_s


class AccountInputError(AccountsError, ValueError):
    """Bad input the user can fix."""


class InvalidEmail(AccountInputError):
    pass


class WeakPassword(AccountInputError):
    pass


class InvalidRole(AccountInputError):
    pass


class AccountExists(AccountsError, ValueError):
    pass


class AccountNotFound(AccountsError, LookupError):
    pass
