"""Accounts use cases: users and their passwords, signing in and out, the session a cookie
names, and the first login of a fresh install. API tokens live in ``tokens``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from receptionist.accounts.errors import (
    AccountExists,
    AccountNotFound,
    InvalidCredentials,
    InvalidEmail,
    InvalidRole,
)
from receptionist.accounts.models import User, UserSession
from receptionist.accounts.passwords import hash_password, verify_password
from receptionist.accounts.ratelimit import (
    SignInLimits,
    check_limits,
    clear_failures,
    record_failure,
)
from receptionist.accounts.sessions import CookieSigner, new_secret
from receptionist.accounts.tokens import ApiTokens, digest
from receptionist.core import Business, Clock, Database, Settings, get_business
from receptionist.core.principal import Principal, PrincipalKind, Role

__all__ = ["AccountsService", "SessionView", "SignedIn", "UserInfo", "build_accounts",
           "normalize_email"]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+\Z")


def normalize_email(text: str) -> str:
    email = text.strip().lower()
    if len(email) > 320 or not _EMAIL.match(email):
        raise InvalidEmail(f"{text!r} is not an email address like owner@example.com")
    return email


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    role: Role
    business_id: int | None
    business_name: str | None
    created_at: datetime

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "email": self.email, "role": self.role.value,
                "business_id": self.business_id, "business": self.business_name,
                "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class SignedIn:
    key: str  # goes into the signed cookie; only its digest is stored
    csrf_token: str
    principal: Principal


@dataclass(frozen=True)
class SessionView:
    principal: Principal
    csrf_token: str


def _principal(user: User) -> Principal:
    return Principal(kind=PrincipalKind.USER, role=Role(user.role), subject=user.email,
                     business_id=user.business_id, user_id=user.id)


class AccountsService:
    def __init__(self, db: Database, clock: Clock, cookies: CookieSigner,
                 limits: SignInLimits | None = None) -> None:
        self.db = db
        self.clock = clock
        self.cookies = cookies
        self.limits = limits or SignInLimits()
        self.tokens = ApiTokens(db)

    # Users ---------------------------------------------------------------------------------

    async def add_user(self, email: str, password: str, *, business: str | int | None,
                       role: Role) -> UserInfo:
        email = normalize_email(email)
        if (role is Role.ADMIN) != (business is None):
            raise InvalidRole("an operator (--admin) has no business; an owner or staff member "
                              "needs --business")
        password_hash = await hash_password(password)
        taken = AccountExists(f"{email} already has an account; see `receptionist user list`")
        try:
            async with self.db.transaction() as session:
                biz = await get_business(session, business) if business is not None else None
                if (await session.execute(select(User.id).where(User.email == email))).first():
                    raise taken
                user = User(email=email, password_hash=password_hash, role=role.value,
                            business_id=biz.id if biz else None, created_at=self.clock.now())
                session.add(user)
                await session.flush()
                return UserInfo(user.id, email, role, user.business_id,
                                biz.name if biz else None, user.created_at)
        except IntegrityError as exc:  # the same email added at the same moment elsewhere
            raise taken from exc

    async def list_users(self, business: str | int | None = None) -> list[UserInfo]:
        async with self.db.transaction() as session:
            stmt = (select(User, Business.name).outerjoin(Business, Business.id == User.business_id)
                    .order_by(User.business_id, User.email))
            if business is not None:
                stmt = stmt.where(User.business_id == (await get_business(session, business)).id)
            rows = (await session.execute(stmt)).all()
        return [UserInfo(u.id, u.email, Role(u.role), u.business_id, name, u.created_at)
                for u, name in rows]

    async def has_users(self) -> bool:
        async with self.db.transaction() as session:
            return bool((await session.execute(select(func.count(User.id)))).scalar_one())

    async def _user(self, email: str) -> User:
        async with self.db.transaction() as session:
            user = (await session.execute(
                select(User).where(User.email == normalize_email(email)))).scalars().first()
        if user is None:
            raise AccountNotFound(f"no user {email!r}; see `receptionist user list`")
        return user

    async def remove_user(self, email: str) -> None:
        user = await self._user(email)
        async with self.db.transaction() as session:
            await session.execute(delete(UserSession).where(UserSession.user_id == user.id))
            await session.execute(delete(User).where(User.id == user.id))

    async def set_password(self, email: str, password: str) -> None:
        """A new password ends every session of the user (a stolen cookie stops working)."""
        user = await self._user(email)
        password_hash = await hash_password(password)
        async with self.db.transaction() as session:
            row = await session.get(User, user.id)
            if row is None:
                raise AccountNotFound(f"no user {email!r}")
            row.password_hash = password_hash
            await session.execute(delete(UserSession).where(UserSession.user_id == user.id))

    # Signing in and out --------------------------------------------------------------------

    async def sign_in(self, email: str, password: str, *, address: str,
                      replacing: str | None = None) -> SignedIn:
        # ``replacing``: the session cookie the browser sent, if any.
        """Check the password within the rate limits and start a new session (a fresh key
        and CSRF token every time; the browser's previous session, if any, is ended)."""
        email = email.strip().lower()[:320]
        address = address or "unknown"
        now = self.clock.now()
        async with self.db.transaction() as session:
            await check_limits(session, self.limits, email=email, address=address, now=now)
            user = (await session.execute(select(User).where(User.email == email))) \
                .scalars().first()
        ok = await verify_password(user.password_hash if user else None, password)
        if user is None or not ok:
            async with self.db.transaction() as session:
                await record_failure(session, self.limits, email=email, address=address, now=now)
            raise InvalidCredentials
        key, csrf = new_secret(), new_secret()
        async with self.db.transaction() as session:
            await clear_failures(session, email)
            # Expired sessions (anyone's) are swept here: sign-ins are rare, the table small.
            await session.execute(delete(UserSession).where(UserSession.expires_at < now))
            old_key = self.cookies.session_key(replacing) if replacing else None
            if old_key is not None:  # the browser's earlier session, whoever it was
                await session.execute(delete(UserSession).where(
                    UserSession.key_hash == digest(old_key)))
            session.add(UserSession(
                key_hash=digest(key), user_id=user.id, csrf_token=csrf, created_at=now,
                expires_at=now + timedelta(seconds=self.cookies.session_ttl_s)))
        return SignedIn(key, csrf, _principal(user))

    async def session(self, cookie_value: str) -> SessionView | None:
        """The signed-in user a session cookie names, or None (forged, expired, signed out)."""
        key = self.cookies.session_key(cookie_value)
        if key is None:
            return None
        async with self.db.transaction() as session:
            row = (await session.execute(
                select(UserSession, User).join(User, User.id == UserSession.user_id)
                .where(UserSession.key_hash == digest(key)))).first()
        if row is None:
            return None
        user_session, user = row
        if user_session.expires_at <= self.clock.now():
            return None
        return SessionView(_principal(user), user_session.csrf_token)

    async def sign_out(self, cookie_value: str) -> None:
        key = self.cookies.session_key(cookie_value)
        if key is None:
            return
        async with self.db.transaction() as session:
            await session.execute(delete(UserSession).where(UserSession.key_hash == digest(key)))

    async def principal_for_token(self, raw: str) -> Principal | None:
        return await self.tokens.principal_for(raw)

    # A fresh install -------------------------------------------------------------------------

    async def first_login(self, email: str, password: str, business: str | int) -> UserInfo | None:
        """The owner login ``./scripts/run`` creates when nobody can sign in yet; None when
        there are users already."""
        if await self.has_users():
            return None
        return await self.add_user(email, password, business=business, role=Role.OWNER)


def build_accounts(db: Database, clock: Clock, settings: Settings) -> AccountsService:
    """The accounts service for the composition root and the command line."""
    return AccountsService(db, clock, CookieSigner(
        settings.secret_key_bytes(), secure=settings.is_https,
        session_ttl_s=settings.session_ttl_hours * 3600))
