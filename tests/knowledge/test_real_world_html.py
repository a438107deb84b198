"""Extraction on the HTML real small-business sites are made of: chrome kept, names by
consensus, addresses of five countries, hours in their many forms, phones by prominence,
services from overview pages and forms; and the passages search builds from them."""

from __future__ import annotations

import lxml.html
import pytest

from knowledge.addresses import find_address
from knowledge.extract import extract_page
from knowledge.facts import PageFacts, phone_label
from knowledge.hours_text import hours_from_text
from knowledge.index import HybridIndex, IndexedChunk, PassageKind, is_document
from knowledge.lexical import analyze, expand_query, normalize_numbers
from knowledge.page_lines import render_lines
from knowledge.profile import build_profile, consensus_name, prominent_phone
from knowledge.sitewide import profile_passages, site_passages

ROOT = "https://www.example-salon.com/"


def page(body: str, title: str = "Home", head: str = "") -> bytes:
    return (f"<html lang='en'><head><title>{title}</title>{head}</head><body>{body}</body>"
            "</html>").encode()


def test_lines_keep_chrome_apart_but_a_wrapper_named_header_is_not_chrome() -> None:
    doc = lxml.html.document_fromstring(page(
        "<div id='header-area'><header><a href='/'>Home</a> <a href='/c'>Contact</a></header>"
        "<main><p>We fix pipes.</p><table><tr><td>Monday</td><td>8:00am</td><td>-</td>"
        "<td>5:00pm</td></tr></table></main>"
        "<footer><p>Open daily 9am–9:30pm<br>12 Main St, Springfield, IL 62701</p></footer>"
        "</div>").decode())
    lines = render_lines(doc)
    by_text = {ln.text: ln for ln in lines}
    assert by_text["Home Contact"].chrome and by_text["Home Contact"].link_only
    assert not by_text["We fix pipes."].chrome
    assert by_text["Monday | 8:00am | - | 5:00pm"].tag == "tr"
    assert by_text["Open daily 9am–9:30pm"].chrome
    assert by_text["12 Main St, Springfield, IL 62701"].chrome


@pytest.mark.parametrize(("lines", "expected"), [
    (["111 S. Main St.", "Homedale, ID  83628", "(208)337-4900"],
     ("111 S. Main St., Homedale, ID 83628", "US")),
    (["Our office", "8 Sansome Walk", "Worcester", "Worcestershire", "WR1 1LW",
      "Telephone: 01905 723561"], ("8 Sansome Walk, Worcester, Worcestershire, WR1 1LW", "GB")),
    (["Company Ltd - 8 Sansome Walk, Worcester, WR1 1LW"], ("8 Sansome Walk, Worcester, WR1 1LW",
                                                           "GB")),
    (["Visit us: 6465 Cartmell Place SW Edmonton, AB T6W 4V4"],
     ("6465 Cartmell Place SW Edmonton, AB T6W 4V4", "CA")),
    (["Unit 4, 12 Main Street, Naas, Co. Kildare, W91 X2Y3"],
     ("Unit 4, 12 Main Street, Naas, Co. Kildare, W91 X2Y3", "IE")),
    (["Shop 3/45 George St, Sydney NSW 2000"], ("Shop 3/45 George St, Sydney NSW 2000", "AU")),
])
def test_addresses_of_five_countries(lines: list[str], expected: tuple[str, str]) -> None:
    assert find_address(lines) == expected


def test_a_copyright_line_or_a_town_alone_is_not_an_address() -> None:
    assert find_address(["© 2016 Homedale Chiropractic. All rights reserved."]) is None
    assert find_address(["Serving Portland, OR 97202 and around"]) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Mon–Fri 9am–9:30pm", "Mon-Fri 09:00-21:30"),
    ("Open 7 days 9.30am - 5.30pm", "Mon-Sun 09:30-17:30"),
    ("Sat 10am-noon", "Sat 10:00-12:00"),
    ("Monday | 8:00am | - | 5:00pm\nTuesday | 8:00am | - | 1:00pm\nFriday | closed",
     "Mon 08:00-17:00; Tue 08:00-13:00"),
    ("Office hours\nMon-Fri 8am-5pm\nEmergency hours\nSat-Sun 9am-5pm", "Mon-Fri 08:00-17:00"),
    ("Office hours\nMon-Fri 8am-5pm\nSaturday by appointment\nSat 9am-1pm",
     "Mon-Fri 08:00-17:00"),
    ("Mon-Fri 8am-5pm. After-hours emergency line: Sat-Sun 7am-11pm", "Mon-Fri 08:00-17:00"),
])
def test_hours_forms_and_labelled_blocks_kept_apart(text: str, expected: str) -> None:
    hours = hours_from_text(text)
    assert hours is not None and hours.to_text() == expected


def _facts(url: str, html: bytes) -> tuple[str, str, PageFacts]:
    extracted = extract_page(url, "html", html, "utf-8")
    return url, extracted.title, extracted.facts


def test_name_by_consensus_never_a_form_title() -> None:
    pages = [
        _facts(ROOT, page("<h2>New Web Lead</h2><form><h3>New Web Lead</h3></form>"
                          "<footer>© 2024 Pawpaw Spa &amp; Grooming. All rights reserved.</footer>",
                          "Pawpaw Spa & Grooming - Home",
                          "<meta property='og:site_name' content='pawpaw'>")),
        _facts(ROOT + "contact", page("<p>Call us</p>", "Contact :: Pawpaw Spa & Grooming",
                                      "<meta property='og:site_name' content='pawpaw'>")),
    ]
    name, method, _ = consensus_name(pages, None)
    assert name is not None and name.lower() == "pawpaw spa & grooming"
    assert "copyright" in method and "title" in method
    assert consensus_name(pages, "Pawpaw Pets Ltd")[0] == "Pawpaw Pets Ltd"


def test_main_phone_by_prominence_other_numbers_labelled() -> None:
    home = _facts(ROOT, page(
        "<header><a href='tel:+15035550147'>(503) 555-0147</a></header><main>"
        "<p>After-hours emergency clinic: (503) 555-0999</p><p>Fax: (503) 555-0148</p></main>"))
    other = _facts(ROOT + "about", page("<p>Our friends at (503) 555-0999 are great.</p>"
                                        "<footer>Call (503) 555-0147</footer>"))
    assert prominent_phone([home, other], "/") == ("+15035550147", ROOT)
    profile = build_profile([home, other], ROOT)
    assert profile.phone == "+15035550147"
    assert dict(profile.other_phones) == {"after-hours": "+15035550999", "fax": "+15035550148"}
    assert phone_label("Fax:") == "fax" and phone_label("Call us") == "main"
    assert profile.sources["phone"]["page"] == ROOT


def test_phone_and_address_in_the_page_country() -> None:
    _, _, facts = _facts("https://www.firm.co.uk/contact-us", page(
        "<p>Telephone: 01905 723561</p><p>8 Sansome Walk<br>Worcester<br>WR1 1LW</p>",
        "Contact | Firm"))
    assert facts.text_phones == ["+441905723561"]
    assert facts.address == "8 Sansome Walk, Worcester, WR1 1LW" and facts.country == "GB"


def test_services_from_the_overview_page_forms_and_schema() -> None:
    overview = _facts(ROOT + "services/", page(
        "<h1>Our services</h1><ul><li>Bath &amp; Tidy</li><li>Full Grooming</li>"
        "<li>We love every dog that comes through our doors.</li></ul>", "Services"))
    single = _facts(ROOT + "services/full-grooming", page(
        "<ul><li>Warm water</li><li>Towel dry</li></ul>", "Full Grooming"))
    form = _facts(ROOT + "book", page(
        "<form><select name='service'><option value=''>Select a service</option>"
        "<option>Nail Paint</option></select></form>", "Book"))
    schema = _facts(ROOT, page("", "Home", """<script type="application/ld+json">
        {"@context": "https://schema.org", "@type": "Dentist", "name": "Smile",
         "availableService": [{"@type": "MedicalProcedure", "name": "Root Canal Treatment"}],
         "serviceType": ["Teeth Whitening"]}</script>"""))
    names = [s["name"] for s in overview[2].services]
    assert names == ["Bath & Tidy", "Full Grooming"]
    assert single[2].services == []
    assert [s["name"] for s in form[2].services] == ["Nail Paint"]
    assert [s["name"] for s in schema[2].services] == ["Root Canal Treatment", "Teeth Whitening"]


def test_spoken_numbers_and_paraphrases() -> None:
    assert normalize_numbers("two hundred and fifty thousand pounds") == "250000 pounds"
    assert normalize_numbers("£250,000.00 plus £879.00") == "£250000 plus £879"
    assert normalize_numbers("one of those") == "one of those"
    assert "address" in expand_query("whereabouts are you exactly?")
    assert "price" in expand_query("how much is a cut?")
    assert "hours" in expand_query("are you open saturdays?")
    assert "accept" in expand_query("do you take Delta Dental?")
    assert analyze("£250,000.00") == analyze("two hundred and fifty thousand")


def test_site_wide_text_once_and_profile_passages_on_the_page_that_says_it() -> None:
    footer = "<footer><p>Licence no. 12345. Seniors save 10% every Tuesday.</p></footer>"
    home = _facts(ROOT, page("<main><p>Welcome in.</p></main>" + footer))
    copy = _facts(ROOT + "index.html", page("<main><p>Welcome in.</p></main>" + footer))
    contact = _facts(ROOT + "contact", page(
        "<main><p>12 Main St, Springfield, IL 62701</p><p>Mon-Fri 9am-5pm</p></main>" + footer,
        "Contact"))
    passages = site_passages([home, copy, contact], ROOT, "Salon")
    site_wide = [p for p in passages if p.heading == "Site-wide"]
    assert len(site_wide) == 1 and "Seniors save 10%" in site_wide[0].text
    assert all(p.kind is PassageKind.SITE for p in passages)
    profile = build_profile([home, copy, contact], ROOT)
    said = {p.heading: p for p in profile_passages(profile, ROOT, [home, copy, contact])}
    assert said["Address and directions"].url == ROOT + "contact"
    assert "12 Main St" in said["Address and directions"].text
    assert "Monday: 9 am to 5 pm" in said["Opening hours"].text
    assert "Saturday: closed" in said["Opening hours"].text


def test_forms_and_pdfs_rank_below_the_content_that_says_the_same() -> None:
    text = "Dogs must have proof of a rabies vaccine before their first groom."
    chunks = [
        IndexedChunk("https://x.example/forms/new-client-agreement.pdf", "New Client Agreement",
                     "", text, PassageKind.DOCUMENT),
        IndexedChunk("https://x.example/faq", "FAQ", "Vaccines", text),
        IndexedChunk("https://x.example/about", "About", "", "We groom dogs and cats."),
    ]
    result = HybridIndex(chunks, None).search("does my dog need a rabies vaccine?", None)
    assert [p.url for p in result.passages][:2] == [chunks[1].url, chunks[0].url]
    assert is_document("https://x.example/files/intake.pdf", "Intake", "pdf")
    assert is_document("https://x.example/new-patient-forms", "New patient forms", "html")
    assert not is_document("https://x.example/services", "Our services", "html")
    assert not is_document("https://x.example/price-list.pdf", "Price list 2026", "pdf")


def test_a_passage_comes_with_the_next_sentence_of_its_page() -> None:
    # the chunker cut just before the answer: the passage found brings it along
    chunks = [
        IndexedChunk("https://x.example/policy.pdf", "Policy", "", "An express groom means the pet "
                     "is picked up at service completion."),
        IndexedChunk("https://x.example/policy.pdf", "Policy", "", "Any pet not picked up within "
                     "24 hours may be turned over to a shelter. Fees apply."),
        IndexedChunk("https://x.example/other", "Other", "", "Nothing to do with it."),
    ]
    result = HybridIndex(chunks, None).search("express groom", None)
    assert result.passages[0].text.endswith("Any pet not picked up within 24 hours may be turned "
                                            "over to a shelter.")
    assert HybridIndex(chunks, None).search("shelter", None).passages[0].text == chunks[1].text


def test_each_fact_of_the_profile_is_a_source_of_its_own() -> None:
    # two FAQs of the profile both make the top three; a page still gives one passage first
    root = "https://x.example/"
    chunks = [
        IndexedChunk(root, "X", "Do you offer fixed-price quotes?", "Do you offer fixed-price "
                     "quotes?\nYes, fixed-rate quotes.", PassageKind.PROFILE),
        IndexedChunk(root, "X", "Do you provide free quotes?", "Do you provide free quotes?\n"
                     "Yes, free quotes.", PassageKind.PROFILE),
        IndexedChunk(root + "faq", "FAQ", "", "Quotes and more quotes."),
        IndexedChunk(root + "faq", "FAQ", "", "Quotes, quotes."),
    ]
    found = HybridIndex(chunks, None).search("quotes", None, k=3).passages
    assert {p.heading for p in found} >= {"Do you offer fixed-price quotes?",
                                          "Do you provide free quotes?"}
