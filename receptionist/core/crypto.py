"""Secrets at rest (calendar passwords, API keys), encrypted with a key from the app secret."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

__all__ = ["SecretBox", "SecretBoxError"]


class SecretBoxError(ValueError):
    """A stored secret cannot be decrypted: the secret key changed or the value was altered."""


class SecretBox:
    def __init__(self, secret_key: bytes) -> None:
        key = base64.urlsafe_b64encode(hashlib.sha256(b"secretbox:" + secret_key).digest())
        self._fernet = Fernet(key)

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretBoxError(
                "cannot decrypt a stored secret: was RECEPTIONIST_SECRET_KEY changed?"
            ) from exc
