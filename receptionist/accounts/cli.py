"""``receptionist user …`` and ``receptionist token …``: who may sign in, and API tokens.

Only typer and the kernel are imported here; the accounts service (argon2, the web stack) is
loaded when a command runs, so ``receptionist --help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from receptionist.core.cli_support import cli_settings, fail, open_db, print_json, run
from receptionist.core.roles import Role

if TYPE_CHECKING:
    from receptionist.accounts.service import AccountsService
    from receptionist.core import Database, Settings

__all__ = ["first_login", "token_app", "user_app"]

user_app = typer.Typer(help="People who sign in to the web app: owners, staff, operators.",
                       no_args_is_help=True)
token_app = typer.Typer(help="API tokens (Authorization: Bearer …), each for one business.",
                        no_args_is_help=True)

BusinessRef = Annotated[str | None, typer.Option("--business",
                                                 help="Business id or number (+1…).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
PasswordOpt = Annotated[str | None, typer.Option(
    "--password", help="The password; '-' reads it from standard input; asked for when absent.")]


def _accounts(db: Database, settings: Settings) -> AccountsService:
    from receptionist.accounts.service import build_accounts
    from receptionist.core import SystemClock

    return build_accounts(db, SystemClock(), settings)


def _password(value: str | None) -> str:
    if value == "-":
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            fail("no password on standard input")
        return password
    if value is not None:
        return value
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Option(help="Their sign-in email.")],
    business: BusinessRef = None,
    admin: Annotated[bool, typer.Option("--admin", help="An operator: sees every business.")]
        = False,
    role: Annotated[str, typer.Option(help="owner or staff.")] = "owner",
    password: PasswordOpt = None,
    as_json: Json = False,
) -> None:
    """Add a user who signs in with email and password."""
    if admin and business is not None:
        fail("--admin users see every business; leave out --business")
    if not admin and business is None:
        fail("give --business +1…|ID (or --admin for an operator)")
    if role not in (Role.OWNER.value, Role.STAFF.value):
        fail("--role is owner or staff (operators: --admin)")
    secret = _password(password)
    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db:
            user = await _accounts(db, settings).add_user(
                email, secret, business=business, role=Role.ADMIN if admin else Role(role))
        if as_json:
            print_json(user.to_json())
            return
        where = "every business" if user.business_id is None else \
            f"{user.business_name} (business {user.business_id})"
        typer.secho(f"Added {user.email} ({user.role.value}) for {where}.",
                    fg=typer.colors.GREEN)

    run(go)


@user_app.command("list")
def user_list(business: BusinessRef = None, as_json: Json = False) -> None:
    """Users, by business."""
    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db:
            users = await _accounts(db, settings).list_users(business)
        if as_json:
            print_json([u.to_json() for u in users])
            return
        if not users:
            typer.echo("No users yet: receptionist user add --business +1… --email …")
        for u in users:
            where = "all businesses" if u.business_id is None else \
                f"{u.business_name} ({u.business_id})"
            typer.echo(f"{u.email:<40} {u.role.value:<6} {where}")

    run(go)


@user_app.command("remove")
def user_remove(email: Annotated[str, typer.Argument(help="The user's email.")]) -> None:
    """Remove a user; their sessions end at once."""
    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db:
            await _accounts(db, settings).remove_user(email)
        typer.secho(f"Removed {email}.", fg=typer.colors.GREEN)

    run(go)


@user_app.command("password")
def user_password(email: Annotated[str, typer.Argument(help="The user's email.")],
                  password: PasswordOpt = None) -> None:
    """Set a new password; the user's sessions end (they sign in again)."""
    secret = _password(password)
    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db:
            await _accounts(db, settings).set_password(email, secret)
        typer.secho(f"Password changed for {email}; their sessions were ended.",
                    fg=typer.colors.GREEN)

    run(go)


@token_app.command("create")
def token_create(
    business: Annotated[str, typer.Option(help="Business id or number (+1…).")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'crm-sync'.")],
    as_json: Json = False,
) -> None:
    """Create an API token for one business; it is printed once and stored only hashed."""
    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db:
            new = await _accounts(db, settings).tokens.create(business, name)
        if as_json:
            print_json(new.to_json())
            return
        typer.secho(f"Token {new.info.name!r} for business {new.info.business_id}. It is shown "
                    "only now; send it as 'Authorization: Bearer <token>':",
                    fg=typer.colors.GREEN, err=True)
        typer.echo(new.token)

    run(go)


@token_app.command("list")
def token_list(business: BusinessRef = None, as_json: Json = False) -> None:
    """API tokens (names and businesses; the tokens themselves are not kept)."""
    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db:
            tokens = await _accounts(db, settings).tokens.list(business)
        if as_json:
            print_json([t.to_json() for t in tokens])
            return
        if not tokens:
            typer.echo("No tokens: receptionist token create --business +1… --name …")
        for t in tokens:
            typer.echo(f"{t.id:>4}  {t.name:<30} business {t.business_id}  "
                       f"created {t.created_at:%Y-%m-%d %H:%M} UTC")

    run(go)


@token_app.command("revoke")
def token_revoke(ref: Annotated[str, typer.Argument(help="The token's id or name.")],
                 business: BusinessRef = None) -> None:
    """Revoke a token: requests with it are refused (401) from now on."""
    settings = cli_settings()

    async def go() -> None:
        async with open_db(settings) as db:
            info = await _accounts(db, settings).tokens.revoke(ref, business)
        typer.secho(f"Revoked token {info.name!r} (id {info.id}, business {info.business_id}).",
                    fg=typer.colors.GREEN)

    run(go)


DEMO_OWNER_EMAIL = "owner@example.com"


async def first_login(db: Database, settings: Settings, business: str | int | None,
                      sign_in_url: str) -> bool:
    """With nobody able to sign in yet, create an owner login for ``business`` and print how
    to sign in (the password is generated and shown only here). True when one was made."""
    from receptionist.accounts.passwords import generate_password

    accounts = _accounts(db, settings)
    if await accounts.has_users():
        return False
    if business is None:
        typer.secho("Nobody can sign in yet: add a user with\n  receptionist user add "
                    "--business +1… --email you@example.com", fg=typer.colors.YELLOW, err=True)
        return False
    password = generate_password()
    user = await accounts.first_login(DEMO_OWNER_EMAIL, password, business)
    if user is None:
        return False
    typer.secho(f"Sign in at {sign_in_url}\n  email:    {user.email}\n  password: {password}\n"
                f"(shown only now; change it with `receptionist user password {user.email}`)",
                fg=typer.colors.CYAN, bold=True, err=True)
    return True
