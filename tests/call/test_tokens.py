"""Stream tokens: minted per call, redeemed once, before expiry, by the same call only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from receptionist.call.tokens import StreamTokens
from receptionist.core import Database, FixedClock
from scripts.doubles.factories import add_business

CALL = "CA" + "1" * 32


async def test_a_token_is_good_once_for_its_call(db: Database) -> None:
    business = await add_business(db)
    tokens = StreamTokens(db, FixedClock(datetime(2026, 5, 1, tzinfo=UTC)), ttl_s=60)
    token = await tokens.mint(CALL, business)
    assert await tokens.redeem(token, "CA" + "2" * 32) is None  # someone else's call
    grant = await tokens.redeem(token, CALL)
    assert grant is not None and (grant.business_id, grant.sequence) == (business, 1)
    assert not grant.resumed
    assert await tokens.redeem(token, CALL) is None  # used


async def test_expired_forged_and_missing_tokens_are_refused(db: Database) -> None:
    business = await add_business(db)
    clock = FixedClock(datetime(2026, 5, 1, tzinfo=UTC))
    tokens = StreamTokens(db, clock, ttl_s=60)
    token = await tokens.mint(CALL, business)
    clock.advance(timedelta(seconds=61))
    assert await tokens.redeem(token, CALL) is None
    assert await tokens.redeem("forged-" + token, CALL) is None
    assert await tokens.redeem(None, CALL) is None
    assert await tokens.redeem("", CALL) is None
    assert await tokens.redeem("x" * 10_000, CALL) is None


async def test_a_second_stream_of_the_call_is_a_resumed_one(db: Database) -> None:
    business = await add_business(db)
    tokens = StreamTokens(db, FixedClock(datetime(2026, 5, 1, tzinfo=UTC)))
    await tokens.redeem(await tokens.mint(CALL, business), CALL)
    grant = await tokens.redeem(await tokens.mint(CALL, business, new_stream=True), CALL)
    assert grant is not None and grant.resumed and grant.sequence == 2


async def test_racing_streams_cannot_both_redeem(db: Database) -> None:
    business = await add_business(db)
    tokens = StreamTokens(db, FixedClock(datetime(2026, 5, 1, tzinfo=UTC)))
    token = await tokens.mint(CALL, business)
    other = StreamTokens(Database(db.url), tokens.clock)  # a second instance, own pool
    try:
        results = await asyncio.gather(*(t.redeem(token, CALL) for t in (tokens, other) * 4))
    finally:
        await other.db.dispose()
    assert sum(r is not None for r in results) == 1


async def test_a_replayed_webhook_gets_the_same_token_never_a_fresh_one(db: Database) -> None:
    """Replaying a signed /twilio/voice for a live call must not let a second stream in."""
    business = await add_business(db)
    tokens = StreamTokens(db, FixedClock(datetime(2026, 5, 1, tzinfo=UTC)), secret=b"k" * 32)
    first = await tokens.mint(CALL, business)
    assert await tokens.mint(CALL, business) == first  # Twilio's retry: the same token works
    assert await tokens.redeem(first, CALL) is not None  # the call's stream starts
    replayed = await tokens.mint(CALL, business)
    assert replayed == first and await tokens.redeem(replayed, CALL) is None  # spent


async def test_a_new_stream_needs_the_last_one_used(db: Database) -> None:
    business = await add_business(db)
    tokens = StreamTokens(db, FixedClock(datetime(2026, 5, 1, tzinfo=UTC)), secret=b"k" * 32)
    first = await tokens.mint(CALL, business)
    assert await tokens.mint(CALL, business, new_stream=True) == first  # first not used yet
    await tokens.redeem(first, CALL)
    second = await tokens.mint(CALL, business, new_stream=True)
    assert second != first and await tokens.mint(CALL, business) == second


async def test_instances_sharing_the_secret_answer_a_retry_with_the_same_token(
        db: Database) -> None:
    business = await add_business(db)
    clock = FixedClock(datetime(2026, 5, 1, tzinfo=UTC))
    one = StreamTokens(db, clock, secret=b"shared" * 6)
    other = StreamTokens(Database(db.url), clock, secret=b"shared" * 6)
    try:
        minted = await asyncio.gather(one.mint(CALL, business), other.mint(CALL, business))
    finally:
        await other.db.dispose()
    assert minted[0] == minted[1] and await one.redeem(minted[0], CALL) is not None
