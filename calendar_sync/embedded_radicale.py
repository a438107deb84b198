"""The zero-config calendar: Radicale running in this process on a thread.

Data lives under ``<data_dir>/calendars`` (collections and an htpasswd file). Each business is
its own Radicale user (``business-<id>``, rights ``owner_only``) with one calendar,
``/business-<id>/appointments/``; its password is derived from the app's secret key, so nothing
extra is stored and the owner can add that calendar to a phone with those credentials.
``[auth] delay = 0`` (Radicale's default 1 s delay slows every client connect) and successful
logins are cached, so a request costs no password hashing.

Several processes (the server and a CLI command) may serve the same folder at once: Radicale
locks its storage, and the htpasswd file is rewritten under a file lock.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import hashlib
import hmac
import logging
import os
import socket
import tempfile
import threading
import time
from pathlib import Path

from receptionist.core import log_event

__all__ = ["EmbeddedRadicale"]

log = logging.getLogger("calendar_sync.embedded")
CALENDAR_NAME = "Appointments"


class EmbeddedRadicale:
    def __init__(self, folder: Path, *, secret: bytes, host: str = "127.0.0.1",
                 port: int = 5232, public_url: str | None = None) -> None:
        self.folder = Path(folder)
        self.host = host
        self.port = port  # 0 = any free port
        self._secret = secret
        self._public_url = public_url.rstrip("/") + "/" if public_url else None
        self._thread: threading.Thread | None = None
        self._shutdown: socket.socket | None = None
        self._shutdown_peer: socket.socket | None = None
        self._lock = threading.Lock()
        self._users: set[str] = set()
        self.bound_port: int | None = None

    # -- addresses and credentials -------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self.bound_port is None:
            raise RuntimeError("the embedded calendar server is not running")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.bound_port}/"

    @property
    def public_url(self) -> str:
        """What an owner types into a phone (``RECEPTIONIST_CALENDAR_EMBEDDED_PUBLIC_URL`` when
        the server is published behind a proxy, else the local address)."""
        return self._public_url or (self.base_url if self.bound_port else
                                    f"http://{self.host}:{self.port}/")

    @staticmethod
    def username(business_id: int) -> str:
        return f"business-{business_id}"

    @classmethod
    def calendar_path(cls, business_id: int) -> str:
        return f"/{cls.username(business_id)}/appointments/"

    def password(self, business_id: int) -> str:
        digest = hmac.new(self._secret, b"embedded-caldav:" + self.username(business_id).encode(),
                          hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:24]

    def ensure_user(self, business_id: int) -> None:
        """Make sure the business's login is in the htpasswd file (idempotent, process-safe)."""
        user = self.username(business_id)
        if user in self._users:
            return
        from passlib.hash import sha512_crypt  # Radicale's own dependency (libpass)

        password = self.password(business_id)
        self.folder.mkdir(parents=True, exist_ok=True)
        users = self.folder / "users"
        with open(self.folder / "users.lock", "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                lines = users.read_text().splitlines() if users.exists() else []
                entries = dict(line.split(":", 1) for line in lines if ":" in line)
                current = entries.get(user)
                if current is None or not sha512_crypt.verify(password, current):
                    # 5,000 rounds: cheap to check (logins are also cached by Radicale), and the
                    # password is a random 144-bit string, not something a person chose.
                    entries[user] = sha512_crypt.using(rounds=5000).hash(password)
                    fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".users.")
                    with os.fdopen(fd, "w") as out:
                        out.writelines(f"{u}:{h}\n" for u, h in sorted(entries.items()))
                    os.chmod(tmp, 0o600)
                    os.replace(tmp, users)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        self._users.add(user)

    def forget_users(self) -> None:
        """Check the htpasswd file again on next use (another process may have rewritten it)."""
        self._users.clear()

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    async def astart(self) -> None:
        if not self.running:
            await asyncio.to_thread(self.start)

    async def astop(self) -> None:
        if self._thread is not None:
            await asyncio.to_thread(self.stop)

    def start(self) -> None:
        with self._lock:
            if self.running:
                return
            import radicale.config
            import radicale.server

            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / "users").touch(mode=0o600, exist_ok=True)
            port = self._pick_port()
            configuration = radicale.config.load([])
            configuration.update({
                "server": {"hosts": f"{self.host}:{port}"},
                # Radicale reads every item of a calendar on each PUT and REPORT; checking its
                # cache by mtime and size instead of hashing each file makes that cheaper.
                "storage": {"filesystem_folder": str(self.folder / "collections"),
                            "use_mtime_and_size_for_item_cache": "True"},
                "auth": {"type": "htpasswd", "htpasswd_filename": str(self.folder / "users"),
                         "htpasswd_encryption": "sha512", "delay": "0",
                         "cache_logins": "True"},
                "rights": {"type": "owner_only"},
                "web": {"type": "none"},
                "logging": {"level": "warning", "mask_passwords": "True"},
            }, "receptionist", privileged=True)
            logging.getLogger("radicale").setLevel(logging.WARNING)
            self._shutdown, self._shutdown_peer = socket.socketpair()
            self._thread = threading.Thread(
                target=radicale.server.serve, args=(configuration, self._shutdown_peer),
                name="embedded-radicale", daemon=True)
            self._thread.start()
            self._wait_until_listening(port)
            self.bound_port = port
            log_event(log, "calendar.embedded_started", url=self.base_url,
                      folder=str(self.folder))

    def stop(self) -> None:
        with self._lock:
            if self._shutdown is not None:
                self._shutdown.close()
            if self._thread is not None:
                self._thread.join(timeout=10)
            if self._shutdown_peer is not None:
                self._shutdown_peer.close()
            self._thread = self._shutdown = self._shutdown_peer = None
            if self.bound_port is not None:
                log_event(log, "calendar.embedded_stopped", port=self.bound_port)
            self.bound_port = None

    def _pick_port(self) -> int:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((self.host, self.port))
                return int(probe.getsockname()[1])
            except OSError:
                if self.port == 0:
                    raise
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((self.host, 0))
            port = int(probe.getsockname()[1])
        log_event(log, "calendar.embedded_port_taken", logging.WARNING, wanted=self.port,
                  using=port)
        return port

    def _wait_until_listening(self, port: int, timeout_s: float = 15.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._thread is not None and not self._thread.is_alive():
                raise RuntimeError("the embedded calendar server stopped while starting")
            with contextlib.suppress(OSError), socket.create_connection((self.host, port), 0.2):
                return
            time.sleep(0.02)
        raise RuntimeError(f"the embedded calendar server did not start on port {port}")
