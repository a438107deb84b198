"""The per-process business cache: answers from memory, and never serves a business changed by
another process (the CLI, another instance) after that change committed."""

from __future__ import annotations

from sqlalchemy import event, select

from receptionist.core import (
    Business,
    BusinessDirectory,
    Database,
    PhoneNumber,
    TeamMember,
    TenancyRevision,
    get_business,
)
from receptionist.telephony.models import Call, CallEvent
from scripts.doubles.factories import BUSINESS_NUMBER, TEAM_PHONE_2, add_business
from tests.support.calls import call_params, new_call_sid
from textback import Decision, Message

OTHER_NUMBER = "+12025550177"


def count_business_loads(db: Database) -> list[str]:
    loads: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if "FROM businesses" in statement:
            loads.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    return loads


async def revision(db: Database) -> int:
    async with db.transaction() as s:
        return await s.scalar(select(TenancyRevision.revision)) or 0


async def test_unchanged_businesses_are_served_from_memory(db):
    await add_business(db)
    directory = BusinessDirectory(db)
    first = await directory.for_number(BUSINESS_NUMBER)
    loads = count_business_loads(db)
    again = await directory.for_number(BUSINESS_NUMBER)
    assert again is first and first is not None and first.name == "Greenfield Plumbing"
    assert loads == []
    assert [m.phone for m in first.team] and first.primary_number == BUSINESS_NUMBER


async def test_a_change_committed_elsewhere_is_seen_at_once(db):
    business_id = await add_business(db)
    directory = BusinessDirectory(db)
    assert (await directory.for_number(BUSINESS_NUMBER)).routing == "ring_then_textback"
    assert await directory.for_number(OTHER_NUMBER) is None

    other_process = Database(db.url)  # as the CLI would: its own engine and sessions
    try:
        async with other_process.transaction() as s:
            business = await get_business(s, business_id)
            business.routing = "textback"
        assert (await directory.for_number(BUSINESS_NUMBER)).routing == "textback"

        async with other_process.transaction() as s:
            s.add(TeamMember(business_id=business_id, name="Sam", phone=TEAM_PHONE_2,
                             receives="replies"))
        team = (await directory.for_number(BUSINESS_NUMBER)).team
        assert TEAM_PHONE_2 in [m.phone for m in team]

        async with other_process.transaction() as s:  # a number that was unknown is added
            s.add(PhoneNumber(business_id=business_id, number=OTHER_NUMBER))
        assert (await directory.for_number(OTHER_NUMBER)).id == business_id

        async with other_process.transaction() as s:
            number = await s.scalar(select(PhoneNumber).where(PhoneNumber.number == OTHER_NUMBER))
            await s.delete(number)
        assert await directory.for_number(OTHER_NUMBER) is None
    finally:
        await other_process.dispose()


async def test_only_tenancy_changes_bump_the_revision(db):
    business_id = await add_business(db)
    before = await revision(db)
    assert before >= 1
    async with db.transaction() as s:  # unrelated writes leave cached businesses valid
        s.add(Call(call_sid=new_call_sid(), business_id=business_id))
    assert await revision(db) == before
    async with db.transaction() as s:  # a read of a business changes nothing either
        await get_business(s, business_id)
    assert await revision(db) == before
    async with db.transaction() as s:
        (await s.get(Business, business_id)).name = "Greenfield Plumbing & Heating"
    assert await revision(db) == before + 1


async def test_webhooks_follow_a_routing_change_made_while_serving(server, webhooks, db):
    business_id = await add_business(db)
    r = await webhooks.post("/twilio/voice", call_params(new_call_sid()))
    assert "<Dial" in r.text  # ring_then_textback rings the team first
    async with db.transaction() as s:  # what `receptionist business update` does
        (await get_business(s, business_id)).routing = "textback"
    r = await webhooks.post("/twilio/voice", call_params(new_call_sid()))
    assert r.status_code == 200 and "<Dial" not in r.text and "<Hangup" in r.text


async def test_a_missed_call_decided_after_a_change_follows_it_and_writes_once(server, webhooks,
                                                                                db):
    """The status callback takes the business cached by the incoming call without reading; a
    change committed in between is caught in its transaction, which rolls back and runs again
    on the business as changed: the decision follows the change, and nothing is written
    twice."""
    business_id = await add_business(db)
    sid = new_call_sid()
    r = await webhooks.post("/twilio/voice", call_params(sid))
    assert r.status_code == 200 and "<Dial" in r.text  # the business is cached now
    async with db.transaction() as s:  # what `receptionist business update` does
        (await get_business(s, business_id)).textback_enabled = False
    r = await webhooks.post("/twilio/voice/status", call_params(sid, CallStatus="no-answer"))
    assert r.status_code == 204
    async with db.transaction() as s:
        kinds = list((await s.execute(
            select(CallEvent.kind).where(CallEvent.call_sid == sid).order_by(CallEvent.id)
        )).scalars())
        decision = (await s.execute(select(Decision).where(Decision.call_sid == sid))).scalar_one()
        texts = list((await s.execute(select(Message).where(Message.call_sid == sid))).scalars())
    assert kinds == ["IncomingCall", "CallEnded"]
    assert (decision.action, decision.skip_reason) == ("skip", "disabled")
    assert texts == []
