"""The OpenAI REST error shape, shared by the HTTP double's endpoints."""

from __future__ import annotations

import uuid
from typing import Any

__all__ = ["ApiError", "JsonObject", "new_id"]

JsonObject = dict[str, Any]


def new_id(prefix: str, length: int = 24) -> str:
    return f"{prefix}{uuid.uuid4().hex[:length]}"


class ApiError(Exception):
    """Becomes ``{"error": {message, type, param, code}}`` with this HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> JsonObject:
        return {
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code,
            }
        }

    @classmethod
    def missing(cls, param: str) -> ApiError:
        return cls(
            400,
            f"Missing required parameter: '{param}'.",
            param=param,
            code="missing_required_parameter",
        )

    @classmethod
    def not_in_double(cls, what: str) -> ApiError:
        """The real API supports this; the double does not fake it. Say so plainly."""
        return cls(400, f"{what} is not implemented by the OpenAI HTTP double.", code="double")
