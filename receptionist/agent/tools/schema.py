"""The tools' JSON schemas (one definition, shown to every brain) and the server-side check of
arguments against them.

Schemas use the strict subset both APIs accept: every property listed in ``required``, optional
values typed ``["string", "null"]``, ``additionalProperties: false``. ``check_arguments`` enforces
the same schema here, because a model's arguments are never trusted: types, enums, lengths,
unknown keys. Each tool then applies its own rules on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["TOOL_SPECS", "ToolSpec", "chat_tools", "check_arguments", "realtime_tools"]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]

    def chat(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
                "strict": True,
            },
        }

    def realtime(self) -> dict[str, Any]:
        return {
            "type": "function",
            "name": self.name,
            "description": self.description,
            "parameters": self.parameters,
        }


def _obj(props: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def _str(description: str, max_length: int, *, nullable: bool = False) -> dict[str, Any]:
    return {
        "type": ["string", "null"] if nullable else "string",
        "description": description,
        "maxLength": max_length,
    }


def _enum(description: str, values: list[str]) -> dict[str, Any]:
    return {"type": "string", "description": description, "enum": values}


TOOL_SPECS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "search_knowledge",
        "Look up an answer on the business's own website (services, policies, areas served, "
        "parking, payment…). Returns quoted passages and a confidence.",
        _obj({"question": _str("The caller's question, in plain words.", 300)}),
    ),
    ToolSpec(
        "business_info",
        "The business's hours (and whether it is open now), address, services or prices.",
        _obj({"topic": _enum("What to look up.", ["hours", "address", "services", "prices",
                                                   "contact", "all"])}),
    ),
    ToolSpec(
        "find_slots",
        "Free appointment times for a service. 'when' is the caller's words, e.g. 'next Tuesday "
        "after 3', 'tomorrow morning', or 'soonest'. Returns up to three slots; each has a "
        "'slot' value to pass to book and a 'label' to say.",
        _obj({
            "service": _str("The service, as named by the business if possible.", 100),
            "when": _str("Day and time wanted, in the caller's words; 'soonest' if any.", 100),
        }),
    ),
    ToolSpec(
        "book",
        "Book a slot returned by find_slots for the caller (their phone number is already "
        "known). Only after the caller chose the slot, gave their name and confirmed.",
        _obj({
            "service": _str("The service being booked.", 100),
            "slot": _str("The exact 'slot' value from find_slots.", 40),
            "name": _str("The caller's name as they said it.", 80),
        }),
    ),
    ToolSpec(
        "cancel_or_reschedule",
        "The caller's own upcoming bookings, found by the number they are calling from: "
        "'lookup' to hear them, 'cancel' one, or 'reschedule' one to new_slot (a 'slot' value "
        "from find_slots).",
        _obj({
            "action": _enum("What to do.", ["lookup", "cancel", "reschedule"]),
            "booking_id": _str("Which booking (a booking_id from lookup) when the caller has "
                               "several; null otherwise.", 200, nullable=True),
            "new_slot": _str("For reschedule: the 'slot' value from find_slots.", 40,
                             nullable=True),
        }),
    ),
    ToolSpec(
        "take_message",
        "Pass a message from the caller to the team by text. Use when the caller wants a call "
        "back or you can't help.",
        _obj({
            "name": _str("The caller's name, if given.", 80, nullable=True),
            "reason": _str("The message or what they need, in a sentence or two.", 500),
            "urgency": _enum("How urgent it is.", ["normal", "urgent"]),
        }),
    ),
    ToolSpec(
        "send_link",
        "Text the caller a link during the call: the online booking page, the website, or "
        "directions to the address.",
        _obj({"kind": _enum("Which link.", ["booking", "website", "directions"])}),
    ),
    ToolSpec(
        "transfer_to_human",
        "Transfer the call to the team. Say you are transferring first.",
        _obj({"reason": _str("Why, in a few words.", 200)}),
    ),
    ToolSpec(
        "end_call",
        "Hang up after you have said goodbye and the caller has nothing else.",
        _obj({}),
    ),
)

_BY_NAME = {spec.name: spec for spec in TOOL_SPECS}


def chat_tools() -> list[dict[str, Any]]:
    """Tool definitions for Chat Completions (``{"type": "function", "function": {...}}``)."""
    return [spec.chat() for spec in TOOL_SPECS]


def realtime_tools(chat_schemas: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The same tools in the Realtime API's flat shape (``session.tools``)."""
    if chat_schemas is None:
        return [spec.realtime() for spec in TOOL_SPECS]
    out = []
    for schema in chat_schemas:
        fn = schema["function"]
        out.append({"type": "function", "name": fn["name"], "description": fn["description"],
                    "parameters": fn["parameters"]})
    return out


def spec_for(name: str) -> ToolSpec | None:
    return _BY_NAME.get(name)


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "null":
        return value is None
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    return False


def check_arguments(schema: dict[str, Any], args: Any, path: str = "") -> list[str]:
    """Problems with ``args`` against ``schema`` (the subset our tools use); [] when valid."""
    problems: list[str] = []
    kinds = schema.get("type")
    if kinds is not None:
        allowed = kinds if isinstance(kinds, list) else [kinds]
        if not any(_type_ok(args, k) for k in allowed):
            return [f"{path or 'arguments'} must be {' or '.join(allowed)}"]
    if "enum" in schema and args not in schema["enum"]:
        return [f"{path or 'value'} must be one of {', '.join(map(str, schema['enum']))}"]
    if isinstance(args, str) and "maxLength" in schema and len(args) > schema["maxLength"]:
        problems.append(f"{path} is longer than {schema['maxLength']} characters")
    if isinstance(args, dict) and schema.get("type") == "object":
        props: dict[str, Any] = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in args:
                nullable = "null" in (props.get(key, {}).get("type") or [])
                if not nullable:
                    problems.append(f"{key} is required")
        if schema.get("additionalProperties") is False:
            for key in args:
                if key not in props:
                    problems.append(f"unknown argument {key}")
        for key, sub in props.items():
            if key in args:
                problems += check_arguments(sub, args[key], key)
    return problems
