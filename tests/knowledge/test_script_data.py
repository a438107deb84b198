"""A page's scripts read as data, never run: the menu or the specials a script writes into the
page, and the HTML fragments a script loads into it; over real HTTP for the crawl."""

from __future__ import annotations

from pathlib import Path

from knowledge.crawl import Crawler
from knowledge.extract import extract_page
from knowledge.fetch import Fetcher, FetchLimits
from knowledge.script_data import data_text, fragment_paths, is_data_script
from scripts.doubles.static_site import StaticSite

MENU_JS = """
// the menu, rendered into #menu at load
const menu = [
  { category: "Breakfast", items: [
      { name: "Pancake stack", price: 7.5, image: "img/pancakes.jpg" },
      { name: 'Veggie omelette', price: 9 },
  ]},
  { category: "Lunch", items: [{ name: "Club sandwich", price: 11.25, id: 7 }] },
];
const config = {
  phone: "(555) 010-2030",
  social: { facebook: "https://facebook.com/example" },
  specials: {
    Monday: { name: "Soup of the day", price: 6.00 },
    Friday: { name: "Fish and chips", price: 12.00 },
  },
};
document.getElementById("menu").innerHTML = render(menu);
"""


def test_plain_data_in_a_script_reads_as_lines_under_headings() -> None:
    text = data_text(MENU_JS)
    lines = text.splitlines()
    assert "# Menu" in lines and "## Breakfast" in lines and "## Lunch" in lines
    assert "Pancake stack: price 7.50" in lines and "Veggie omelette: price 9.00" in lines
    assert "Club sandwich: price 11.25" in lines
    assert "## Specials" in lines and "Friday: Fish and chips, price 12.00" in lines
    assert "Phone: (555) 010-2030" in lines
    # links, images, ids and code are no facts
    assert "facebook" not in text and "jpg" not in text and "render" not in text
    assert "id 7" not in text


def test_code_is_not_data() -> None:
    assert data_text("const total = items.reduce((a, b) => a + b.price, 0);") == ""
    assert data_text("const rows = [{ name: label(), price: 3 }, { name: 'Tea', price: 2 }];") \
        == ""
    assert data_text('const sizes = { small: 1 };') == ""  # one setting is no list of facts
    # settings are identifiers, not words a visitor reads
    assert data_text('const ui = { theme: "dark", easing: "ease-in-out", accent: "#ff0", '
                     'speed: 300, mode: "grid" };') == ""
    widget = data_text('var gallery = { version: "3.5", i18n: { shareOnFacebook: "Share on '
                       'Facebook", close: "Close gallery", next: "Next photo" } };')
    assert "Facebook" not in widget  # a widget's words are not the business's
    assert "Tea: price 2.00" in data_text('const drinks = [{ name: "Tea", price: 2 }, '
                                          '{ name: "Coffee", price: 3 }];')
    bundle = "var a={name:'x',price:1},b={name:'y',price:2};" * 2000  # minified: one long line
    assert not is_data_script(bundle) and data_text(bundle) == ""


def test_fragments_a_script_loads_are_found() -> None:
    js = """
    function load(id, file) { fetch(file).then(r => r.text()).then(t => { put(id, t); }); }
    load("header", "/parts/header.html");
    load("cta", 'parts/cta.htm');
    const cdn = "https://cdn.example.com/widget.html";
    """
    assert fragment_paths(js) == ["/parts/header.html", "parts/cta.htm"]


def test_inline_data_and_json_blocks_join_the_page_text() -> None:
    html = b"""<html><head><title>Cafe</title></head><body><main><h1>Cafe</h1>
    <p>Welcome to our little cafe on the corner of the square, open since 1990.</p></main>
    <script>const hours = [{ day: "Saturday", open: "8am", close: "3pm" },
                           { day: "Sunday", open: "9am", close: "1pm" }];</script>
    <script type="application/json">{"offers": [{"title": "Loyalty card",
      "detail": "Every tenth coffee is on us"}, {"title": "Student discount",
      "detail": "Ten percent off with a student card"}]}</script>
    <script src="/js/site.js"></script><script src="https://cdn.example.com/lib.js"></script>
    </body></html>"""
    page = extract_page("http://cafe.test/", "html", html, "utf-8")
    assert "Saturday: open 8am, close 3pm" in page.text
    assert "Loyalty card: Every tenth coffee is on us" in page.text
    assert page.scripts == ["http://cafe.test/js/site.js", "https://cdn.example.com/lib.js"]


async def test_the_crawl_reads_a_pages_own_scripts_and_the_fragments_they_load(
        tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "parts").mkdir()
    (tmp_path / "index.html").write_text(
        "<html><head><title>Corner Cafe</title></head><body><main><h1>Corner Cafe</h1>"
        "<p>Homemade breakfast and lunch, served every day in the heart of town.</p>"
        "<div id='menu'></div><div id='cta'></div></main>"
        "<script src='/js/menu.js'></script><script src='/js/include.js'></script>"
        "</body></html>")
    (tmp_path / "js" / "menu.js").write_text(MENU_JS)
    (tmp_path / "js" / "include.js").write_text(
        "fetch('/parts/cta.html').then(r => r.text()).then(t => { cta.innerHTML = t; });")
    (tmp_path / "parts" / "cta.html").write_text(
        "<section><h3>Visit us</h3><p>Free parking is available behind the cafe for all "
        "our guests.</p></section>")
    fetcher = Fetcher(allow_private=True, limits=FetchLimits(timeout_s=2.0))
    try:
        with StaticSite(tmp_path) as site:
            outcome = await Crawler(fetcher).crawl(site.base + "/")
    finally:
        await fetcher.aclose()
    pages = {p.url.removeprefix(site.base): p for p in outcome.pages}
    assert set(pages) == {"/", "/parts/cta.html"}  # scripts are read, not kept as pages
    home = pages["/"].extracted
    assert home is not None and "Club sandwich: price 11.25" in home.text
    cta = pages["/parts/cta.html"].extracted
    assert cta is not None and "Free parking is available" in cta.text
