"""One fetched page → its readable text, links and facts. Synchronous (lxml, trafilatura,
extruct, pypdf): the crawler runs it in a worker thread with a timeout.

The main text comes from trafilatura (navigation and boilerplate removed, headings kept as
Markdown ``#`` lines); facts are read from the whole page, since footers carry hours and phones.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import extruct
import lxml.html
import trafilatura
from lxml import etree
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from knowledge.facts import PageFacts, text_facts
from knowledge.page_hints import (
    left_out_lines,
    name_candidates,
    services_from_forms,
    services_from_page,
)
from knowledge.page_lines import render_lines
from knowledge.script_data import data_text, fragment_paths, json_text
from knowledge.structured import business_entities, faqs_from_schema, services_from_schema
from knowledge.urls import join_url

__all__ = ["ExtractedPage", "extract_page"]

log = logging.getLogger("knowledge.extract")
_BLOCK_TAGS = ("p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "address", "dt", "dd",
               "summary", "blockquote", "figcaption")
_MAX_PDF_PAGES = 40


@dataclass
class ExtractedPage:
    title: str
    text: str                                   # main text, Markdown headings
    links: list[str] = field(default_factory=list)
    canonical: str | None = None
    noindex: bool = False
    nofollow: bool = False
    facts: PageFacts = field(default_factory=PageFacts)
    scripts: list[str] = field(default_factory=list)  # the page's own scripts, to read as data


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def extract_page(url: str, kind: str, body: bytes, encoding: str | None) -> ExtractedPage:
    if kind == "pdf":
        return _extract_pdf(url, body)
    return _extract_html(url, body, encoding)


def _extract_pdf(url: str, body: bytes) -> ExtractedPage:
    try:
        reader = PdfReader(io.BytesIO(body))
        texts = [(p.extract_text() or "") for p in reader.pages[:_MAX_PDF_PAGES]]
        meta_title = reader.metadata.title if reader.metadata else None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ValueError(f"unreadable PDF: {type(exc).__name__}") from exc
    text = "\n\n".join(t.strip() for t in texts if t.strip())
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "document.pdf"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title = _clean(str(meta_title)) if meta_title else (lines[0][:120] if lines else name)
    blocks = [("p", [ln]) for ln in lines]
    facts = text_facts(blocks=blocks, anchors=[], page_url=url, faqs=[])
    facts.services = []  # PDF lines are searchable, but too loose to list as services
    return ExtractedPage(title=title, text=text, facts=facts)


def _decode(body: bytes, encoding: str | None) -> str:
    for enc in filter(None, (encoding, "utf-8")):
        try:
            return body.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("utf-8", errors="replace")


def _extract_html(url: str, body: bytes, encoding: str | None) -> ExtractedPage:
    html = _decode(body, encoding).replace("\x00", "")
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return ExtractedPage(title=url, text="")
    title = _clean(doc.findtext(".//title") or "") or url
    robots = " ".join(m.get("content", "") for m in doc.iter("meta")
                      if (m.get("name") or "").lower() in ("robots", "receptionistbot")).lower()
    canonical = None
    for link in doc.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            canonical = join_url(url, link.get("href", ""))
    base = url
    for b in doc.iter("base"):
        if b.get("href"):
            base = join_url(url, b.get("href", "")) or url
            break
    anchors: list[tuple[str, str]] = []
    links: list[str] = []
    for a in doc.iter("a", "area"):
        href = (a.get("href") or "").strip()
        if not href:
            continue
        text = _clean(a.text_content())
        if href.lower().startswith("tel:"):
            anchors.append((href, text))
            continue
        target = join_url(base, href)
        if target is None:
            continue
        anchors.append((target, text))
        if "nofollow" not in (a.get("rel") or "").lower():
            links.append(target)
    scripts, script_text, script_links = _scripts(doc, base)
    links += [link for link in script_links if link not in links]
    structured = _structured(html, url)
    opengraph = [d for d in structured.get("opengraph", []) if isinstance(d, dict)]
    region = _region(doc, url, opengraph)
    names = name_candidates(doc, title)
    form_services = services_from_forms(doc)
    lines = render_lines(doc)
    blocks, heading_faqs = _blocks(doc)
    faq_page = re.search(r"faq|question", f"{url} {title}", re.IGNORECASE) is not None
    faqs = faqs_from_schema(structured) or (heading_faqs if faq_page else [])
    facts = text_facts(blocks=blocks, anchors=anchors, page_url=url, faqs=faqs,
                       lines=[ln.text for ln in lines],
                       chrome=[ln.text for ln in lines if ln.chrome], region=region)
    facts.businesses = business_entities(structured)
    site_names = [d.get("og:site_name") for d in opengraph]
    facts.site_name = next((_clean(str(s)) for s in site_names if s), None)
    facts.names = names
    schema_services = services_from_schema(structured)
    if schema_services:
        facts.services = _merge_services(schema_services, facts.services)
    for extra in (form_services, services_from_page(lines, url, title)):
        facts.services = _merge_services(facts.services, extra) if extra else facts.services
    text = trafilatura.extract(
        html, url=url, output_format="markdown", include_tables=True, include_links=False,
        include_images=False, include_comments=False, favor_recall=True, deduplicate=False,
    ) or ""
    if not text.strip() and _fragment(html):
        # a piece of a page a script loads into it (a call to action, a footer): no document
        # for the main-text extractor to find, so what it shows is the text
        text = "\n".join(ln.text for ln in lines if not ln.link_only)
    facts.site_lines, facts.extra_lines = left_out_lines(lines, text)
    if script_text:
        text = f"{text}\n\n{script_text}".strip()
    return ExtractedPage(title=title, text=text, links=list(dict.fromkeys(links)),
                         canonical=canonical, noindex="noindex" in robots,
                         nofollow="nofollow" in robots, facts=facts, scripts=scripts)


def _fragment(html: str) -> bool:
    """HTML without a document around it: markup from its first character, and no
    ``<html>``, ``<head>`` or ``<body>``."""
    return re.match(r"\s*(<!--.*?-->\s*)*<[a-z]", html[:5000], re.IGNORECASE | re.S) is not None \
        and re.search(r"<(html|head|body)\b", html[:5000], re.IGNORECASE) is None


_JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}
_MAX_INLINE_CHARS = 100_000


def _scripts(doc: Any, base: str) -> tuple[list[str], str, list[str]]:
    """The page's scripts: ``(script URLs, the plain data of its inline scripts and JSON blocks
    as text, the pages its inline scripts load into it)``. Structured data (JSON-LD) is read
    elsewhere."""
    urls: list[str] = []
    texts: list[str] = []
    pages: list[str] = []
    for el in doc.iter("script"):
        kind = (el.get("type") or "").strip().lower()
        src = (el.get("src") or "").strip()
        if src:
            target = join_url(base, src)
            if target and kind in _JS_TYPES:
                urls.append(target)
            continue
        code = (el.text or "")[:_MAX_INLINE_CHARS]
        if kind in _JS_TYPES:
            texts.append(data_text(code))
            pages += [p for p in (join_url(base, f) for f in fragment_paths(code)) if p]
        elif kind == "application/json":
            texts.append(json_text(code))
    return list(dict.fromkeys(urls)), "\n\n".join(t for t in texts if t), pages


_LANG_REGION = {"gb": "GB", "uk": "GB", "ie": "IE", "au": "AU", "ca": "CA", "in": "IN",
                "nz": "NZ", "us": "US"}


def _region(doc: Any, url: str, opengraph: list[dict[str, Any]]) -> str:
    """The country whose phone-number format the page most likely uses: the page's language
    tag ("en-GB"), its og:locale, then its domain (".co.uk", ".ie", ".com.au", ".ca")."""
    hints = [doc.get("lang") or "", *(str(d.get("og:locale") or "") for d in opengraph)]
    for hint in hints:
        parts = re.split(r"[-_]", hint.lower())
        if len(parts) > 1 and parts[-1] in _LANG_REGION:
            return _LANG_REGION[parts[-1]]
    hosts = [urlsplit(url).hostname or "", *(urlsplit(str(d.get("og:url") or "")).hostname
                                            or "" for d in opengraph)]
    for host in hosts:
        tld = host.rsplit(".", 1)[-1].lower()
        if tld in _LANG_REGION and tld != "us":
            return _LANG_REGION[tld]
    return "US"


def _structured(html: str, url: str) -> dict[str, list[Any]]:
    try:
        data = extruct.extract(html, base_url=url, syntaxes=["json-ld", "microdata", "opengraph"],
                               uniform=True, errors="ignore")
    except (ValueError, TypeError, KeyError, etree.LxmlError) as exc:
        # extruct raises KeyError('opengraph') on some malformed pages (<head> after </html>)
        log.debug("knowledge.structured_data_unreadable url=%s error=%s", url, exc)
        return {}
    return data if isinstance(data, dict) else {}


def _blocks(doc: Any) -> tuple[list[tuple[str, list[str]]], list[dict[str, str]]]:
    for bad in doc.xpath("//script|//style|//noscript|//template|//svg"):
        bad.drop_tree()
    for br in doc.iter("br"):
        br.tail = "\n" + (br.tail or "")
    blocks: list[tuple[str, list[str]]] = []
    for el in doc.iter(*_BLOCK_TAGS):
        if el.tag == "tr":
            cells = [_clean(c.text_content()) for c in el if c.tag in ("td", "th")]
        elif el.tag == "address":
            cells = [_clean(x) for x in el.text_content().split("\n") if x.strip()]
        else:
            cells = [_clean(el.text_content())]
        if any(cells):
            blocks.append((el.tag, cells))
    return blocks, _heading_faqs(doc)


def _heading_faqs(doc: Any) -> list[dict[str, str]]:
    """Question headings followed by their answer; ``<details>``; ``<dt>``/``<dd>``."""
    out: list[dict[str, str]] = []
    for h in doc.iter("h2", "h3", "h4", "h5", "dt", "summary"):
        question = _clean(h.text_content())
        if not question.endswith("?") or len(question) > 200:
            continue
        parts: list[str] = []
        if h.tag == "summary":
            parent = h.getparent()
            parts = [_clean(parent.text_content()).removeprefix(question)] if parent is not None \
                else []
        else:
            sib = h.getnext()
            stop = ("h1", "h2", "h3", "h4", "h5", "dt") if h.tag != "dt" else ("dt",)
            while sib is not None and sib.tag not in stop and len(parts) < 5:
                if isinstance(sib.tag, str):
                    parts.append(_clean(sib.text_content()))
                sib = sib.getnext()
        answer = " ".join(p for p in parts if p).strip()
        if answer:
            out.append({"question": question, "answer": answer[:1500]})
    return out


def _merge_services(schema: list[dict[str, Any]], text: list[dict[str, Any]]) -> list[dict[str,
                                                                                            Any]]:
    """Structured services first; a text row with the same name adds its duration (and a price
    written like "from $1,450" when the structured one has none)."""
    by_name = {s["name"].lower(): s for s in text}
    out = []
    for s in schema:
        row = by_name.pop(s["name"].lower(), None)
        if row:
            s = {**s, "duration_min": s.get("duration_min") or row.get("duration_min"),
                 "price": s.get("price") or row.get("price")}
        out.append(s)
    return out + list(by_name.values())
