"""The signed cookies: the session cookie a signed-in browser carries, and the pre-session
token that protects the sign-in form itself (a double-submit pair).

Both are signed with the app secret (itsdangerous, a distinct salt each), so a cookie cannot be
forged or altered; the session cookie names a server-side session row, so sign-out and a
password change end it everywhere.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.responses import Response

__all__ = ["LOGIN_COOKIE", "SESSION_COOKIE", "CookieSigner", "new_secret"]

SESSION_COOKIE = "receptionist_session"
LOGIN_COOKIE = "receptionist_login"
LOGIN_FORM_TTL_S = 2 * 3600  # a sign-in form left open longer than this is re-shown


def new_secret() -> str:
    """A fresh random value (session keys, CSRF tokens, login nonces): 256 bits."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class CookieSigner:
    secret: bytes
    secure: bool  # PUBLIC_URL is https
    session_ttl_s: int

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=salt)

    # The session cookie --------------------------------------------------------------------

    def session_value(self, key: str) -> str:
        return str(self._serializer("receptionist.session").dumps(key))

    def session_key(self, value: str) -> str | None:
        """The session key in a cookie, or None when it is forged, altered or too old."""
        try:
            key = self._serializer("receptionist.session").loads(value, max_age=self.session_ttl_s)
        except BadSignature:  # SignatureExpired is a BadSignature
            return None
        return key if isinstance(key, str) else None

    def set_session(self, response: Response, key: str) -> None:
        response.set_cookie(SESSION_COOKIE, self.session_value(key), max_age=self.session_ttl_s,
                            path="/", secure=self.secure, httponly=True, samesite="lax")

    def clear_session(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", secure=self.secure, httponly=True,
                               samesite="lax")

    # The sign-in form's token ---------------------------------------------------------------

    def login_pair(self) -> tuple[str, str]:
        """(cookie value, form token): the form token is the signed cookie nonce."""
        nonce = new_secret()
        return nonce, str(self._serializer("receptionist.login").dumps(nonce))

    def login_form_token(self, nonce: str) -> str:
        return str(self._serializer("receptionist.login").dumps(nonce))

    def login_token_ok(self, form_token: str | None, cookie_nonce: str | None) -> bool:
        if not form_token or not cookie_nonce:
            return False
        try:
            nonce = self._serializer("receptionist.login").loads(form_token,
                                                                 max_age=LOGIN_FORM_TTL_S)
        except BadSignature:
            return False
        return isinstance(nonce, str) and hmac.compare_digest(nonce, cookie_nonce)

    def set_login(self, response: Response, nonce: str) -> None:
        response.set_cookie(LOGIN_COOKIE, nonce, max_age=LOGIN_FORM_TTL_S, path="/login",
                            secure=self.secure, httponly=True, samesite="lax")
