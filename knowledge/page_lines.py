"""A page's DOM rendered as the lines a visitor sees, each marked as page chrome (header, footer,
sidebar, navigation) or not. Pure functions over lxml trees.

The main-text extractor drops chrome as boilerplate, but small-business sites keep their hours,
address, phone, licence number and service area exactly there; these lines let the profile read
them and let search index them once for the whole site (see :mod:`knowledge.sitewide`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Line", "is_chrome", "render_lines"]

# Elements that flow inside a line; everything else starts a new one.
_INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "em", "font", "i", "img", "kbd",
    "label", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u",
    "var", "wbr", "big", "tt", "strike", "nobr", "output"})
_CELLS = frozenset({"td", "th"})
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe",
                   "select", "textarea", "button", "canvas", "object", "map"})
_CHROME_TAGS = frozenset({"header", "footer", "nav", "aside"})
_CHROME_NAME = re.compile(
    r"(?:^|[\s_-])(header|footer|sidebar|side-bar|topbar|top-bar|navbar|masthead|site-info|"
    r"colophon|widget-area|bottom-bar|copyright)(?:$|[\s_-])", re.IGNORECASE)
_MAX_LINE = 2000


@dataclass(frozen=True)
class Line:
    text: str
    chrome: bool        # inside a header, footer, nav, aside or an element named like one
    link_only: bool     # every character of the line is link text (menus, buttons)
    tag: str = "p"      # the block element the line sits in ("li", "h2", "tr", "div"…)


def is_chrome(el: Any) -> bool:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _CHROME_TAGS:
        return True
    if (el.get("role") or "").lower() in ("banner", "contentinfo", "navigation",
                                           "complementary"):
        return True
    return bool(_CHROME_NAME.search(f"{el.get('id') or ''} {el.get('class') or ''}"))


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


class _Renderer:
    def __init__(self, body_chars: int) -> None:
        self.body_chars = body_chars
        self.tags: list[str] = ["div"]
        self.lines: list[Line] = []
        self._parts: list[str] = []
        self._link_chars = 0
        self._chrome = False

    def flush(self) -> None:
        text = _clean("".join(self._parts)).strip(" |")
        if text:
            link_only = self._link_chars >= len(re.sub(r"\W", "", text))
            self.lines.append(Line(text[:_MAX_LINE], self._chrome, link_only, self.tags[-1]))
        self._parts.clear()
        self._link_chars = 0
        self._chrome = False

    def add(self, text: str | None, chrome: bool, in_link: bool) -> None:
        if not text:
            return
        if text.strip():
            self._chrome = self._chrome or chrome
            if in_link:
                self._link_chars += len(re.sub(r"\W", "", text))
        self._parts.append(text)

    def walk(self, el: Any, chrome: bool, in_link: bool) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag:       # comments and processing instructions say nothing to a visitor
            self.add(el.tail, chrome, in_link)
            return
        if tag == "select":   # a form's choices are facts too ("8:00 - noon", services)
            self.flush()
            self.add(" / ".join(_clean(o.text_content()) for o in el.iter("option")), chrome,
                     False)
            self.flush()
            self.add(el.tail, chrome, in_link)
            return
        if tag in _SKIP:
            self.add(el.tail, chrome, in_link)
            return
        # A wrapper named "header-area" that holds the whole page is not chrome.
        own_chrome = chrome or (is_chrome(el) and len(el.text_content()) < 0.6 * self.body_chars)
        link = in_link or tag == "a"
        if tag == "br":
            self.flush()
            self.add(el.tail, chrome, in_link)
            return
        block = tag not in _INLINE and tag not in _CELLS
        if block:
            self.flush()
            self.tags.append(tag)
        if tag in _CELLS:
            self._parts.append(" | ")
        self.add(el.text, own_chrome, link)
        for child in el:
            self.walk(child, own_chrome, link)
        if block:
            self.flush()
            self.tags.pop()
        elif tag in _CELLS:
            self._parts.append(" ")
        self.add(el.tail, chrome, in_link)


def render_lines(doc: Any) -> list[Line]:
    """The visible lines of ``doc`` (an lxml HTML tree) in reading order."""
    body = doc.find(".//body")
    root = body if body is not None else doc
    renderer = _Renderer(len(root.text_content()))
    renderer.walk(root, False, False)
    renderer.flush()
    return renderer.lines
