"""The JSON bodies of the knowledge API: every field typed and bounded, so bad input is a 422
that names the field, never a 500 or an unbounded string in the database."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = ["FaqEdit", "NewBusinessOnboardRequest", "OnboardRequest", "ProfileEdit",
           "ServiceEdit"]

Clock = Annotated[str, StringConstraints(pattern=r"^\d{1,2}:\d{2}$", max_length=5)]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Intervals = Annotated[list[tuple[Clock, Clock]], Field(max_length=12)]


class OnboardRequest(BaseModel):
    url: str = Field(min_length=4, max_length=2048)
    max_pages: int | None = Field(None, ge=1, le=1000)


class NewBusinessOnboardRequest(OnboardRequest):
    number: str = Field(min_length=4, max_length=32)


class ServiceEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    price: str | None = Field(None, max_length=100)
    duration_min: int | None = Field(None, ge=1, le=24 * 60)
    description: str | None = Field(None, max_length=2000)


class FaqEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=500)
    answer: str = Field(min_length=1, max_length=4000)


class ProfileEdit(BaseModel):
    """Owner edits: only the fields sent are changed (``null`` clears one)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=32)
    address: str | None = Field(None, max_length=500)
    hours: Annotated[str, Field(max_length=500)] | dict[Day, Intervals] | None = Field(
        None, description='"Mon-Fri 08:00-17:00; Sat 09:00-13:00" or {"mon": [["08:00", '
        '"17:00"]], …}')
    booking_link: str | None = Field(None, max_length=2048)
    services: list[ServiceEdit] | None = Field(None, max_length=200)
    faqs: list[FaqEdit] | None = Field(None, max_length=200)

    def changes(self) -> dict[str, Any]:
        """The fields the owner sent, as plain JSON values."""
        return self.model_dump(mode="json", exclude_unset=True)
