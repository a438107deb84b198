"""Facts from one page: structured data first, the text when there is none."""

from __future__ import annotations

from knowledge.extract import extract_page
from knowledge.facts import booking_score, parse_duration_min
from scripts.doubles.site_server import PRICE_LIST_LINES, make_pdf

URL = "https://www.brightsmile.example/"

NO_SCHEMA = """<!doctype html><html><head><title>Contact | Bright Smile Dental</title></head>
<body><nav><a href="/">Home</a> <a href="/book-online">Book online</a></nav>
<main><h1>Visit Bright Smile Dental</h1>
<p>Call <a href="tel:(206) 555-0188">(206) 555-0188</a> or book with
<a href="https://squareup.com/appointments/book/abc123/bright-smile">Square Appointments</a>.</p>
<p>We are at 88 Pine Street, Suite 200, Seattle, WA 98101.</p>
<h2>Hours</h2><p>Mon–Thu 8am–5pm, Fri 8am–1pm. Saturday and Sunday closed.</p>
<h2>Treatments</h2>
<ul><li>Cleaning and exam — $120 (45 min)</li><li>Teeth whitening: $350, about 1 hour</li>
<li>Our friendly team</li></ul>
</main><footer>© Bright Smile Dental</footer></body></html>"""

MICRODATA = """<html><head><title>Luna Hair</title></head><body>
<div itemscope itemtype="https://schema.org/HairSalon">
  <h1 itemprop="name">Luna Hair Studio</h1>
  <span itemprop="telephone">+1 512 555 0142</span>
  <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
    <span itemprop="streetAddress">12 Congress Ave</span>,
    <span itemprop="addressLocality">Austin</span>,
    <span itemprop="addressRegion">TX</span> <span itemprop="postalCode">78701</span></div>
  <meta itemprop="openingHours" content="Tu-Sa 10:00-19:00">
</div>
<p>Lots of words for the extractor to keep as the main text of this page.</p>
<h2>Do you take walk-ins?</h2><p>Yes, when a stylist is free.</p>
</body></html>"""


def test_text_fallbacks_without_structured_data() -> None:
    page = extract_page(URL + "contact", "html", NO_SCHEMA.encode(), "utf-8")
    f = page.facts
    assert page.title == "Contact | Bright Smile Dental"
    assert f.businesses == []
    assert f.phones == ["+12065550188"]
    assert f.address == "88 Pine Street, Suite 200, Seattle, WA 98101"
    assert f.hours == {d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu")} | {
        "fri": [["08:00", "13:00"]]}
    assert [(s["name"], s["price"], s["duration_min"]) for s in f.services] == [
        ("Cleaning and exam", "$120", 45), ("Teeth whitening", "$350", 60)]
    best = max(f.booking, key=lambda b: b["score"])
    assert best["url"].startswith("https://squareup.com/appointments/") and best["score"] == 3
    assert any(b["url"] == URL + "book-online" and b["score"] == 2 for b in f.booking)
    assert "# Visit Bright Smile Dental" in page.text and "Home" not in page.text.split("\n")


def test_microdata_business_and_question_headings_only_on_faq_pages() -> None:
    page = extract_page(URL, "html", MICRODATA.encode(), "utf-8")
    biz = page.facts.businesses[0]
    assert biz["name"] == "Luna Hair Studio" and biz["type"] == "hairsalon"
    assert biz["telephone"] == "+1 512 555 0142"
    assert biz["address"] == "12 Congress Ave, Austin, TX 78701"
    assert biz["hours"] == {d: [["10:00", "19:00"]] for d in ("tue", "wed", "thu", "fri", "sat")}
    assert page.facts.faqs == []
    faq = extract_page(URL + "faq", "html", MICRODATA.encode(), "utf-8")
    assert faq.facts.faqs == [{"question": "Do you take walk-ins?",
                               "answer": "Yes, when a stylist is free."}]


def test_links_canonical_and_robots_meta() -> None:
    html = b"""<html><head><link rel="canonical" href="/services?utm_source=x#top">
    <meta name="robots" content="noindex, nofollow"></head><body>
    <a href="/a#frag">A</a> <a href="mailto:x@y.z">mail</a> <a href="javascript:void(0)">js</a>
    <a href="https://other.example/p" rel="nofollow">other</a><p>Text</p></body></html>"""
    page = extract_page(URL, "html", html, None)
    assert page.canonical == URL + "services"
    assert page.links == [URL + "a"]
    assert page.noindex and page.nofollow


def test_invalid_encoding_and_script_only_pages_do_not_crash() -> None:
    bad = b"<html><title>Caf\xe9 \xff</title><body><p>Menu \xc3\x28 prices $5</p></body></html>"
    page = extract_page(URL, "html", bad, "utf-8")
    assert "Menu" in page.text or page.text == ""
    empty = extract_page(URL, "html", b"<html><script>var x=1</script></html>", "utf-8")
    assert empty.text == ""


def test_pdf_price_list() -> None:
    page = extract_page(URL + "prices.pdf", "pdf", make_pdf(PRICE_LIST_LINES), None)
    assert page.title == "Price list 2026"
    assert "Sump pump replacement: $650" in page.text
    assert page.facts.services == []


def test_durations_and_booking_scores() -> None:
    assert parse_duration_min("takes about 90 minutes") == 90
    assert parse_duration_min("1.5 hours") == 90
    assert parse_duration_min("half an hour") == 30
    assert parse_duration_min("an hour") == 60
    assert parse_duration_min("open 7 days") is None
    page = "https://a.example/"
    assert booking_score("https://calendly.com/x/y", "", page) == 3
    assert booking_score("https://www.vagaro.com/luna", "", page) == 3
    assert booking_score("https://a.example/appointments", "", page) == 2
    assert booking_score("https://a.example/contact", "Schedule a visit", page) == 1
    assert booking_score("https://b.example/book", "Book", page) == 0
