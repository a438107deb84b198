"""schema.org data (JSON-LD, microdata, OpenGraph as given by ``extruct``) → business facts.

Finds the ``LocalBusiness`` (or a subtype such as ``Dentist``, ``Plumber``, ``HairSalon``,
``Restaurant``, ``LegalService``), its services and offers, and ``FAQPage`` questions. Pure
functions over the JSON extruct returns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from knowledge.hours_text import hours_from_schema_spec, hours_from_schema_text

__all__ = ["business_entities", "faqs_from_schema", "format_price", "services_from_schema",
           "walk"]

_BUSINESS_TYPES = {
    "localbusiness", "organization", "dentist", "plumber", "electrician", "hvacbusiness",
    "hairsalon", "beautysalon", "dayspa", "nailsalon", "healthandbeautybusiness", "restaurant",
    "cafeorcoffeeshop", "bakery", "barorpub", "foodestablishment", "fastfoodrestaurant",
    "legalservice", "attorney", "notary", "autorepair", "autobodyshop", "autodealer",
    "medicalbusiness", "medicalclinic", "physician", "optician", "pharmacy", "veterinarycare",
    "healthclub", "exercisegym", "sportsactivitylocation", "homeandconstructionbusiness",
    "generalcontractor", "housepainter", "locksmith", "movingcompany", "roofingcontractor",
    "professionalservice", "accountingservice", "financialservice", "insuranceagency",
    "realestateagent", "store", "childcare", "drycleaningorlaundry", "emergencyservice",
    "lodgingbusiness", "hotel", "travelagency", "selfstorage", "tattooparlor", "animalshelter",
    "petstore", "automotivebusiness", "entertainmentbusiness", "chiropractor", "physiotherapy",
}
_BOOKING_ACTIONS = {"reserveaction", "scheduleaction", "orderaction"}


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in ``node`` (``@graph`` and nested values included)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type") or []
    items = raw if isinstance(raw, list) else [raw]
    return {str(t).rsplit("/", 1)[-1].lower() for t in items}


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or value.get("text")
    if value is None:
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


def _address(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        return _text(value)
    if not isinstance(value, dict):
        return None
    street = _text(value.get("streetAddress"))
    city = _text(value.get("addressLocality"))
    region = _text(value.get("addressRegion"))
    postal = _text(value.get("postalCode"))
    tail = " ".join(p for p in (region, postal) if p)
    parts = [p for p in (street, city, tail) if p]
    return ", ".join(parts) or None


def _country(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return None
    country = _text(value.get("addressCountry"))
    return country.upper() if country and len(country) == 2 else None


def _is_business(node: dict[str, Any]) -> bool:
    types = _types(node)
    if types & _BUSINESS_TYPES:
        return True
    if any(t.endswith(("store", "business", "contractor", "service")) for t in types) and (
            "address" in node or "telephone" in node):
        return "service" not in types
    return False


def business_entities(data: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """LocalBusiness-like entities, most specific first (Organization last)."""
    found = []
    for syntax in ("json-ld", "microdata"):
        for node in walk(data.get(syntax, [])):
            if not _is_business(node):
                continue
            hours = None
            if node.get("openingHoursSpecification"):
                hours = hours_from_schema_spec(node["openingHoursSpecification"])
            if hours is None and node.get("openingHours"):
                hours = hours_from_schema_text(node["openingHours"])
            booking = None
            for action in walk(node.get("potentialAction", [])):
                if _types(action) & _BOOKING_ACTIONS:
                    target = action.get("target")
                    target = target.get("urlTemplate") if isinstance(target, dict) else target
                    booking = _text(target)
            types = _types(node)
            found.append({
                "type": sorted(types)[0] if types else "",
                "generic": types <= {"organization"},
                "name": _text(node.get("name")),
                "telephone": _text(node.get("telephone")),
                "address": _address(node.get("address")),
                "country": _country(node.get("address")),
                "hours": hours.to_json() if hours else None,
                "price_range": _text(node.get("priceRange")),
                "booking_url": booking,
            })
    found.sort(key=lambda b: (b["generic"], -sum(v is not None for v in b.values())))
    return found


def format_price(price: Any, currency: Any = None, prefix: str = "") -> str | None:
    text = _text(price)
    if not text:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return text
    symbol = {"USD": "$", "CAD": "$", "AUD": "$", "EUR": "€", "GBP": "£"}.get(
        str(currency or "USD").upper(), "")
    amount = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    return f"{prefix}{symbol}{amount}" if symbol else f"{prefix}{amount} {currency}"


def _offer_price(offer: Any) -> str | None:
    if isinstance(offer, list):
        offer = offer[0] if offer else None
    if not isinstance(offer, dict):
        return None
    if offer.get("price") is not None:
        return format_price(offer.get("price"), offer.get("priceCurrency"))
    spec = offer.get("priceSpecification")
    if isinstance(spec, dict):
        if spec.get("price") is not None:
            return format_price(spec.get("price"), spec.get("priceCurrency"))
        if spec.get("minPrice") is not None:
            return format_price(spec.get("minPrice"), spec.get("priceCurrency"), "from ")
    if offer.get("lowPrice") is not None:
        return format_price(offer.get("lowPrice"), offer.get("priceCurrency"), "from ")
    return None


def services_from_schema(data: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Services and offers: ``Offer.itemOffered``, ``Service`` with ``offers``, menu items."""
    out: dict[str, dict[str, Any]] = {}
    for node in walk([*data.get("json-ld", []), *data.get("microdata", [])]):
        types = _types(node)
        name = price = description = None
        if "offer" in types and isinstance(node.get("itemOffered"), dict):
            item = node["itemOffered"]
            name, description = _text(item.get("name")), _text(item.get("description"))
            price = _offer_price(node)
        elif types & {"service", "menuitem", "product"}:
            name, description = _text(node.get("name")), _text(node.get("description"))
            price = _offer_price(node.get("offers"))
        if not name or len(name) > 120:
            continue
        _add_service(out, name, price, description)
    # A business's own list: ``availableService`` (objects or names) and ``serviceType``.
    for node in walk([*data.get("json-ld", []), *data.get("microdata", [])]):
        if not _is_business(node):
            continue
        for key in ("availableService", "serviceType", "makesOffer"):
            values = node.get(key) or []
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, dict) and isinstance(value.get("itemOffered"), dict):
                    value = value["itemOffered"]
                name = _text(value.get("name") if isinstance(value, dict) else value)
                if name and len(name) <= 120:
                    description = _text(value.get("description")) if isinstance(
                        value, dict) else None
                    _add_service(out, name, None, description)
    return list(out.values())


def _add_service(out: dict[str, dict[str, Any]], name: str, price: str | None,
                 description: str | None) -> None:
    # "Domestic Electrical" and "Domestic Electrical Services" are one service.
    key = re.sub(r"\s+services?$", "", name.lower())
    prev = out.get(key)
    if prev is None:
        out[key] = {"name": name, "price": price, "duration_min": None,
                    "description": description}
    else:
        prev["price"] = prev["price"] or price
        prev["description"] = prev["description"] or description


def faqs_from_schema(data: dict[str, list[Any]]) -> list[dict[str, str]]:
    out = []
    for node in walk(data.get("json-ld", []) + data.get("microdata", [])):
        if "question" not in _types(node):
            continue
        question = _text(node.get("name"))
        answer = node.get("acceptedAnswer") or node.get("suggestedAnswer")
        if isinstance(answer, list):
            answer = answer[0] if answer else None
        text = _text(answer.get("text")) if isinstance(answer, dict) else _text(answer)
        if question and text:
            out.append({"question": question, "answer": _strip_tags(text)})
    return out


def _strip_tags(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()
