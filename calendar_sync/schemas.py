"""The JSON bodies of the calendar API: every field typed and bounded (a 422 names the field;
nothing unbounded reaches a calendar server or the database)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

__all__ = ["BookIn", "BusinessParam", "CancelIn", "ConnectIn", "NameParam", "PhoneParam",
           "RescheduleIn", "RulesIn", "ServiceIn", "WhenParam"]

BusinessRef = Annotated[str, Field(min_length=1, max_length=200,
                                   description="Business id, phone number or name")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Phone = Annotated[str, Field(min_length=1, max_length=32)]
When = Annotated[str, Field(min_length=1, max_length=200,
                            description="ISO 8601 time or words: \"tomorrow 9am\"")]
CalendarNames = Annotated[list[Name], Field(max_length=20)]


class ServiceIn(BaseModel):
    business: BusinessRef
    name: Name
    minutes: int = Field(ge=1, le=1440)
    buffer_minutes: int = Field(0, ge=0, le=600)
    buffer_before_minutes: int | None = Field(None, ge=0, le=600)
    buffer_after_minutes: int | None = Field(None, ge=0, le=600)
    calendars: CalendarNames = []


class ConnectIn(BaseModel):
    business: BusinessRef
    url: str = Field(min_length=8, max_length=2048)
    username: str = Field(max_length=256)
    password: str = Field(max_length=1024)
    calendars: CalendarNames = []


class RulesIn(BaseModel):
    business: BusinessRef
    notice_minutes: int | None = Field(None, ge=0, le=60 * 24 * 365)
    horizon_days: int | None = Field(None, ge=1, le=730)
    slot_minutes: int | None = Field(None, ge=1, le=240)


class BookIn(BaseModel):
    business: BusinessRef
    service: Name
    start: When
    name: Name
    phone: Phone
    notes: str = Field("", max_length=2000)
    call_sid: str | None = Field(None, max_length=64)


class CancelIn(BaseModel):
    business: BusinessRef
    phone: Phone
    uid: str | None = Field(None, max_length=500)
    on: str | None = Field(None, max_length=200)


class RescheduleIn(CancelIn):
    start: When


# Query parameters, bounded alike ("when" goes to the date parser: a long one costs CPU).
BusinessParam = Annotated[str, Query(min_length=1, max_length=200)]
NameParam = Annotated[str, Query(min_length=1, max_length=200)]
PhoneParam = Annotated[str | None, Query(max_length=32)]
WhenParam = Annotated[str | None, Query(max_length=200)]
