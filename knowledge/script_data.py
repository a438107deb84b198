"""What a page's scripts hold as plain data, read without running them: the menu, the daily
specials or the opening hours a script writes into the page at load (``const menuData = [{
name: "Cheeseburger", price: 8.50 }, …]``), as text lines to search; and the HTML fragments a
script loads into the page (``fetch("/components/footer.html")``), as pages to crawl.

Only literals are read: an object or array of strings, numbers and booleans assigned to a
variable, or a JSON script block. Anything computed (a call, an operator, a function) makes the
literal code, and it is left alone. Pure functions.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

__all__ = ["MAX_SCRIPT_BYTES", "data_text", "fragment_paths", "is_data_script"]

MAX_SCRIPT_BYTES = 300_000   # a site's own script; a framework bundle is larger and holds no facts
_MAX_LINES = 600
_MAX_DEPTH = 8

_TOKEN = re.compile(r"""
    (?P<skip>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\$]|\\.)*`)
  | (?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<punct>[{}\[\]:,=;])
  | (?P<other>.)
""", re.S | re.X)
_DECLARE = {"const", "let", "var"}
_LITERALS = {"true": True, "false": False, "null": None, "undefined": None}


class _NotData(ValueError):
    """The literal computes something: it is code, not data."""


def _tokens(js: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(js)
            if m.lastgroup != "skip"]


def _string(token: str) -> str:
    if token[0] == "`":
        return token[1:-1]
    try:
        value = ast.literal_eval(token)  # JavaScript's escapes are Python's for these
    except (ValueError, SyntaxError) as exc:
        raise _NotData(token) from exc
    return str(value)


def _value(tokens: list[tuple[str, str]], i: int, depth: int = 0) -> tuple[Any, int]:
    if depth > _MAX_DEPTH or i >= len(tokens):
        raise _NotData("too deep")
    kind, text = tokens[i]
    if kind == "string":
        return _string(text), i + 1
    if kind == "number":
        return float(text) if any(c in text for c in ".eE") else int(text), i + 1
    if kind == "name" and text in _LITERALS:
        return _LITERALS[text], i + 1
    if text == "[":
        items: list[Any] = []
        i += 1
        while i < len(tokens) and tokens[i][1] != "]":
            item, i = _value(tokens, i, depth + 1)
            items.append(item)
            if i < len(tokens) and tokens[i][1] == ",":
                i += 1
            elif i < len(tokens) and tokens[i][1] != "]":
                raise _NotData("expected , or ]")
        return items, i + 1
    if text == "{":
        fields: dict[str, Any] = {}
        i += 1
        while i < len(tokens) and tokens[i][1] != "}":
            key_kind, key = tokens[i]
            if key_kind not in ("string", "name", "number") or i + 1 >= len(tokens) \
                    or tokens[i + 1][1] != ":":
                raise _NotData("expected key:")
            fields[_string(key) if key_kind == "string" else key], i = _value(
                tokens, i + 2, depth + 1)
            if i < len(tokens) and tokens[i][1] == ",":
                i += 1
            elif i < len(tokens) and tokens[i][1] != "}":
                raise _NotData("expected , or }")
        return fields, i + 1
    raise _NotData(text)


def _literals(js: str) -> list[tuple[str, Any]]:
    """``(variable name, value)`` for each object or array literal assigned to a variable."""
    tokens = _tokens(js)
    out: list[tuple[str, Any]] = []
    i = 0
    while i < len(tokens) - 3:
        if tokens[i][1] in _DECLARE and tokens[i + 1][0] == "name" and tokens[i + 2][1] == "=" \
                and tokens[i + 3][1] in ("{", "["):
            try:
                value, end = _value(tokens, i + 3)
            except _NotData:
                i += 4
                continue
            if end >= len(tokens) or tokens[end][1] in (";", ",", "}") or \
                    tokens[end][1] in _DECLARE or tokens[end][0] == "name":
                out.append((tokens[i + 1][1], value))
                i = end
                continue
        i += 1
    return out


def is_data_script(js: str) -> bool:
    """A site's own script, not a minified bundle (one line of thousands of characters)."""
    lines = js.count("\n") + 1
    return len(js) <= MAX_SCRIPT_BYTES and len(js) / lines < 400


# --- rendering ----------------------------------------------------------------------------

_LABELS = ("name", "title", "label", "question", "heading", "category", "day", "service",
           "item", "dish")
_SKIP_KEYS = re.compile(r"^(id|_id|key|slug|url|uri|href|src|link|image|img|icon|photo|thumb\w*|"
                        r"class\w*|style|color|colou?r|selector|el|element|target|type|width|"
                        r"height|lat|lng|lon|latitude|longitude|zoom|index|order|sort|enabled|"
                        r"visible|active|delay|duration_ms|timeout|"
                        # a widget's own words ("Share on Facebook", "Close"), not the business's
                        r"i18n|l10n|translations?|labels|messages|strings|lang|locale)$", re.I)
_NOT_TEXT = re.compile(r"^(https?:|www\.|mailto:|tel:|/|#|\.|[\w./-]+\.(png|jpe?g|gif|svg|webp|"
                       r"css|js|html?|json)$)", re.I)
_MONEY_KEY = re.compile(r"price|cost|fee|amount|total", re.I)


def _words(key: str) -> str:
    """``menuData`` → "Menu data", ``opening_hours`` → "Opening hours"."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", key).replace("_", " ").replace("-", " ")
    spaced = " ".join(spaced.split()).lower()
    return spaced[:1].upper() + spaced[1:]


def _scalar(key: str, value: Any) -> str | None:
    """A field as said: "price 8.50"; None for what is no fact (an id, a link, a flag)."""
    if isinstance(value, bool) or value is None or _SKIP_KEYS.match(key):
        return None
    if isinstance(value, int | float):
        if _MONEY_KEY.search(key):
            return f"{value:.2f}" if value else None
        return str(value)
    text = " ".join(str(value).split())
    if not text or _NOT_TEXT.match(text) or not re.search(r"[A-Za-z0-9]", text):
        return None
    return text


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(
        not isinstance(v, dict | list) for v in value.values())


def _record(fields: dict[str, Any], lead: str = "") -> str | None:
    """One line for a flat object: "Cheeseburger: price 8.50", "Friday: Fish Fry Friday,
    price 10.00"."""
    label_key = next((k for k in fields if k.lower() in _LABELS
                      and isinstance(fields[k], str) and _scalar(k, fields[k])), None)
    label = _scalar(label_key, fields[label_key]) if label_key else None
    parts = []
    for key, value in fields.items():
        if key == label_key:
            continue
        said = _scalar(key, value)
        if said is None:
            continue
        parts.append(said if isinstance(value, str) and len(said.split()) > 2
                     else f"{_words(key).lower()} {said}")
    said = ", ".join(parts)
    if lead and label:
        return f"{lead}: {label}, {said}" if said else f"{lead}: {label}"
    if label or lead:
        return f"{label or lead}: {said}" if said else label  # a lead alone says nothing
    return said or None


def _render(value: Any, path: list[str], out: list[tuple[tuple[str, ...], str]]) -> None:
    if len(out) >= _MAX_LINES:
        return
    where = tuple(path)
    if isinstance(value, list):
        for item in value:
            if _is_record(item):
                line = _record(item)
                if line:
                    out.append((where, line))
            elif isinstance(item, dict):
                # a group: {category: "Sandwiches", items: [...]}
                label_key = next((k for k in item if k.lower() in _LABELS
                                  and isinstance(item[k], str)), None)
                label = str(item[label_key]) if label_key else ""
                rest = {k: v for k, v in item.items() if k != label_key}
                inner = [v for v in rest.values() if isinstance(v, dict | list)]
                if len(rest) == 1 and inner:  # {category: …, items: [...]}: the items
                    _render(inner[0], [*path, label] if label else path, out)
                else:
                    _render(rest, [*path, label] if label else path, out)
            elif isinstance(item, str) and len(item.split()) > 2 and (said := _scalar("", item)):
                out.append((where, said))  # a phrase, not a word of a lookup table
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if _SKIP_KEYS.match(key):
                continue
            if _is_record(item):
                line = _record(item, lead=_words(key))
                if line:
                    out.append((where, line))
            elif isinstance(item, dict | list):
                _render(item, [*path, _words(key)], out)
            elif (said := _scalar(key, item)) is not None:
                out.append((where, f"{_words(key)}: {said}"))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) \
        else []
    return [s for item in items for s in _strings(item)]


def _settings(value: Any) -> bool:
    """A script's settings (``{theme: "dark", easing: "ease-in-out", speed: 300}``), not its
    facts: its strings are mostly identifiers, not words a visitor reads ("Cheeseburger",
    "Fish Fry Friday", "310 S 13th St")."""
    strings = _strings(value)
    read = sum(1 for s in strings if " " in s.strip() or s[:1].isupper())
    return not strings or read * 3 < len(strings)


def data_text(js: str) -> str:
    """The plain data of a script as Markdown: a heading per object (its variable's name and
    keys, "Menu data > Sandwiches") and a line per record; "" when it holds none."""
    out: list[tuple[tuple[str, ...], str]] = []
    for name, value in _literals(js) if is_data_script(js) else []:
        found: list[tuple[tuple[str, ...], str]] = []
        _render(value, [_words(name)], found)
        # one value is a setting, not data: a list of facts has a few, said in words
        if sum(1 for _, line in found if re.search(r"[A-Za-z]{3}", line)) >= 2 \
                and not _settings(value):
            out += found
    return _markdown(out[:_MAX_LINES])


def json_text(raw: str, name: str = "Data") -> str:
    """The plain data of a JSON script block (``<script type="application/json">``)."""
    try:
        value = json.loads(raw)
    except ValueError:
        return ""
    found: list[tuple[tuple[str, ...], str]] = []
    _render(value, [name], found)
    return _markdown(found[:_MAX_LINES]) if len(found) >= 2 else ""


def _markdown(lines: list[tuple[tuple[str, ...], str]]) -> str:
    """Records under headings: "# Menu data" then "## Sandwiches" for a group inside it."""
    text: list[str] = []
    last: tuple[str, ...] = ()
    for where, line in lines:
        if where != last:
            keep = next((n for n, (a, b) in enumerate(zip(where, last, strict=False)) if a != b),
                        min(len(where), len(last)))
            text += ["", *(f"{'#' * min(level + 1, 6)} {where[level]}"
                           for level in range(keep, len(where))), ""]
            last = where
        text.append(line)
    return "\n".join(text).strip()


_FRAGMENT = re.compile(r"""["'`]((?:\.{0,2}/)?[\w./-]+\.html?)["'`]""", re.I)


def fragment_paths(js: str) -> list[str]:
    """Site-relative pages a script names ("/components/cta.html"), to read as pages: sites
    that assemble their pages in the browser load their header, footer and calls to action
    this way."""
    if not is_data_script(js):
        return []
    return list(dict.fromkeys(m for m in _FRAGMENT.findall(js) if "//" not in m))
