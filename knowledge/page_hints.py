"""Small readings of one page's DOM that the profile merges across pages: the names the page
gives the business (title, logo, brand, copyright line), services offered in a booking form's
choices, and the visible lines the main-text extractor left out. Pure functions over lxml trees.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from knowledge.page_lines import Line

__all__ = ["left_out_lines", "name_candidates", "services_from_forms", "services_from_page",
           "split_title"]

_TITLE_SEP = re.compile(r"\s+[|–—:-]\s+|\s*(?:\||::|·|»|•)\s*")
# Words that name a page, a form or an action, not a business ("New Web Lead", "Contact us").
_NOT_A_NAME = re.compile(
    r"^(?:home|homepage|welcome|contact|contact us|about|about us|menu|services|blog|news|"
    r"gallery|book now|login|log in|sign in|search|page not found|untitled|index)$|"
    r"\b(?:form|lead|request|submit|subscribe|newsletter|cookie|loading)\b", re.IGNORECASE)
_COPYRIGHT = re.compile(
    r"(?:©|ⓒ|\(c\)|copyright)\s*(?:©|ⓒ)?\s*(?:(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)?\d{2,4})?)?"
    r"[\s,.]*(?:by\s+)?([^.|,©]{2,60}?)\s*(?:[.,|]|all rights|$)", re.IGNORECASE)
_BRAND = re.compile(r"brand|logo|site-?title|site-?name", re.IGNORECASE)
_SERVICE_FIELD = re.compile(r"service|treatment|package|appointment[-_ ]?type|procedure",
                            re.IGNORECASE)
_PLACEHOLDER = re.compile(r"^(?:select|choose|please|pick|--|any|none|other)\b", re.IGNORECASE)
_MAX_LINES = 400
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip(" -–—|:")


def split_title(title: str) -> list[str]:
    return [p.strip() for p in _TITLE_SEP.split(title) if p.strip()]


def _usable(name: str) -> bool:
    return 2 <= len(name) <= 80 and len(name.split()) <= 8 and not _NOT_A_NAME.search(name) \
        and re.search(r"[A-Za-z]", name) is not None


def name_candidates(doc: Any, title: str) -> list[dict[str, str]]:
    """``{method, value}`` for every name this page gives the business."""
    out: list[dict[str, str]] = []

    def add(method: str, value: str | None) -> None:
        value = _clean(value)
        if value and _usable(value) and {"method": method, "value": value} not in out:
            out.append({"method": method, "value": value})

    for part in split_title(title):
        add("title", part)
    for img in doc.iter("img"):
        attrs = f"{img.get('class') or ''} {img.get('id') or ''} {img.get('src') or ''}"
        alt = img.get("alt") or ""
        if _BRAND.search(attrs) or re.search(r"\blogo\b", alt, re.IGNORECASE):
            add("logo", re.sub(r"\blogo\b", "", alt, flags=re.IGNORECASE))
    for el in doc.iter("a", "div", "span", "p"):
        if _BRAND.search(f"{el.get('class') or ''} {el.get('id') or ''}") and \
                len(el.text_content()) <= 80 and not any(
                    a.tag == "form" for a in el.iterancestors()):
            add("brand", el.text_content())
    text = " ".join(doc.xpath("//footer//text()") or []) or " ".join(
        t for t in doc.xpath("//body//text()")[-400:])
    for m in _COPYRIGHT.finditer(text):
        add("copyright", m.group(1))
    return out


def services_from_forms(doc: Any) -> list[dict[str, Any]]:
    """The choices of a booking form's "service" field (``<select>`` options, checkboxes)."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for select in doc.iter("select"):
        label = " ".join(filter(None, (select.get("name"), select.get("id"),
                                       select.get("aria-label"))))
        if not _SERVICE_FIELD.search(label):
            continue
        for option in select.iter("option"):
            name = _clean(option.text_content())
            if not name or _PLACEHOLDER.search(name) or not (option.get("value") or name):
                continue
            if len(name) <= 80 and name.lower() not in seen:
                seen.add(name.lower())
                out.append({"name": name, "price": None, "duration_min": None,
                            "description": None})
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*#|_`>\[\]]", " ", text.lower())).strip()


def left_out_lines(lines: list[Line], main_text: str) -> tuple[list[str], list[str]]:
    """``(chrome lines, body lines missing from main_text)``: text, not menus, each once;
    heading lines start with ``# ``."""
    main = _norm(main_text)
    chrome: list[str] = []
    extra: list[str] = []
    seen: set[str] = set()
    for line in lines:
        key = _norm(line.text)
        if line.link_only or len(key) < 3 or key in seen or not re.search(r"[a-z0-9]", key):
            continue
        seen.add(key)
        # Headings keep a "# " mark so the passages built from these lines follow them.
        text = f"# {line.text}" if line.tag in _HEADINGS else line.text
        if line.chrome:
            chrome.append(text)
        elif key not in main:
            extra.append(text)
    return chrome[:_MAX_LINES], extra[:_MAX_LINES]


_SERVICE_PAGE = re.compile(r"(?:our[-_]?)?(?:services?|treatments?|therapies|procedures|"
                           r"specialties|practice[-_]?areas|what[-_]?we[-_]?do)", re.IGNORECASE)
_NOT_A_SERVICE = re.compile(
    r"^(?:home|about|contact|blog|news|gallery|faq|more|read more|learn more|click here|"
    r"book|book now|call|view|x|menu|services|our services|further information|close|"
    r"request)\b|"
    r"\b(?:cookie|privacy|terms|policy|login|copyright|©)\b|[.?!:]$|https?://|@",
    re.IGNORECASE)


def services_from_page(lines: list[Line], url: str, title: str) -> list[dict[str, Any]]:
    """Services the site's services overview lists: its list items and in-page menu of
    service pages (short lines, not sentences), in order. Nothing on other pages."""
    # The overview page only ("/services/", "/our-services.html"): a single service's page
    # lists its features and steps, not the business's services.
    segments = [p for p in urlsplit(url).path.split("/") if p and not p.startswith("index.")]
    last = segments[-1].rsplit(".", 1)[0] if segments else ""
    if not _SERVICE_PAGE.fullmatch(last):
        return []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for line in lines:
        if line.chrome or line.tag not in ("li", "dt", "div", "p", "td"):
            continue
        if line.tag in ("div", "p") and not line.link_only:
            continue
        name = _clean(line.text)
        if not (3 <= len(name) <= 70) or len(name.split()) > 8 or _NOT_A_SERVICE.search(name):
            continue
        if name.lower() not in seen:
            seen.add(name.lower())
            out.append({"name": name, "price": None, "duration_min": None, "description": None})
    return out[:40]
