"""Who a principal is: a light module, so the command line names roles without the web stack."""

from enum import StrEnum

__all__ = ["PrincipalKind", "Role"]


class Role(StrEnum):
    OWNER = "owner"
    STAFF = "staff"
    ADMIN = "admin"  # an operator: every business


class PrincipalKind(StrEnum):
    USER = "user"  # a signed-in person (session cookie)
    TOKEN = "token"  # an API token (Authorization: Bearer)
