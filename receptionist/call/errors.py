"""Errors of the media server.

    MediaError                  root
    └── CallControlError        hang-up or transfer failed; ``transient`` says if a retry may work

A failed hang-up is logged and the stream is closed anyway (which ends ``<Connect>``); a failed
transfer becomes a ``TransferFailed`` event: the agent apologises and takes a message.
"""

from __future__ import annotations

__all__ = ["CallControlError", "MediaError"]


class MediaError(Exception):
    """Root of the media server's errors."""


class CallControlError(MediaError):
    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
