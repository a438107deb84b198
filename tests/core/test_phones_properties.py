"""Property tests on phone numbers: anything typed either normalises to E.164 or raises
:class:`InvalidPhoneNumber`, and normalising is idempotent."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from receptionist.core.phones import (
    InvalidPhoneNumber,
    is_anonymous,
    mask,
    normalize,
    pretty,
    try_normalize,
)

pytestmark = pytest.mark.slow  # a property search

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
FAST = settings(max_examples=200, deadline=None)
TYPED = st.one_of(
    st.text(max_size=40),
    st.text("0123456789+-() .x#*ext", max_size=25),
    st.from_regex(r"\+?1?[ (]?[2-9]\d{2}[) -]?\d{3}[ -]?\d{4}", fullmatch=True),
)
REGIONS = st.sampled_from(["US", "GB", "DE", "IN", "AU", "ZZ", "us", ""])


@FAST
@given(TYPED, REGIONS)
@example("+1 (555) 123-4567", "US")
@example("\x00", "US")
@example("+4420", "ZZ")
def test_normalize_returns_e164_or_raises_its_own_error(raw: str, region: str) -> None:
    try:
        e164 = normalize(raw, region)
    except InvalidPhoneNumber:
        assert try_normalize(raw, region) is None
        return
    assert E164.match(e164), e164
    assert normalize(e164, region) == e164
    assert normalize(e164, "GB") == e164  # the E.164 form no longer depends on the region
    assert phonenumbers.is_valid_number(phonenumbers.parse(e164, None))
    assert try_normalize(raw, region) == e164


@FAST
@given(st.text(max_size=40))
def test_helpers_never_raise(raw: str) -> None:
    assert isinstance(is_anonymous(raw), bool)
    masked = mask(raw)
    assert len(masked) <= 6
    assert isinstance(pretty(raw), str)
